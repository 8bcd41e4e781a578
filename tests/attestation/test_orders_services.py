"""Orders: decisions put into force in one transaction (the order, a gapless-numbered
category certificate per decision, the teacher's record with the order in its history,
the application completed, the earlier certificate replaced), every refusal in words,
ministry decisions recorded as received, revocation, and the worker's merged PDF with
its progress and the holders' e-mails."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from pypdf import PdfReader

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.attestation import services
from apps.attestation.models import (
    Application,
    ApplicationEvent,
    CategoryCertificate,
    CommissionSession,
    Decision,
    DocumentJob,
    Order,
)
from apps.attestation.services import orders
from apps.certificates.models import RegisterCounter
from apps.core.dates import add_years, short_date
from apps.teachers.models import Position, QualificationCategory
from tests.factories import TeacherFactory, UserFactory

from .conftest import accepted_application, commission_with_members, credit_pd_hours

pytestmark = pytest.mark.usefixtures("private_storage")

S = Application.Status
CS = CategoryCertificate.Status


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def category(code):
    return QualificationCategory.objects.get(code=code)


# Long enough ago that the appeal period (working days, holidays and all) is over.
IN_FORCE = dt.timedelta(days=40)


def decide(world, application, *, outcome="meets", assigned=None, decided_on=None, commission=None):
    """A decision made directly (sessions are another part's) at a closed session of the
    application's commission (or of `commission`, for one routed to none), by default long
    enough ago to be in force, and the application decided."""
    if assigned is None and outcome != "keep":
        assigned = application.claimed_category.code
    decided_on = decided_on or timezone.localdate() - IN_FORCE
    session = CommissionSession.objects.create(
        commission=commission or application.commission,
        starts_at=timezone.make_aware(dt.datetime.combine(decided_on, dt.time(10))),
        place="Мәжіліс залы",
        status=CommissionSession.Status.CLOSED,
        protocol_number=f"П-{application.pk}",
    )
    decision = Decision.objects.create(
        application=application,
        session=session,
        outcome=outcome,
        current_category=application.current_category,
        claimed_category=application.claimed_category,
        assigned_category=category(assigned) if assigned else None,
        decided_on=decided_on,
        body_kk="Түркістан қаласы білім бөлімі",
        body_ru="Отдел образования по городу Туркестан",
    )
    application = Application.objects.get(pk=application.pk)
    services._transition(application, S.DECIDED, actor=world.users["superuser"])
    return decision


@pytest.fixture
def commission(cycle):
    return commission_with_members(cycle)  # Turkistan city, 6110: expert claims of A and B


def decided(world, cycle, teacher, *, claimed="expert", **kwargs):
    return decide(world, accepted_application(world, cycle, teacher, claimed=claimed), **kwargs)


def issue(actor, decisions, *, number="12-к", dated=None, **kwargs):
    kwargs.setdefault("issuing_body_kk", "Түркістан қаласы білім бөлімі")
    kwargs.setdefault("issuing_body_ru", "Отдел образования по городу Туркестан")
    return orders.order_issue(
        actor=actor,
        decisions=decisions,
        number=number,
        dated=dated or timezone.localdate() - dt.timedelta(days=1),
        **kwargs,
    )


def messages_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# --- the full path ---------------------------------------------------------------------------


def test_an_order_puts_the_decision_into_force(
    world, cycle, commission, django_capture_on_commit_callbacks
):
    teacher = world.teacher_a
    decision = decided(world, cycle, teacher)
    dated = timezone.localdate() - dt.timedelta(days=1)
    methodologist = world.users["methodologist"]
    with django_capture_on_commit_callbacks(execute=True):
        order = issue(methodologist, [decision], dated=dated, signed_by="А. Бекова")

    assert (order.commission, order.cycle, order.signed_by) == (commission, cycle, "А. Бекова")
    decision.refresh_from_db()
    assert decision.order == order
    certificate = CategoryCertificate.objects.get(decision=decision)
    year = timezone.localdate().year
    assert certificate.register_number == f"ATT-{year}-000001"
    assert certificate.status == CS.VALID
    assert (certificate.holder_name, certificate.holder_iin) == (teacher.full_name, teacher.iin)
    assert (certificate.category_kk, certificate.category_ru) == (
        "педагог-сарапшы",
        "педагог-эксперт",
    )
    assert certificate.position_ru == teacher.position.name_ru
    assert certificate.organization_kk == teacher.organization.name_kk
    assert (certificate.order_number, certificate.order_date) == ("12-к", dated)
    assert certificate.decided_on == decision.decided_on
    assert certificate.valid_until == add_years(dated, 5)
    assert certificate.issued_on == timezone.localdate()
    assert certificate.issuing_body_ru == "Отдел образования по городу Туркестан"

    teacher.refresh_from_db()
    assert teacher.category.code == "expert"
    assert teacher.category_awarded_on == dated
    assert teacher.category_valid_until == add_years(dated, 5)
    history = teacher.history.latest()
    assert history.history_user == methodologist
    assert "12-к" in history.history_change_reason
    assert "expert" in history.history_change_reason

    application = Application.objects.get(pk=decision.application_id)
    assert application.status == S.COMPLETED
    event = ApplicationEvent.objects.filter(application=application).latest("pk")
    assert (event.from_status, event.to_status, event.actor) == (
        S.DECIDED,
        S.COMPLETED,
        methodologist,
    )
    assert "12-к" in event.comment

    # The worker stored the PDF and the merged file, and told the teacher.
    job = DocumentJob.objects.get(order=order)
    assert (job.kind, job.status, job.total_rows, job.processed_rows) == (
        "certificates",
        "done",
        1,
        1,
    )
    certificate.refresh_from_db()
    assert certificate.pdf and len(certificate.pdf_sha256) == 64
    [message] = mail.outbox
    assert message.to == [teacher.user.email]
    assert certificate.register_number in message.body
    assert f"/attestation/category-certificates/{certificate.pk}/" in message.body
    assert certificate.verify_url in message.body


def test_a_head_category_is_valid_three_years(world, cycle, commission):
    head = TeacherFactory(
        organization=world.school_b,
        position=Position.objects.get(code="director"),
        category=category("head-3"),
    )
    decision = decided(world, cycle, head, claimed="head-2")
    dated = timezone.localdate() - dt.timedelta(days=1)
    issue(world.users["region_admin"], [decision], dated=dated)
    head.refresh_from_db()
    assert head.category_valid_until == add_years(dated, 3)
    assert CategoryCertificate.objects.get(decision=decision).valid_until == add_years(dated, 3)


def test_the_previous_certificate_is_replaced(world, cycle, commission):
    first = decided(world, cycle, world.teacher_a)
    admin = world.users["region_admin"]
    old = CategoryCertificate.objects.get(decision=issue(admin, [first]).decisions.get())
    # The teacher is attested again in a later cycle (made directly: one cycle a year).
    later = services.cycle_create(
        actor=admin,
        region=world.region,
        school_year="2027-2028",
        application_opens=cycle.application_opens,
        application_closes=cycle.application_closes,
        review_starts=cycle.review_starts,
        review_ends=cycle.review_ends,
        essay_topic_kk="Тақырып",
        essay_topic_ru="Тема",
    )
    again = Application.objects.get(pk=first.application_id)
    again.pk, again.cycle, again.status = None, later, S.ACCEPTED
    again.save()
    second = decide(world, again, outcome="lower", assigned="moderator")
    new = CategoryCertificate.objects.get(
        decision=issue(admin, [second], number="13").decisions.get()
    )

    old.refresh_from_db()
    assert old.status == CS.REPLACED
    assert old.revoked_at is not None and "13" in old.revoke_reason
    assert new.replaces == old and old.replacement == new
    assert new.status == CS.VALID and new.category_ru == "педагог-модератор"


def test_register_numbers_are_gapless_across_orders(world, cycle, commission):
    teachers = [world.teacher_a, world.teacher_b] + [
        TeacherFactory(organization=world.school_b) for _ in range(3)
    ]
    decisions = [decided(world, cycle, teacher) for teacher in teachers]
    admin = world.users["region_admin"]
    issue(admin, decisions[:2], number="1")
    with pytest.raises(ValidationError):  # a refused order takes no numbers
        issue(admin, [decisions[2], decisions[0]], number="2")
    issue(admin, decisions[2:], number="3")
    year = timezone.localdate().year
    numbers = sorted(CategoryCertificate.objects.values_list("register_number", flat=True))
    assert numbers == [f"ATT-{year}-{n:06d}" for n in range(1, 6)]
    assert RegisterCounter.objects.get(prefix="ATT", year=year).last_value == 5
    # Within an order, in the teachers' alphabetical order.
    third = Order.objects.get(number="3")
    by_number = third.certificates.order_by("register_number").values_list("holder_name", flat=True)
    assert list(by_number) == sorted(by_number)


# --- refusals --------------------------------------------------------------------------------


def test_a_kept_category_needs_no_order(world, cycle, commission):
    decision = decided(world, cycle, world.teacher_a, outcome="keep")
    with pytest.raises(ValidationError) as excinfo:
        issue(world.users["region_admin"], [decision])
    assert "needs no order" in messages_of(excinfo)
    assert world.teacher_a.full_name in messages_of(excinfo)
    assert not Order.objects.exists()


def test_a_revised_decision_is_refused(world, cycle, commission):
    decision = decided(world, cycle, world.teacher_a)
    Decision.objects.filter(pk=decision.pk).update(revised_at=timezone.now())
    with pytest.raises(ValidationError) as excinfo:
        issue(world.users["region_admin"], [decision])
    assert "revised on appeal" in messages_of(excinfo)
    assert not CategoryCertificate.objects.exists()


def test_a_decision_is_put_into_force_once(world, cycle, commission):
    decision = decided(world, cycle, world.teacher_a)
    admin = world.users["region_admin"]
    issue(admin, [decision], number="1")
    with pytest.raises(ValidationError) as excinfo:
        issue(admin, [decision], number="2")
    assert "already in order No. 1" in messages_of(excinfo)


def test_decisions_of_two_commissions_are_refused(world, cycle, commission):
    other = commission_with_members(cycle, level="organization", organization=world.school_c)
    ours = decided(world, cycle, world.teacher_a)
    theirs = decided(
        world, cycle, world.teacher_c, outcome="lower", assigned="moderator", commission=other
    )
    Application.objects.filter(pk=theirs.application_id).update(commission=other)
    with pytest.raises(ValidationError) as excinfo:
        issue(world.users["region_admin"], [ours, theirs])
    assert "one commission" in messages_of(excinfo)


def test_an_undecided_application_is_refused(world, cycle, commission):
    decision = decided(world, cycle, world.teacher_a)
    Application.objects.filter(pk=decision.application_id).update(status=S.ACCEPTED)
    with pytest.raises(ValidationError) as excinfo:
        issue(world.users["region_admin"], [decision])
    assert "not decided" in messages_of(excinfo)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"number": "  "}, "number"),
        ({"dated": timezone.localdate() + dt.timedelta(days=1)}, "dated"),
        ({"issuing_body_kk": ""}, "issuing_body_kk"),
    ],
)
def test_order_fields_are_checked(world, cycle, commission, fields, field):
    decision = decided(world, cycle, world.teacher_a)
    with pytest.raises(ValidationError) as excinfo:
        issue(world.users["region_admin"], [decision], **fields)
    assert field in excinfo.value.message_dict


def test_an_order_is_not_dated_before_its_decision(world, master_claim):
    """Only a ministry decision, with no appeal period here, can meet this: a commission's
    is refused an order dated within its appeal period (test_orders_in_force.py)."""
    today = timezone.localdate()
    with pytest.raises(ValidationError) as excinfo:
        record(
            world,
            master_claim,
            decided_on=today - dt.timedelta(days=1),
            order_dated=today - dt.timedelta(days=2),
        )
    assert "cannot be dated before the decision" in messages_of(excinfo)


def test_the_order_number_is_unique_per_body_and_date(world, cycle, commission):
    first, second = (decided(world, cycle, t) for t in (world.teacher_a, world.teacher_b))
    admin = world.users["region_admin"]
    issue(admin, [first], number="7")
    with pytest.raises(ValidationError) as excinfo:
        issue(admin, [second], number="7")
    day = short_date(timezone.localdate() - dt.timedelta(days=1))
    assert excinfo.value.message_dict["number"] == [
        f"This body already has an order No. 7 of {day}."
    ]
    # Another body, or another date, may use the number.
    issue(admin, [second], number="7", issuing_body_ru="Управление образования")
    assert Order.objects.filter(number="7").count() == 2


@pytest.mark.parametrize("role", ["school_admin", "commission_member", "hr_analyst", "teacher"])
def test_only_the_bodys_staff_issue_orders(world, cycle, commission, role):
    decision = decided(world, cycle, world.teacher_a)
    with pytest.raises(PermissionDenied):
        issue(world.users[role], [decision])
    assert not Order.objects.exists()


def test_a_teacher_who_moved_away_still_gets_the_category(world, cycle, commission):
    """The order binds wherever the teacher works now; the history names the issuer."""
    decision = decided(world, cycle, world.teacher_a)
    teacher = world.teacher_a
    teacher.organization = world.school_c  # Sairam: outside the methodologist's district
    teacher.save()
    methodologist = world.users["methodologist"]
    assert not methodologist.has_perm("teachers.change_teacher", teacher)
    issue(methodologist, [decision])
    teacher.refresh_from_db()
    assert teacher.category.code == "expert"
    history = teacher.history.latest()
    assert history.history_user == methodologist
    assert "12-к" in history.history_change_reason


# --- ministry decisions ------------------------------------------------------------------------


@pytest.fixture
def master_claim(world, cycle):
    teacher = TeacherFactory(
        organization=world.school_a,
        category=category("researcher"),
        category_awarded_on=dt.date(2021, 5, 1),
        experience_start=dt.date(2000, 9, 1),
    )
    credit_pd_hours(teacher, hours=108)
    application = accepted_application(world, cycle, teacher, claimed="master")
    assert (application.level, application.commission) == ("ministry", None)
    return application


def record(world, application, **kwargs):
    today = timezone.localdate()
    values = {
        "outcome": "meets",
        "assigned_category": None,
        "decided_on": today - dt.timedelta(days=5),
        "reasons": "",
        "order_number": "345",
        "order_dated": today - dt.timedelta(days=2),
    }
    values.update(kwargs)
    return orders.ministry_decision_record(
        application=application, actor=world.users["region_admin"], **values
    )


def test_a_ministry_decision_is_recorded_and_put_into_force(world, master_claim):
    decision = record(world, master_claim)
    assert decision.session is None
    assert (decision.body_kk, decision.body_ru) == (orders.MINISTRY_KK, orders.MINISTRY_RU)
    assert decision.assigned_category.code == "master"
    order = decision.order
    assert order.commission is None and order.issuing_body_ru == orders.MINISTRY_RU
    assert order.number == "345"
    certificate = CategoryCertificate.objects.get(decision=decision)
    assert certificate.issuing_body_kk == "Қазақстан Республикасы Оқу-ағарту министрлігі"
    master_claim.refresh_from_db()
    assert master_claim.status == S.COMPLETED
    assert list(master_claim.events.values_list("to_status", flat=True))[-2:] == [
        S.DECIDED,
        S.COMPLETED,
    ]
    master_claim.teacher.refresh_from_db()
    assert master_claim.teacher.category.code == "master"


def test_a_ministry_decision_keeping_the_category_needs_no_order(world, master_claim):
    decision = record(world, master_claim, outcome="keep", reasons="Балл жеткіліксіз")
    assert decision.order is None and decision.assigned_category is None
    master_claim.refresh_from_db()
    assert master_claim.status == S.DECIDED
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"outcome": "lower"}, "assigned_category"),
        ({"outcome": "lower", "assigned_category": "master", "reasons": "x"}, "assigned_category"),
        ({"outcome": "keep"}, "reasons"),
        ({"order_number": ""}, "order_number"),
        ({"order_dated": None}, "order_dated"),
        ({"decided_on": timezone.localdate() + dt.timedelta(days=1)}, "decided_on"),
    ],
)
def test_a_ministry_decision_is_checked(world, master_claim, kwargs, field):
    if isinstance(kwargs.get("assigned_category"), str):
        kwargs = {**kwargs, "assigned_category": category(kwargs["assigned_category"])}
    with pytest.raises(ValidationError) as excinfo:
        record(world, master_claim, **kwargs)
    assert field in excinfo.value.message_dict
    assert not Decision.objects.exists()
    master_claim.refresh_from_db()
    assert master_claim.status == S.ACCEPTED


def test_a_lower_ministry_decision_assigns_the_lower_category(world, master_claim):
    decision = record(
        world, master_claim, outcome="lower", assigned_category=category("researcher"), reasons="—"
    )
    assert CategoryCertificate.objects.get(decision=decision).category_ru == (
        "педагог-исследователь"
    )


def test_only_ministry_claims_are_recorded_here(world, cycle, commission):
    application = accepted_application(world, cycle, world.teacher_a)
    with pytest.raises(ValidationError) as excinfo:
        record(world, application)
    assert "Only the ministry's decisions" in messages_of(excinfo)


@pytest.mark.parametrize("role", ["methodologist", "school_admin", "hr_analyst"])
def test_only_the_region_records_ministry_decisions(world, master_claim, role):
    with pytest.raises(PermissionDenied):
        orders.ministry_decision_record(
            application=master_claim,
            actor=world.users[role],
            outcome="keep",
            assigned_category=None,
            decided_on=timezone.localdate(),
            reasons="x",
            order_number="",
            order_dated=None,
        )


# --- revocation ------------------------------------------------------------------------------


def test_revoke_needs_a_reason_and_the_right(world, cycle, commission):
    decision = decided(world, cycle, world.teacher_a)
    issue(world.users["region_admin"], [decision])
    certificate = CategoryCertificate.objects.get(decision=decision)
    with pytest.raises(PermissionDenied):
        orders.category_certificate_revoke(
            certificate=certificate, actor=world.users["school_admin"], reason="x"
        )
    with pytest.raises(ValidationError) as excinfo:
        orders.category_certificate_revoke(
            certificate=certificate, actor=world.users["methodologist"], reason=" "
        )
    assert "reason" in excinfo.value.message_dict
    revoked = orders.category_certificate_revoke(
        certificate=certificate, actor=world.users["methodologist"], reason="Қате берілген"
    )
    assert (revoked.status, revoked.revoke_reason) == (CS.REVOKED, "Қате берілген")
    assert revoked.revoked_at is not None
    with pytest.raises(ValidationError):
        orders.category_certificate_revoke(
            certificate=revoked, actor=world.users["methodologist"], reason="again"
        )


# --- the worker -----------------------------------------------------------------------------


def test_the_job_fills_its_progress_and_merges_a_page_per_certificate(world, cycle, commission):
    teachers = [
        TeacherFactory(organization=world.school_b, email=f"t{n}@example.kz") for n in range(4)
    ]
    decisions = [decided(world, cycle, teacher) for teacher in teachers]
    # Issued without running the worker (no on-commit callbacks here): the job waits.
    order = issue(world.users["region_admin"], decisions)
    job = DocumentJob.objects.get(order=order)
    assert (job.status, job.total_rows, job.processed_rows) == ("running", 4, 0)
    with CaptureQueriesContext(connection) as queries:
        job = orders.order_certificates_run(job_id=job.pk)
    # The progress moved on the way, one committed update after each certificate here.
    table = DocumentJob._meta.db_table
    moves = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and table in q["sql"] and "processed_rows" in q["sql"]
    ]
    assert len(moves) >= 4  # and the final save
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.finished_at is not None) == ("done", 4, True)
    reader = PdfReader(io.BytesIO(job.file.read()))
    assert len(reader.pages) == 4
    certificates = list(order.certificates.order_by("register_number"))
    for page, certificate in zip(reader.pages, certificates, strict=True):
        assert certificate.register_number in page.extract_text()
    assert all(c.pdf for c in certificates)
    assert len(mail.outbox) == 4

    # Run again: nothing is redrawn, nobody is told twice.
    stored = {c.pk: c.pdf_sha256 for c in certificates}
    assert orders.order_certificates_run(job_id=job.pk).status == "done"
    assert len(mail.outbox) == 4
    assert {c.pk: c.pdf_sha256 for c in order.certificates.all()} == stored


def test_a_failed_job_says_why_and_can_run_again(world, cycle, commission, monkeypatch):
    decision = decided(world, cycle, world.teacher_a)
    order = issue(world.users["region_admin"], [decision])
    job = DocumentJob.objects.get(order=order)

    def broken(items):
        list(items)
        raise OSError("disk full")

    monkeypatch.setattr(orders.pdf, "render_category_certificates", broken)
    with pytest.raises(OSError, match="disk full"):
        orders.order_certificates_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "disk full" in job.failure
    assert not mail.outbox
    monkeypatch.undo()
    assert orders.order_certificates_run(job_id=job.pk).status == "done"
    assert len(mail.outbox) == 1


def test_an_order_of_two_hundred_certificates(world, cycle, commission):
    """The worker stores 200 PDFs and merges them, a page each, within a few seconds."""
    decision = decided(world, cycle, world.teacher_a)
    order = issue(world.users["region_admin"], [decision])
    first = order.certificates.get()
    copies = []
    for n in range(2, 201):
        copy = CategoryCertificate.objects.get(pk=first.pk)
        copy.pk, copy.decision = None, None  # one valid certificate per decision
        copy.register_number, copy.code = f"ATT-TEST-{n:06d}", f"{n:016d}"
        copies.append(copy)
    CategoryCertificate.objects.bulk_create(copies)
    job = order.document_jobs.get()
    started = timezone.now()
    job = orders.order_certificates_run(job_id=job.pk)
    assert (timezone.now() - started).total_seconds() < 30
    assert (job.status, job.total_rows, job.processed_rows) == ("done", 200, 200)
    assert len(PdfReader(io.BytesIO(job.file.read())).pages) == 200
    assert not order.certificates.filter(pdf="").exists()


def test_a_teacher_without_an_account_is_mailed_at_the_registry_address(
    world, cycle, commission, django_capture_on_commit_callbacks
):
    teacher = TeacherFactory(organization=world.school_b, email="teacher@example.kz")
    decision = decided(world, cycle, teacher)
    user = UserFactory(preferred_language="ru")
    role_assignment_create(user=user, role=Role.REGION_ADMIN, region=world.region)
    with django_capture_on_commit_callbacks(execute=True):
        issue(user, [decision])
    [message] = mail.outbox
    assert message.to == ["teacher@example.kz"]
