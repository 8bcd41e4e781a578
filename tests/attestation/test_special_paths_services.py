"""The special paths through their services: a category without attestation per ground,
pre-pension, freezing and the return, and the sanctions, each with its record row and the
teacher's history; a falsified portfolio also closes the application and bars a new one."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from apps.attestation import eligibility, services
from apps.attestation.models import Application, CategoryFreeze, CategoryGrant, Sanction
from apps.attestation.services import special
from apps.core.dates import add_years, short_date
from apps.teachers.models import Position, QualificationCategory
from tests.factories import TeacherFactory, next_iin

from .conftest import accepted_application, credit_pd_hours, make_complete

pytestmark = pytest.mark.usefixtures("private_storage")

G = CategoryGrant.Ground
S = Application.Status


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def today():
    return timezone.localdate()


def category(code):
    return QualificationCategory.objects.get(code=code) if code else None


def teacher_of(world, *, position="teacher", current=None, awarded=None, until=None, **fields):
    awarded = awarded or (today() - relativedelta(years=1) if current else None)
    until = until or (add_years(awarded, 5) if current else None)
    return TeacherFactory(
        organization=world.school_a,
        position=Position.objects.get(code=position),
        category=category(current),
        category_awarded_on=awarded,
        category_valid_until=until,
        **fields,
    )


def last_reason(teacher):
    return teacher.history.order_by("-history_id").first().history_change_reason


# --- without attestation ------------------------------------------------------------------------


@pytest.mark.parametrize("current", [None, "intern", "teacher"])
@pytest.mark.parametrize("ground", [G.ACADEMIC_DEGREE, G.LISTED_GRADUATE, G.TEACHING_CERTIFICATE])
def test_a_listed_ground_gives_moderator(world, cycle, ground, current):
    teacher = teacher_of(world, current=current)
    before = teacher.category_valid_until
    awarded = today() - dt.timedelta(days=3)
    grant = special.category_grant_without_attestation(
        teacher=teacher,
        ground=ground,
        category=category("moderator"),
        awarded_on=awarded,
        actor=world.users["methodologist"],
        document="PhD дипломы № 123",
    )
    teacher.refresh_from_db()
    assert (teacher.category.code, teacher.category_awarded_on) == ("moderator", awarded)
    assert teacher.category_valid_until == add_years(awarded, 5)
    assert (grant.previous_category, grant.previous_valid_until) == (category(current), before)
    assert (grant.valid_until, grant.created_by) == (
        add_years(awarded, 5),
        world.users["methodologist"],
    )
    assert last_reason(teacher) == "PhD дипломы № 123"


@pytest.mark.parametrize(
    ("position", "current", "claimed", "message"),
    [
        ("teacher", "moderator", "moderator", "already has"),
        ("teacher", "expert", "moderator", "already has"),
        ("teacher", "second", "moderator", "already has"),  # a legacy category
        ("teacher", None, "expert", "moderator category only"),
        ("director", None, "moderator", "not to heads"),
    ],
)
def test_a_listed_ground_is_refused_where_it_gives_nothing(
    world, cycle, position, current, claimed, message
):
    teacher = teacher_of(world, position=position, current=current)
    with pytest.raises(ValidationError, match=message) as refused:
        special.category_grant_without_attestation(
            teacher=teacher,
            ground=G.ACADEMIC_DEGREE,
            category=category(claimed),
            awarded_on=today(),
            actor=world.users["region_admin"],
            document="Диплом",
        )
    assert "ground" in refused.value.message_dict
    assert not CategoryGrant.objects.exists()


@pytest.mark.parametrize(
    ("position", "code", "years"), [("director", "head-1", 3), ("deputy-director", "deputy-1", 5)]
)
def test_an_appointed_reservist_gets_the_first_category_of_the_post(
    world, cycle, position, code, years
):
    teacher = teacher_of(world, position=position, current="moderator")
    grant = special.category_grant_without_attestation(
        teacher=teacher,
        ground=G.LEADERS_RESERVIST,
        category=category(code),
        awarded_on=today(),
        actor=world.users["region_admin"],
        document="Бұйрық № 15-к",
    )
    teacher.refresh_from_db()
    assert teacher.category.code == code
    assert teacher.category_valid_until == add_years(today(), years)
    assert grant.previous_category == category("moderator")


@pytest.mark.parametrize(
    ("position", "code", "message"),
    [
        ("teacher", "head-1", "once appointed"),
        ("director", "deputy-1", "gets the category"),
    ],
)
def test_a_reservist_grant_follows_the_post(world, cycle, position, code, message):
    teacher = teacher_of(world, position=position)
    with pytest.raises(ValidationError, match=message):
        special.category_grant_without_attestation(
            teacher=teacher,
            ground=G.LEADERS_RESERVIST,
            category=category(code),
            awarded_on=today(),
            actor=world.users["region_admin"],
            document="Бұйрық",
        )


def test_a_grant_needs_the_document_a_past_date_and_the_permission(world, cycle):
    teacher = teacher_of(world)
    arguments = {
        "teacher": teacher,
        "ground": G.ACADEMIC_DEGREE,
        "category": category("moderator"),
        "awarded_on": today(),
    }
    with pytest.raises(ValidationError) as refused:
        special.category_grant_without_attestation(
            **arguments, actor=world.users["region_admin"], document=" "
        )
    assert "document" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        special.category_grant_without_attestation(
            **arguments | {"awarded_on": today() + dt.timedelta(days=1)},
            actor=world.users["region_admin"],
            document="Диплом",
        )
    assert "awarded_on" in refused.value.message_dict
    for role in ("school_admin", "commission_member", "hr_analyst", "teacher"):
        with pytest.raises(PermissionDenied):
            special.category_grant_without_attestation(
                **arguments, actor=world.users[role], document="Диплом"
            )
    assert not CategoryGrant.objects.exists()


# --- pre-pension --------------------------------------------------------------------------------


def near_pension(world, *, years_left, valid_for=1):
    """A woman (pension at 61 by default) `years_left` years from her pension."""
    birth = add_years(today(), -61 + years_left)
    return teacher_of(
        world,
        current="expert",
        awarded=today() - relativedelta(years=4),
        until=today() + relativedelta(years=valid_for),
        birth_date=birth,
        sex="F",
        iin=next_iin(birth, "F"),
    )


def test_pre_pension_keeps_the_category_until_the_pension(world, cycle):
    teacher = near_pension(world, years_left=3)
    before = teacher.category_valid_until
    grant = special.category_pre_pension_keep(teacher=teacher, actor=world.users["methodologist"])
    teacher.refresh_from_db()
    pension = eligibility.pension_date(teacher=teacher, cycle=cycle)
    assert teacher.category_valid_until == pension == grant.valid_until
    assert (grant.ground, grant.category.code, grant.previous_valid_until) == (
        G.PRE_PENSION,
        "expert",
        before,
    )
    assert "pension" in last_reason(teacher)


@pytest.mark.parametrize(
    ("years_left", "valid_for", "message"),
    [
        (5, 1, "within 4 years"),  # outside the window
        (3, 4, "already valid until the pension"),
    ],
)
def test_pre_pension_is_refused_outside_the_window(world, cycle, years_left, valid_for, message):
    teacher = near_pension(world, years_left=years_left, valid_for=valid_for)
    with pytest.raises(ValidationError, match=message):
        special.category_pre_pension_keep(teacher=teacher, actor=world.users["methodologist"])
    assert not CategoryGrant.objects.exists()


def test_pre_pension_does_not_revive_a_category_expired_before_the_window(world, cycle):
    teacher = near_pension(world, years_left=2)
    teacher.category_valid_until = today() - relativedelta(years=3)
    teacher.category_awarded_on = today() - relativedelta(years=8)
    teacher.save()
    with pytest.raises(ValidationError, match="before the pre-pension years"):
        special.category_pre_pension_keep(teacher=teacher, actor=world.users["methodologist"])


# --- frozen categories --------------------------------------------------------------------------


def test_freeze_and_return_extend_the_validity(world, cycle):
    teacher = teacher_of(
        world,
        current="expert",
        awarded=today() - relativedelta(years=4),
        until=today() + relativedelta(months=6),
    )
    staff = world.users["school_admin"]
    freeze = special.category_freeze_start(
        teacher=teacher,
        reason=CategoryFreeze.Reason.CHILD_CARE,
        starts_on=today() - relativedelta(years=2),
        actor=staff,
    )
    assert (freeze.category.code, freeze.returned_on, freeze.created_by) == ("expert", None, staff)
    with pytest.raises(ValidationError, match="already frozen"):
        special.category_freeze_start(
            teacher=teacher, reason=CategoryFreeze.Reason.ILLNESS, starts_on=today(), actor=staff
        )

    returned = today() - dt.timedelta(days=10)
    freeze = special.category_freeze_end(freeze=freeze, returned_on=returned, actor=staff)
    teacher.refresh_from_db()
    assert freeze.kept_until == add_years(returned, cycle.freeze_kept_years)
    assert teacher.category_valid_until == freeze.kept_until
    assert "kept until" in last_reason(teacher)
    with pytest.raises(ValidationError, match="already recorded"):
        special.category_freeze_end(freeze=freeze, returned_on=returned, actor=staff)
    # The eligibility checklist reads the date the service recorded.
    checks = eligibility.checklist(
        cycle=cycle, teacher=teacher, claimed=category("researcher"), today=today()
    )
    assert any(c.code == "frozen" for c in checks)


def test_the_return_keeps_a_later_validity_and_uses_the_cycles_years(world, cycle):
    cycle.freeze_kept_years = 1
    cycle.save()
    until = today() + relativedelta(years=3)
    teacher = teacher_of(world, current="expert", until=until)
    staff = world.users["school_admin"]
    freeze = special.category_freeze_start(
        teacher=teacher, reason=CategoryFreeze.Reason.MILITARY, starts_on=today(), actor=staff
    )
    freeze = special.category_freeze_end(freeze=freeze, returned_on=today(), actor=staff)
    teacher.refresh_from_db()
    assert freeze.kept_until == add_years(today(), 1)
    assert teacher.category_valid_until == until


def test_freezing_needs_a_category_the_permission_and_a_sensible_return(world, cycle):
    staff = world.users["school_admin"]
    with pytest.raises(ValidationError, match="no category"):
        special.category_freeze_start(
            teacher=teacher_of(world), reason="illness", starts_on=today(), actor=staff
        )
    teacher = teacher_of(world, current="moderator")
    for role in ("commission_member", "hr_analyst", "teacher"):
        with pytest.raises(PermissionDenied):
            special.category_freeze_start(
                teacher=teacher, reason="illness", starts_on=today(), actor=world.users[role]
            )
    freeze = special.category_freeze_start(
        teacher=teacher, reason="illness", starts_on=today() - dt.timedelta(days=5), actor=staff
    )
    with pytest.raises(ValidationError) as refused:
        special.category_freeze_end(
            freeze=freeze, returned_on=today() - dt.timedelta(days=6), actor=staff
        )
    assert "returned_on" in refused.value.message_dict


# --- sanctions ----------------------------------------------------------------------------------


def test_a_falsified_portfolio_drops_the_category_bars_and_disqualifies(world, cycle):
    teacher = world.teacher_a
    application = accepted_application(world, cycle, teacher, claimed="expert")
    officer = world.users["methodologist"]
    before = teacher.category_valid_until

    sanction = special.sanction_impose(
        teacher=teacher,
        kind=Sanction.Kind.FALSIFIED,
        reason="Сертификат жалған",
        actor=officer,
        application=application,
    )

    teacher.refresh_from_db()
    application.refresh_from_db()
    assert teacher.category.code == "teacher"
    assert teacher.category_valid_until is None
    assert sanction.barred_until == add_years(today(), 5)
    assert (sanction.category_before.code, sanction.category_after.code) == ("moderator", "teacher")
    assert (sanction.valid_until_before, sanction.valid_until_after) == (before, None)
    assert application.status == S.DISQUALIFIED
    assert "Сертификат жалған" in application.events.last().comment
    assert "Сертификат жалған" in last_reason(teacher)

    # A new application is blocked by eligibility while the bar lasts.
    checks = {
        c.code: c
        for c in eligibility.checklist(
            cycle=cycle, teacher=teacher, claimed=category("moderator"), today=today()
        )
    }
    assert checks["sanction"].blocking
    assert short_date(add_years(today(), 5)) in checks["sanction"].detail


def test_the_bar_blocks_submitting_a_new_application(world, cycle):
    teacher = world.teacher_b
    special.sanction_impose(
        teacher=teacher, kind="falsified", reason="Жалған", actor=world.users["region_admin"]
    )
    teacher.refresh_from_db()
    actor = world.users["superuser"]
    application = services.application_start(
        cycle=cycle, teacher=teacher, claimed_category=category("moderator"), actor=actor
    )
    credit_pd_hours(teacher)
    application = make_complete(application, actor=actor)
    with pytest.raises(ValidationError, match="Barred from attestation until"):
        services.application_submit(application=application, actor=actor)
    # Once the bar has passed, it no longer blocks.
    Sanction.objects.filter(teacher=teacher).update(barred_until=today())
    codes = {c.code for c in services.application_checklist(application=application)}
    assert "sanction" not in codes


def test_a_head_is_barred_for_fewer_years(world, cycle):
    teacher = teacher_of(world, position="director", current="head-2")
    sanction = special.sanction_impose(
        teacher=teacher, kind="falsified", reason="Жалған", actor=world.users["region_admin"]
    )
    teacher.refresh_from_db()
    assert sanction.barred_until == add_years(today(), 3)
    assert teacher.category.code == "teacher"


def test_a_decided_application_cannot_be_disqualified(world, cycle):
    application = accepted_application(world, cycle, world.teacher_a, claimed="expert")
    services._transition(application, S.DECIDED, actor=None)
    with pytest.raises(ValidationError) as refused:
        special.sanction_impose(
            teacher=world.teacher_a,
            kind="falsified",
            reason="Жалған",
            actor=world.users["region_admin"],
            application=application,
        )
    assert "application" in refused.value.message_dict
    assert not Sanction.objects.exists()
    world.teacher_a.refresh_from_db()
    assert world.teacher_a.category.code == "moderator"


@pytest.mark.parametrize(
    ("kind", "current", "lowered"),
    [
        ("late_application", "moderator", "teacher"),
        ("test_breach", "expert", "moderator"),
        ("late_application", "head-2", "head-3"),
        ("test_breach", "highest", "first"),  # legacy categories step down among themselves
        ("late_application", "second", "teacher"),  # the lowest legacy one: to "teacher"
    ],
)
def test_a_late_application_or_a_test_breach_lowers_one_step_for_a_year(
    world, cycle, kind, current, lowered
):
    position = "director" if current.startswith("head") else "teacher"
    teacher = teacher_of(world, position=position, current=current)
    sanction = special.sanction_impose(
        teacher=teacher, kind=kind, reason="Мерзімі өтті", actor=world.users["region_admin"]
    )
    teacher.refresh_from_db()
    assert teacher.category.code == lowered
    assert teacher.category_awarded_on == today()
    assert teacher.category_valid_until == add_years(today(), 1) == sanction.valid_until_after
    assert (sanction.category_before.code, sanction.barred_until) == (current, None)


def test_a_sanction_needs_something_to_lower_a_reason_and_the_permission(world, cycle):
    officer = world.users["region_admin"]
    with pytest.raises(ValidationError, match="lowest on its ladder"):
        special.sanction_impose(
            teacher=teacher_of(world, current="intern"),
            kind="test_breach",
            reason="Бұзу",
            actor=officer,
        )
    with pytest.raises(ValidationError, match="no category"):
        special.sanction_impose(
            teacher=teacher_of(world), kind="test_breach", reason="Бұзу", actor=officer
        )
    teacher = teacher_of(world, current="moderator")
    with pytest.raises(ValidationError) as refused:
        special.sanction_impose(teacher=teacher, kind="test_breach", reason=" ", actor=officer)
    assert "reason" in refused.value.message_dict
    for role in ("school_admin", "commission_member", "hr_analyst", "teacher"):
        with pytest.raises(PermissionDenied):
            special.sanction_impose(
                teacher=teacher, kind="test_breach", reason="Бұзу", actor=world.users[role]
            )
    assert not Sanction.objects.exists()
