"""Attestation services: the application state machine (every pair of TRANSITIONS), history
and kept versions, routing, the answer deadline in working days, one application a cycle,
portfolio files typed by content, observation sheets, test results, and the cycles'
own state and rules table."""

import datetime as dt
import io
import zipfile
from decimal import Decimal
from itertools import product

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from apps.attestation import services
from apps.attestation.models import (
    Application,
    ApplicationEvent,
    ApplicationVersion,
    AttestationCycle,
    CategoryRule,
    EvidenceItem,
    LessonObservation,
    Level,
    TestResult,
)
from apps.organizations.models import InstructionLanguage
from apps.teachers.models import QualificationCategory
from tests.factories import TeacherFactory

from .conftest import credit_pd_hours, make_complete, pdf_upload

pytestmark = pytest.mark.usefixtures("private_storage")

S = Application.Status
STATUSES = [None, *S.values]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def category(code):
    return QualificationCategory.objects.get(code=code)


def start(world, cycle, *, teacher=None, claimed="expert"):
    return services.application_start(
        cycle=cycle,
        teacher=teacher or world.teacher_a,
        claimed_category=category(claimed),
        actor=world.users["teacher"] if teacher is None else world.users["superuser"],
    )


def submitted(world, cycle, *, teacher=None, claimed="expert"):
    """A complete application of teacher A (or `teacher`), submitted by its owner."""
    actor = world.users["teacher"] if teacher is None else world.users["superuser"]
    application = make_complete(start(world, cycle, teacher=teacher, claimed=claimed), actor=actor)
    credit_pd_hours(application.teacher, hours=110)
    return services.application_submit(application=application, actor=actor)


# --- the state machine -----------------------------------------------------------------------


def _in_status(world, cycle, status):
    if status is None:
        teacher = world.teacher_a
        return Application(
            cycle=cycle,
            teacher=teacher,
            organization=teacher.organization,
            position=teacher.position,
            current_category=teacher.category,
            claimed_category=category("expert"),
            level=Level.DISTRICT,
        )
    application = start(world, cycle)
    Application.objects.filter(pk=application.pk).update(status=status)
    application.refresh_from_db()
    return application


@pytest.mark.parametrize(("old", "new"), list(product(STATUSES, S.values)))
def test_every_transition_of_the_table_and_no_other(world, cycle, old, new):
    application = _in_status(world, cycle, old)
    actor = world.users["school_admin"]
    events = ApplicationEvent.objects.count()
    if new in services.TRANSITIONS[old]:
        services._transition(application, new, actor=actor, comment="why")
        application.refresh_from_db()
        assert application.status == new
        event = ApplicationEvent.objects.latest("pk")
        assert (event.from_status, event.to_status, event.actor, event.comment) == (
            old or "",
            new,
            actor,
            "why",
        )
        assert event.version == application.version
    else:
        with pytest.raises(ValidationError) as caught:
            services._transition(application, new, actor=actor)
        assert caught.value.code == "transition"
        assert ApplicationEvent.objects.count() == events
        if old is None:
            assert not Application.objects.exists()
        else:
            application.refresh_from_db()
            assert application.status == old


def test_the_table_names_every_status():
    assert set(services.TRANSITIONS) == set(STATUSES)
    assert all(targets <= set(S.values) for targets in services.TRANSITIONS.values())
    assert services.TRANSITIONS[S.DISQUALIFIED] == set()


def test_submit_then_accept_writes_the_history(world, cycle):
    application = submitted(world, cycle)
    answered = services.application_accept(
        application=application, actor=world.users["school_admin"], comment=" complete "
    )
    assert answered.status == S.ACCEPTED
    assert answered.answered_at is not None
    history = [
        (e.from_status, e.to_status, e.actor, e.comment, e.version)
        for e in application.events.order_by("at", "pk")
    ]
    assert history == [
        ("", S.DRAFT, world.users["teacher"], "", 0),
        (S.DRAFT, S.SUBMITTED, world.users["teacher"], "", 1),
        (S.SUBMITTED, S.ACCEPTED, world.users["school_admin"], "complete", 1),
    ]


@pytest.mark.parametrize(
    ("answer", "kwargs", "status"),
    [
        (services.application_refuse, {"reason": "The diploma scan is unreadable."}, S.REFUSED),
        (services.application_return, {"comment": "Add the category order."}, S.RETURNED),
    ],
)
def test_refused_or_returned_application_is_resubmitted_as_a_new_version(
    world, cycle, answer, kwargs, status
):
    teacher_user, admin = world.users["teacher"], world.users["school_admin"]
    application = submitted(world, cycle)
    diploma = application.evidence.get(criterion="diploma")
    application = answer(application=application, actor=admin, **kwargs)
    assert application.is_editable

    # The diploma of version 1 is replaced: removed from the portfolio, kept for version 1.
    services.evidence_remove(item=diploma, actor=teacher_user)
    diploma.refresh_from_db()
    assert diploma.removed_at is not None
    assert diploma.file.storage.exists(diploma.file.name)
    new_diploma = services.evidence_add(
        application=application,
        actor=teacher_user,
        file=pdf_upload("diploma-2.pdf"),
        criterion="diploma",
        title="Диплом (жаңа)",
    )
    application = services.application_submit(application=application, actor=teacher_user)

    assert application.status == S.SUBMITTED
    assert application.version == 2
    versions = {
        v.number: v.snapshot for v in ApplicationVersion.objects.filter(application=application)
    }
    ids = {n: {e["id"] for e in snapshot["evidence"]} for n, snapshot in versions.items()}
    assert diploma.pk in ids[1] and diploma.pk not in ids[2]
    assert new_diploma.pk in ids[2] and new_diploma.pk not in ids[1]
    new_diploma.refresh_from_db()
    assert (diploma.submitted_in, new_diploma.submitted_in) == (1, 2)
    reason = next(iter(kwargs.values()))
    assert [(e.to_status, e.comment, e.version) for e in application.events.order_by("pk")][2:] == [
        (status, reason, 1),
        (S.SUBMITTED, "", 2),
    ]


def test_an_unsubmitted_item_is_deleted_with_its_file(
    world, cycle, django_capture_on_commit_callbacks
):
    application = start(world, cycle)
    item = services.evidence_add(
        application=application,
        actor=world.users["teacher"],
        file=pdf_upload(),
        criterion="diploma",
        title="Диплом",
    )
    storage, name = item.file.storage, item.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_remove(item=item, actor=world.users["teacher"])
    assert not EvidenceItem.objects.filter(pk=item.pk).exists()
    assert not storage.exists(name)


@pytest.mark.parametrize(
    ("service", "kwargs", "status"),
    [
        (services.application_accept, {}, S.DRAFT),  # not submitted yet
        (services.application_refuse, {"reason": "no"}, S.DRAFT),
        (services.application_return, {"comment": "fix"}, S.DRAFT),
        (services.application_accept, {}, S.ACCEPTED),  # answered already
        (services.application_return, {"comment": "fix"}, S.ACCEPTED),
    ],
)
def test_illegal_answers_change_nothing(world, cycle, service, kwargs, status):
    application = submitted(world, cycle) if status == S.ACCEPTED else start(world, cycle)
    if status == S.ACCEPTED:
        application = services.application_accept(
            application=application, actor=world.users["school_admin"]
        )
    events = application.events.count()
    with pytest.raises(ValidationError):
        service(application=application, actor=world.users["school_admin"], **kwargs)
    application.refresh_from_db()
    assert application.status == status
    assert application.events.count() == events


def test_an_accepted_application_cannot_be_changed_or_resubmitted(world, cycle):
    application = services.application_accept(
        application=submitted(world, cycle), actor=world.users["school_admin"]
    )
    for call in (
        lambda: services.application_submit(application=application, actor=world.users["teacher"]),
        lambda: services.application_update(
            application=application, actor=world.users["teacher"], essay_text="x"
        ),
    ):
        with pytest.raises(ValidationError) as caught:
            call()
        assert caught.value.code == "not_editable"
    application.refresh_from_db()
    assert (application.status, application.version) == (S.ACCEPTED, 1)


@pytest.mark.parametrize("reason", ["", "   "])
def test_refusing_or_returning_needs_a_reason(world, cycle, reason):
    application = submitted(world, cycle)
    for service, name in (
        (services.application_refuse, "reason"),
        (services.application_return, "comment"),
    ):
        with pytest.raises(ValidationError):
            service(application=application, actor=world.users["school_admin"], **{name: reason})
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


@pytest.mark.parametrize("role", ["teacher", "commission_member", "hr_analyst", "no_role"])
def test_only_acceptors_in_scope_answer(world, cycle, role):
    application = submitted(world, cycle)
    with pytest.raises(PermissionDenied):
        services.application_accept(application=application, actor=world.users[role])


def test_an_incomplete_application_is_not_submitted(world, cycle):
    application = start(world, cycle)
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application=application, actor=world.users["teacher"])
    missing = " ".join(caught.value.messages)
    assert "Essay" in missing and "Diploma" in missing
    application.refresh_from_db()
    assert (application.status, application.version) == (S.DRAFT, 0)


# --- routing and the answer deadline ------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "claimed", "level", "routed_to_district"),
    [
        ("teacher", "moderator", Level.ORGANIZATION, False),
        ("moderator", "expert", Level.DISTRICT, True),
        ("expert", "researcher", Level.REGION, False),
        ("researcher", "master", Level.MINISTRY, False),
    ],
)
def test_routing_by_claimed_category(world, cycle, current, claimed, level, routed_to_district):
    teacher = TeacherFactory(organization=world.school_a, category=category(current))
    application = submitted(world, cycle, teacher=teacher, claimed=claimed)
    assert application.level == level
    expected = teacher.organization.district if routed_to_district else None
    assert application.routed_district == expected


@pytest.mark.parametrize(
    ("submitted_on", "working_days", "due"),
    [
        (dt.date(2025, 5, 14), 1, dt.date(2025, 5, 15)),  # Wednesday -> Thursday
        (dt.date(2025, 5, 16), 1, dt.date(2025, 5, 19)),  # Friday -> Monday
        (dt.date(2025, 5, 6), 1, dt.date(2025, 5, 8)),  # Defender of the Fatherland Day, 7 May
        (dt.date(2025, 5, 8), 1, dt.date(2025, 5, 12)),  # Victory Day (Fri 9 May), weekend
        (dt.date(2025, 3, 20), 1, dt.date(2025, 3, 26)),  # Nauryz, 21-25 March
        (dt.date(2025, 5, 16), 2, dt.date(2025, 5, 20)),  # the cycle's own number
    ],
)
def test_answer_due_after_working_days(world, cycle, monkeypatch, submitted_on, working_days, due):
    monkeypatch.setattr(services.timezone, "localdate", lambda *args, **kwargs: submitted_on)
    AttestationCycle.objects.filter(pk=cycle.pk).update(
        application_opens=submitted_on - dt.timedelta(days=5),
        application_closes=submitted_on + dt.timedelta(days=30),
        acceptance_working_days=working_days,
    )
    cycle.refresh_from_db()
    application = submitted(world, cycle)
    assert application.accept_due_on == due


def test_one_application_per_cycle(world, cycle):
    start(world, cycle)
    with pytest.raises(ValidationError) as caught:
        start(world, cycle, claimed="moderator")
    assert caught.value.code == "duplicate"
    assert Application.objects.filter(teacher=world.teacher_a).count() == 1


def test_no_application_outside_the_window(world, cycle):
    AttestationCycle.objects.filter(pk=cycle.pk).update(
        application_closes=timezone.localdate() - dt.timedelta(days=1)
    )
    cycle.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        start(world, cycle)
    assert caught.value.code == "window"


# --- portfolio files -----------------------------------------------------------------------


def _zip(names) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


DOCX = _zip(["[Content_Types].xml", "word/document.xml"])


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("scan.pdf", b"%PDF-1.7\n%%EOF\n", "pdf"),
        ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 16, "png"),  # typed by content, not name
        ("essay.bin", DOCX, "docx"),
        ("scan.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 16, "jpeg"),
    ],
)
def test_evidence_is_typed_by_content(world, cycle, name, content, kind):
    item = services.evidence_add(
        application=start(world, cycle),
        actor=world.users["teacher"],
        file=SimpleUploadedFile(name, content),
        criterion="other",
        title="Файл",
    )
    assert item.file_type == kind
    assert item.original_name == name
    assert name not in item.file.name  # stored under a random name


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("scan.pdf", b"MZ\x90\x00\x03" + b"\0" * 64, "file_type"),  # a program renamed
        ("scan.pdf", b"", "empty"),
        ("essay.docx", _zip(["notes.txt"]), "file_type"),  # a zip that is no document
        ("page.pdf", b"<html><body>scan</body></html>", "file_type"),
    ],
)
def test_evidence_files_that_are_not_what_they_say_are_refused(world, cycle, name, content, code):
    application = start(world, cycle)
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(
            application=application,
            actor=world.users["teacher"],
            file=SimpleUploadedFile(name, content),
            criterion="diploma",
            title="Диплом",
        )
    assert caught.value.code == code
    assert not application.evidence.exists()


def test_too_large_evidence_is_refused(world, cycle, settings):
    settings.PORTFOLIO_MAX_BYTES = 2**20
    application = start(world, cycle)
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * 2**20)
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(
            application=application,
            actor=world.users["teacher"],
            file=big,
            criterion="diploma",
            title="Диплом",
        )
    assert caught.value.code == "too_large"
    assert not application.evidence.exists()


# --- lesson observations ---------------------------------------------------------------------


def scores(cycle, value=2, **overrides):
    result = dict.fromkeys(cycle.observation_criteria.values_list("code", flat=True), value)
    result.update(overrides)
    return result


def observe(world, cycle, *, actor, teacher, sheet=None, **fields):
    fields.setdefault("observed_on", timezone.localdate())
    fields.setdefault("topic", "Бөлшектерді қосу")
    return services.observation_create(
        actor=world.users[actor] if isinstance(actor, str) else actor,
        cycle=cycle,
        teacher=teacher,
        scores=scores(cycle) if sheet is None else sheet,
        **fields,
    )


@pytest.mark.parametrize(
    ("actor", "teacher", "commission"),
    [
        ("school_admin", "teacher_a", False),
        ("methodologist", "teacher_b", False),
        ("commission_member", "teacher_b", True),
    ],
)
def test_observers_record_sheets_for_teachers_in_scope(world, cycle, actor, teacher, commission):
    observation = observe(world, cycle, actor=actor, teacher=getattr(world, teacher))
    assert observation.observer == world.users[actor]
    assert observation.observer_is_commission_member is commission
    assert observation.total == 2 * cycle.observation_criteria.count()
    assert list(observation.scores) == list(
        cycle.observation_criteria.values_list("code", flat=True)
    )


SHEETS = {
    "a criterion missing": lambda cycle: {"goals": 2},
    "above 3": lambda cycle: scores(cycle, goals=4),
    "below 0": lambda cycle: scores(cycle, goals=-1),
    "text": lambda cycle: scores(cycle, goals="2"),
    "a boolean": lambda cycle: scores(cycle, goals=True),
    "an unknown criterion": lambda cycle: scores(cycle, extra=1),
}


@pytest.mark.parametrize("sheet", SHEETS)
def test_every_criterion_scored_0_to_3(world, cycle, sheet):
    with pytest.raises(ValidationError) as caught:
        observe(
            world, cycle, actor="school_admin", teacher=world.teacher_a, sheet=SHEETS[sheet](cycle)
        )
    assert "scores" in caught.value.message_dict
    assert not LessonObservation.objects.exists()


@pytest.mark.parametrize(
    ("actor", "teacher"),
    [
        ("hr_analyst", "teacher_a"),  # reads the registry, does not observe
        ("region_admin", "teacher_a"),
        ("teacher", "teacher_b"),
        ("no_role", "teacher_a"),
        ("school_admin", "teacher_b"),  # another school
        ("commission_member", "teacher_c"),  # another district
        ("methodologist", "teacher_c"),
    ],
)
def test_observer_role_and_scope(world, cycle, actor, teacher):
    with pytest.raises(PermissionDenied):
        observe(world, cycle, actor=actor, teacher=getattr(world, teacher))
    assert not LessonObservation.objects.exists()


def test_a_teacher_cannot_observe_themself(world, cycle):
    admin = world.users["school_admin"]
    own = TeacherFactory(organization=world.school_a, user=admin)
    with pytest.raises(PermissionDenied):
        observe(world, cycle, actor=admin, teacher=own)


def test_an_observed_lesson_is_not_in_the_future(world, cycle):
    with pytest.raises(ValidationError) as caught:
        observe(
            world,
            cycle,
            actor="school_admin",
            teacher=world.teacher_a,
            observed_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert "observed_on" in caught.value.message_dict


def test_an_observation_needs_a_topic(world, cycle):
    with pytest.raises(ValidationError) as caught:
        observe(world, cycle, actor="school_admin", teacher=world.teacher_a, topic="")
    assert "topic" in caught.value.message_dict


# --- test results ----------------------------------------------------------------------------


def add_result(world, *, actor="school_admin", teacher=None, **fields):
    values = {
        "taken_on": timezone.localdate() - dt.timedelta(days=3),
        "language": InstructionLanguage.objects.get(code="ru"),
        "score": Decimal("42.5"),
        "max_score": Decimal("50"),
        "certificate_number": "OZP-2026-000001",
    }
    values.update(fields)
    return services.test_result_create(
        actor=world.users[actor], teacher=teacher or world.teacher_a, **values
    )


def test_staff_enter_a_result(world):
    result = add_result(world)
    assert (result.source, result.created_by) == (
        TestResult.Source.MANUAL,
        world.users["school_admin"],
    )
    assert result.percent == Decimal("85.00")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"taken_on": dt.date.today() + dt.timedelta(days=2)}, "taken_on"),
        ({"score": Decimal("51")}, None),
        ({"max_score": Decimal("0"), "score": Decimal("0")}, "max_score"),
        ({"score": Decimal("-1")}, "score"),
        ({"certificate_number": ""}, "certificate_number"),
    ],
)
def test_result_values_are_checked(world, fields, field):
    with pytest.raises(ValidationError) as caught:
        add_result(world, **fields)
    if field:
        assert field in caught.value.message_dict
    assert not TestResult.objects.exists()


def test_a_certificate_number_is_recorded_once(world):
    add_result(world)
    with pytest.raises(ValidationError) as caught:
        add_result(world, teacher=world.teacher_a)
    assert "certificate_number" in caught.value.message_dict
    assert TestResult.objects.count() == 1


@pytest.mark.parametrize(
    ("actor", "teacher", "allowed"),
    [
        ("school_admin", "teacher_a", True),
        ("school_admin", "teacher_b", False),
        ("methodologist", "teacher_b", True),
        ("methodologist", "teacher_c", False),
        ("region_admin", "teacher_c", True),
        ("commission_member", "teacher_a", False),  # reads, does not write
        ("hr_analyst", "teacher_a", False),
        ("teacher", "teacher_a", False),  # not even their own
    ],
)
def test_results_are_entered_in_the_write_scope(world, actor, teacher, allowed):
    call = lambda: add_result(world, actor=actor, teacher=getattr(world, teacher))  # noqa: E731
    if allowed:
        call()
    else:
        with pytest.raises(PermissionDenied):
            call()
    assert TestResult.objects.exists() is allowed


# --- cycles ----------------------------------------------------------------------------------


def test_a_new_cycle_has_the_default_rules_and_sheet(world, cycle):
    rules = {r.category.code: r for r in cycle.rules.select_related("category")}
    assert len(rules) == 10
    assert (rules["expert"].test_pass_percent, rules["expert"].level) == (70, Level.DISTRICT)
    assert {c.code for c in rules["master"].from_categories.all()} == {
        "researcher",
        "highest",
        "master",
    }
    assert cycle.observation_criteria.count() == 6


C = AttestationCycle.Status


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        (C.DRAFT, C.OPEN, True),
        (C.OPEN, C.CLOSED, True),
        (C.CLOSED, C.OPEN, True),
        (C.DRAFT, C.CLOSED, False),
        (C.DRAFT, C.DRAFT, False),
        (C.OPEN, C.OPEN, False),
        (C.OPEN, C.DRAFT, False),
        (C.CLOSED, C.CLOSED, False),
        (C.CLOSED, C.DRAFT, False),
    ],
)
def test_cycle_status_transitions(world, cycle, old, new, allowed):
    AttestationCycle.objects.filter(pk=cycle.pk).update(status=old)
    admin = world.users["region_admin"]
    if allowed:
        assert services.cycle_set_status(cycle=cycle, actor=admin, status=new).status == new
    else:
        with pytest.raises(ValidationError):
            services.cycle_set_status(cycle=cycle, actor=admin, status=new)
        cycle.refresh_from_db()
        assert cycle.status == old


def test_one_open_cycle_per_region(world, cycle):
    other = new_cycle(world, school_year="2027-2028")
    with pytest.raises(ValidationError):
        services.cycle_set_status(cycle=other, actor=world.users["region_admin"], status="open")
    other.refresh_from_db()
    assert other.status == C.DRAFT


def new_cycle(world, **fields):
    today = timezone.localdate()
    values = {
        "school_year": "2030-2031",
        "application_opens": today,
        "application_closes": today + dt.timedelta(days=30),
        "review_starts": today + dt.timedelta(days=60),
        "review_ends": today + dt.timedelta(days=200),
        "essay_topic_kk": "Тақырып",
        "essay_topic_ru": "Тема",
    }
    values.update(fields)
    return services.cycle_create(actor=world.users["region_admin"], region=world.region, **values)


@pytest.mark.parametrize("role", ["methodologist", "school_admin", "hr_analyst", "teacher"])
def test_only_regional_administrators_manage_cycles(world, cycle, role):
    actor = world.users[role]
    with pytest.raises(PermissionDenied):
        services.cycle_create(actor=actor, region=world.region, school_year="2031-2032")
    with pytest.raises(PermissionDenied):
        services.cycle_set_status(cycle=cycle, actor=actor, status="closed")
    with pytest.raises(PermissionDenied):
        services.cycle_update(cycle=cycle, actor=actor, min_observations=4)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (
            {"application_closes": dt.date(2030, 1, 1), "application_opens": dt.date(2030, 2, 1)},
            "application_closes",
        ),
        ({"review_starts": dt.date(2031, 2, 1), "review_ends": dt.date(2031, 1, 1)}, "review_ends"),
        ({"essay_min_words": 300, "essay_max_words": 250}, "essay_max_words"),
        ({"school_year": "2026-2027"}, "__all__"),  # the fixture's year
    ],
)
def test_cycle_dates_and_numbers_are_checked_in_plain_words(world, cycle, fields, field):
    with pytest.raises(ValidationError) as caught:
        new_cycle(world, **fields)
    assert field in caught.value.message_dict
    assert "Constraint" not in " ".join(caught.value.messages)
    assert AttestationCycle.objects.count() == 1


def _rule(cycle, code):
    return CategoryRule.objects.get(cycle=cycle, category__code=code)


def test_cycle_update_changes_fields_and_rules_together(world, cycle):
    expert, moderator = _rule(cycle, "expert"), _rule(cycle, "moderator")
    services.cycle_update(
        cycle=cycle,
        actor=world.users["region_admin"],
        min_observations=4,
        essay_topic_ru="Новая тема",
        rules={
            expert.pk: {"test_pass_percent": 75, "from_categories": [category("moderator")]},
            moderator.pk: {"pd_hours_school": 80, "portfolio_points": 70},
        },
    )
    cycle.refresh_from_db()
    assert (cycle.min_observations, cycle.essay_topic_ru) == (4, "Новая тема")
    expert.refresh_from_db()
    moderator.refresh_from_db()
    assert expert.test_pass_percent == 75
    assert [c.code for c in expert.from_categories.all()] == ["moderator"]
    assert (moderator.pd_hours_school, moderator.portfolio_points) == (80, 70)


@pytest.mark.parametrize(
    ("code", "values", "message"),
    [
        ("expert", {"test_pass_percent": 101}, "test pass mark"),
        ("expert", {"from_categories": ["head-3"]}, "another ladder"),
        ("moderator", {"from_categories": ["expert"]}, "higher category"),
        ("head-2", {"from_categories": ["second"]}, "another ladder"),
        ("expert", {"level": "planet"}, "commission level"),
    ],
)
def test_cycle_update_is_all_or_nothing(world, cycle, code, values, message):
    values = dict(values)
    if "from_categories" in values:
        values["from_categories"] = [category(c) for c in values["from_categories"]]
    moderator = _rule(cycle, "moderator")
    rules = {moderator.pk: {"pd_hours_school": 10}}  # a good change that must not be kept
    rules.setdefault(_rule(cycle, code).pk, {}).update(values)
    with pytest.raises(ValidationError) as caught:
        services.cycle_update(
            cycle=cycle, actor=world.users["region_admin"], min_observations=3, rules=rules
        )
    errors = caught.value.message_dict["rules"]
    assert any(message in error.lower() and category(code).name in error for error in errors)
    cycle.refresh_from_db()
    moderator.refresh_from_db()
    assert (cycle.min_observations, moderator.pd_hours_school) == (5, 72)


def test_a_closed_cycle_is_not_changed(world, cycle):
    services.cycle_set_status(cycle=cycle, actor=world.users["region_admin"], status="closed")
    with pytest.raises(ValidationError) as caught:
        services.cycle_update(cycle=cycle, actor=world.users["region_admin"], min_observations=3)
    assert caught.value.code == "closed"
    cycle.refresh_from_db()
    assert cycle.min_observations == 5


def test_cycle_update_takes_only_its_fields(world, cycle):
    with pytest.raises(TypeError):
        services.cycle_update(cycle=cycle, actor=world.users["region_admin"], status="closed")
    with pytest.raises(TypeError):
        services.cycle_update(
            cycle=cycle,
            actor=world.users["region_admin"],
            rules={_rule(cycle, "expert").pk: {"category": category("master")}},
        )
