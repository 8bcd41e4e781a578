"""Appeals through the services: the window in working days (across a public holiday), one
open appeal per decision, only the teacher lodges, the body above reviews (a district
methodologist an organisation's decision, the region a district's), the due date, upheld
and rejected answers with their history and e-mails."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.attestation import services
from apps.attestation.models import (
    Appeal,
    AppealEvent,
    Application,
    CommissionSession,
    Decision,
    Level,
)
from apps.attestation.selectors import appeals as selectors
from apps.attestation.services import appeals, orders
from apps.core.calendar import add_working_days
from tests.factories import UserFactory

from .conftest import accepted_application, commission_with_members

pytestmark = pytest.mark.usefixtures("english", "private_storage")

S = Application.Status
# Nauryz 2025: Friday 21 March and, observed, Monday 24 and Tuesday 25 are holidays.
DECIDED_BEFORE_NAURYZ = dt.date(2025, 3, 20)
FIVE_WORKING_DAYS_LATER = dt.date(2025, 4, 1)


def today():
    return timezone.localdate()


def body_commission(cycle, teacher, level):
    """The commission of the body that attests `level` claims of the teacher."""
    if level == Level.ORGANIZATION:
        return commission_with_members(cycle, level=level, organization=teacher.organization)
    if level == Level.DISTRICT:
        return commission_with_members(cycle, level=level, district=teacher.organization.district)
    return commission_with_members(cycle, level=level)


def decide(application, *, commission=None, decided_on=None, outcome=Decision.Outcome.MEETS):
    """A decision made directly (sessions are another part's): by a closed session of the
    commission, or with none (the ministry's, recorded as received)."""
    session = None
    if commission is not None:
        session = CommissionSession.objects.create(
            commission=commission,
            starts_at=timezone.now(),
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
        assigned_category=None
        if outcome == Decision.Outcome.KEEP
        else application.claimed_category,
        portfolio_score=Decimal("95.50"),
        votes_for=6,
        votes_against=1,
        decided_on=decided_on or today(),
        body_kk="Аттестаттау комиссиясы",
        body_ru="Аттестационная комиссия",
    )
    services._transition(application, S.DECIDED, actor=None, comment="Шешім")
    return decision


def decided(world, cycle, *, claimed="expert", level=Level.DISTRICT, decided_on=None, teacher=None):
    teacher = teacher or world.teacher_a
    commission = body_commission(cycle, teacher, level)
    application = accepted_application(world, cycle, teacher, claimed=claimed)
    return decide(application, commission=commission, decided_on=decided_on)


def lodge(world, decision, text="Портфолио баллы дұрыс есептелмеді."):
    return appeals.appeal_lodge(decision=decision, actor=world.users["teacher"], text=text)


def on_day(monkeypatch, day):
    """The appeals' services see `day` as today."""
    monkeypatch.setattr(
        appeals, "timezone", SimpleNamespace(localdate=lambda: day, now=timezone.now)
    )


# --- the window -------------------------------------------------------------------------------


def test_the_window_counts_working_days_across_a_public_holiday(world, cycle, monkeypatch):
    decision = decided(world, cycle, decided_on=DECIDED_BEFORE_NAURYZ)
    assert appeals.appeal_lodge_until(decision) == FIVE_WORKING_DAYS_LATER

    on_day(monkeypatch, FIVE_WORKING_DAYS_LATER + dt.timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        lodge(world, decision)
    assert refused.value.code == "too_late"
    assert "until 01.04.2025" in refused.value.messages[0]

    on_day(monkeypatch, FIVE_WORKING_DAYS_LATER)
    appeal = lodge(world, decision)
    assert appeal.status == Appeal.Status.LODGED


def test_the_answer_is_due_in_working_days(world, cycle, monkeypatch):
    decision = decided(world, cycle, decided_on=DECIDED_BEFORE_NAURYZ)
    on_day(monkeypatch, DECIDED_BEFORE_NAURYZ)
    appeal = lodge(world, decision)
    # Five working days, the Nauryz holidays and the weekend skipped.
    assert appeal.due_on == FIVE_WORKING_DAYS_LATER


def test_an_appeal_within_the_window_is_lodged_with_its_history(world, cycle):
    decision = decided(world, cycle)
    appeal = lodge(world, decision)
    assert (appeal.decision, appeal.application) == (decision, decision.application)
    assert appeal.due_on == add_working_days(today(), cycle.appeal_review_working_days)
    assert appeal.lodged_by == world.users["teacher"]
    assert list(appeal.events.values_list("from_status", "to_status", "actor")) == [
        ("", "lodged", world.users["teacher"].pk)
    ]


def test_one_open_appeal_per_decision(world, cycle):
    decision = decided(world, cycle)
    lodge(world, decision)
    with pytest.raises(ValidationError) as refused:
        lodge(world, decision, text="Тағы да")
    assert refused.value.code == "open"
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize("role", ["school_admin", "methodologist", "region_admin", "hr_analyst"])
def test_only_the_teacher_lodges(world, cycle, role):
    decision = decided(world, cycle)
    with pytest.raises(PermissionDenied):
        appeals.appeal_lodge(decision=decision, actor=world.users[role], text="Шағым")
    assert not Appeal.objects.exists()


def test_the_complaint_is_required(world, cycle):
    decision = decided(world, cycle)
    with pytest.raises(ValidationError) as refused:
        lodge(world, decision, text="   ")
    assert "text" in refused.value.message_dict


def test_a_revised_decision_cannot_be_appealed(world, cycle):
    decision = decided(world, cycle)
    Decision.objects.filter(pk=decision.pk).update(revised_at=timezone.now())
    decision.refresh_from_db()
    with pytest.raises(ValidationError, match="revised"):
        lodge(world, decision)


# --- who reviews --------------------------------------------------------------------------------


def test_a_district_methodologist_reviews_an_organisations_decision(
    world, cycle, django_capture_on_commit_callbacks
):
    teacher = world.teacher_a
    teacher.category = None
    teacher.category_awarded_on = teacher.category_valid_until = None
    teacher.save()
    decision = decided(world, cycle, claimed="moderator", level=Level.ORGANIZATION)
    sairam = UserFactory()
    role_assignment_create(user=sairam, role=Role.METHODOLOGIST, district=world.sairam)

    with django_capture_on_commit_callbacks(execute=True):
        appeal = lodge(world, decision)

    assert appeal.review_level == Level.DISTRICT
    methodologist, region_admin = world.users["methodologist"], world.users["region_admin"]
    assert methodologist.has_perm("attestation.review_appeal", appeal)
    assert region_admin.has_perm("attestation.review_appeal", appeal)
    assert not sairam.has_perm("attestation.review_appeal", appeal)
    assert not world.users["school_admin"].has_perm("attestation.review_appeal", appeal)
    assert list(selectors.visible_appeals(methodologist)) == [appeal]
    assert not selectors.visible_appeals(sairam).exists()
    # The reviewers in scope are told, each in their language.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([methodologist.email, region_admin.email])
    message = next(m for m in mail.outbox if m.to == [methodologist.email])
    assert teacher.full_name in message.subject
    assert f"/attestation/appeals/{appeal.pk}/" in message.body


def test_the_region_reviews_a_districts_decision(world, cycle, django_capture_on_commit_callbacks):
    decision = decided(world, cycle, claimed="expert", level=Level.DISTRICT)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = lodge(world, decision)

    assert appeal.review_level == Level.REGION
    methodologist, region_admin = world.users["methodologist"], world.users["region_admin"]
    assert not methodologist.has_perm("attestation.review_appeal", appeal)
    assert region_admin.has_perm("attestation.review_appeal", appeal)
    assert not selectors.visible_appeals(methodologist).exists()
    assert list(selectors.visible_appeals(region_admin)) == [appeal]
    assert [m.to for m in mail.outbox] == [[region_admin.email]]


def test_a_regions_decision_goes_to_the_ministry_recorded_by_the_region(world, cycle):
    decision = decided(world, cycle, claimed="expert", level=Level.REGION)
    assert lodge(world, decision).review_level == Level.MINISTRY
    application = accepted_application(world, cycle, world.teacher_b, claimed="expert")
    ministry = decide(application)  # no session: the ministry's decision
    assert appeals.decision_level(ministry) == Level.MINISTRY


def test_a_reviewer_is_told_in_their_own_language(world, cycle, django_capture_on_commit_callbacks):
    region_admin = world.users["region_admin"]
    region_admin.preferred_language = "ru"
    region_admin.save(update_fields=["preferred_language"])
    decision = decided(world, cycle)
    with django_capture_on_commit_callbacks(execute=True):
        lodge(world, decision)
    [message] = mail.outbox
    with translation.override("ru"):
        greeting = translation.gettext("Dear %(name)s,") % {"name": region_admin.get_full_name()}
    assert greeting.startswith("Уважаем")
    assert message.body.startswith(greeting)


def test_the_teacher_is_told_the_answer_in_their_language(
    world, cycle, django_capture_on_commit_callbacks
):
    teacher_user = world.users["teacher"]
    teacher_user.preferred_language = "kk"
    teacher_user.save(update_fields=["preferred_language"])
    appeal = lodge(world, decided(world, cycle))
    with django_capture_on_commit_callbacks(execute=True):
        appeals.appeal_decide(
            appeal=appeal, actor=world.users["region_admin"], upheld=False, reason="Негізсіз."
        )
    [message] = mail.outbox
    assert message.to == [teacher_user.email]
    assert message.body.startswith(f"Құрметті {world.teacher_a.first_name},")


# --- the answer ---------------------------------------------------------------------------------


def test_upheld_revises_the_decision_and_sends_the_application_back_to_review(
    world, cycle, django_capture_on_commit_callbacks
):
    decision = decided(world, cycle)
    appeal = lodge(world, decision)
    reviewer = world.users["region_admin"]

    with django_capture_on_commit_callbacks(execute=True):
        appeal = appeals.appeal_decide(
            appeal=appeal, actor=reviewer, upheld=True, reason="Баллдар қайта қаралсын."
        )

    decision.refresh_from_db()
    application = Application.objects.get(pk=decision.application_id)
    assert (appeal.status, appeal.outcome_reason, appeal.decided_by) == (
        Appeal.Status.UPHELD,
        "Баллдар қайта қаралсын.",
        reviewer,
    )
    assert decision.revised_at is not None
    assert application.status == S.ACCEPTED
    event = application.events.last()
    assert (event.from_status, event.to_status, event.actor) == (S.DECIDED, S.ACCEPTED, reviewer)
    assert "Appeal lodged on" in event.comment and "upheld" in event.comment
    assert list(AppealEvent.objects.filter(appeal=appeal).values_list("to_status", "comment")) == [
        ("lodged", ""),
        ("upheld", "Баллдар қайта қаралсын."),
    ]
    [message] = mail.outbox
    assert message.to == [world.users["teacher"].email]
    assert message.subject == "Your appeal has been upheld"
    assert "Баллдар қайта қаралсын." in message.body

    # Decided again through the normal path: a new decision may be in force.
    services._transition(application, S.DECIDED, actor=None)
    renewed = Decision.objects.create(
        application=application,
        outcome=Decision.Outcome.LOWER,
        claimed_category=decision.claimed_category,
        current_category=decision.current_category,
        assigned_category=decision.current_category,
        decided_on=today(),
        body_kk="Комиссия",
        body_ru="Комиссия",
    )
    assert selectors.decision_section(application).decision == renewed


def test_no_appeal_reaches_a_completed_application(world, cycle):
    """An order comes only once the appeal period is over, so a completed application's
    decision can no longer be appealed, and nothing sends a completed application back."""
    decision = decided(world, cycle, decided_on=today() - dt.timedelta(days=40))
    orders.order_issue(
        actor=world.users["region_admin"],
        decisions=[decision],
        number="12-к",
        dated=today(),
        issuing_body_kk="Білім бөлімі",
        issuing_body_ru="Отдел образования",
    )
    application = Application.objects.get(pk=decision.application_id)
    assert application.status == S.COMPLETED
    decision.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        lodge(world, decision)
    assert refused.value.code == "too_late"
    with pytest.raises(ValidationError, match="cannot become"):
        services._transition(application, S.ACCEPTED, actor=None)


def test_rejected_keeps_the_decision(world, cycle, django_capture_on_commit_callbacks):
    decision = decided(world, cycle)
    appeal = lodge(world, decision)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = appeals.appeal_decide(
            appeal=appeal, actor=world.users["region_admin"], upheld=False, reason="Негізсіз."
        )
    decision.refresh_from_db()
    assert appeal.status == Appeal.Status.REJECTED
    assert decision.revised_at is None
    assert Application.objects.get(pk=decision.application_id).status == S.DECIDED
    assert list(appeal.events.values_list("from_status", "to_status")) == [
        ("", "lodged"),
        ("lodged", "rejected"),
    ]
    assert mail.outbox[0].subject == "Your appeal has been rejected"
    # Rejected, the decision may be appealed again while the window is open.
    assert selectors.decision_section(decision.application).appeal_open


def test_the_answer_needs_reasons_the_right_reviewer_and_an_open_appeal(world, cycle):
    decision = decided(world, cycle)
    appeal = lodge(world, decision)
    with pytest.raises(ValidationError) as refused:
        appeals.appeal_decide(
            appeal=appeal, actor=world.users["region_admin"], upheld=True, reason=""
        )
    assert "reason" in refused.value.message_dict
    for role in ("methodologist", "teacher", "school_admin", "hr_analyst"):
        with pytest.raises(PermissionDenied):
            appeals.appeal_decide(appeal=appeal, actor=world.users[role], upheld=True, reason="Иә")
    appeals.appeal_decide(
        appeal=appeal, actor=world.users["region_admin"], upheld=False, reason="Жоқ"
    )
    with pytest.raises(ValidationError, match="cannot become"):
        appeals.appeal_decide(
            appeal=appeal, actor=world.users["superuser"], upheld=True, reason="Иә"
        )
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.REJECTED
    assert appeal.events.count() == 2
