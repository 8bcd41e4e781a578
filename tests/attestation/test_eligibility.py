"""The eligibility checklist, rule by rule of DOMAIN.md ("Attestation"), each at its boundary.

Every number comes from the cycle's default rules (apps/attestation/defaults.py), so these
tables are also the record of what the defaults say."""

import datetime as dt
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone, translation

from apps.attestation import eligibility, services
from apps.attestation.eligibility import INFO, MISSING, OK
from apps.attestation.models import AttestationCycle, CategoryFreeze, TestResult
from apps.organizations.models import InstructionLanguage
from apps.teachers.models import Position, QualificationCategory
from tests.factories import TeacherFactory

from .conftest import credit_pd_hours, pdf_upload

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def english():
    """The details asserted are the English source texts, whatever the catalogues hold."""
    with translation.override("en"):
        yield


def today():
    return timezone.localdate()


def category(code):
    return QualificationCategory.objects.get(code=code) if code else None


def make_teacher(world, *, position="teacher", current="moderator", years=10, **fields):
    """A teacher of school A with `years` of experience to the day."""
    fields.setdefault("experience_start", today() - relativedelta(years=years))
    return TeacherFactory(
        organization=world.school_a,
        position=Position.objects.get(code=position),
        category=category(current),
        **fields,
    )


def checks(cycle, teacher, claimed, *, application=None, on=None):
    result = eligibility.checklist(
        cycle=cycle,
        teacher=teacher,
        claimed=category(claimed),
        application=application,
        today=on or today(),
    )
    return {check.code: check for check in result}


def test_result(teacher, percent, *, taken_on=None):
    return TestResult.objects.create(
        teacher=teacher,
        taken_on=taken_on or today() - dt.timedelta(days=10),
        language=InstructionLanguage.objects.get(code="kk"),
        score=Decimal(percent),
        max_score=Decimal(100),
        certificate_number=f"OZP-{teacher.pk}-{percent}-{taken_on}",
        source=TestResult.Source.MANUAL,
    )


test_result.__test__ = False


def application_for(cycle, teacher, claimed, world, **fields):
    actor = world.users["superuser"]
    application = services.application_start(
        cycle=cycle, teacher=teacher, claimed_category=category(claimed), actor=actor
    )
    if fields:
        application = services.application_update(application=application, actor=actor, **fields)
    return application


# --- the ladder ------------------------------------------------------------------------------

LADDER = [
    # position, current category, the categories that may be claimed
    ("teacher", None, {"moderator"}),
    ("teacher", "intern", set()),
    ("teacher", "teacher", {"moderator"}),
    ("teacher", "moderator", {"moderator", "expert"}),
    ("teacher", "expert", {"expert", "researcher"}),
    ("teacher", "researcher", {"researcher", "master"}),
    ("teacher", "master", {"master"}),
    ("teacher", "second", {"moderator", "expert"}),
    ("teacher", "first", {"expert", "researcher"}),
    ("teacher", "highest", {"expert", "researcher", "master"}),
    ("director", None, {"head-3"}),
    ("director", "head-3", {"head-3", "head-2"}),
    ("director", "head-2", {"head-2", "head-1"}),
    ("director", "head-1", {"head-1"}),
    ("deputy-director", None, {"deputy-3"}),
    ("deputy-director", "deputy-3", {"deputy-3", "deputy-2"}),
    ("deputy-director", "deputy-2", {"deputy-2", "deputy-1"}),
    ("deputy-director", "deputy-1", {"deputy-1"}),
]


@pytest.mark.parametrize(("position", "current", "allowed"), LADDER)
def test_ladder_allows_the_next_rung_and_confirming(world, cycle, position, current, allowed):
    teacher = make_teacher(world, position=position, current=current)
    rules = eligibility.claimable_rules(cycle=cycle, teacher=teacher)
    assert {rule.category.code for rule in rules} == allowed
    for code in allowed:
        assert checks(cycle, teacher, code)["ladder"].status == OK


@pytest.mark.parametrize(
    ("position", "current", "claimed", "offered"),
    [
        ("teacher", "moderator", "researcher", ["moderator", "expert"]),  # a rung at a time
        ("teacher", "teacher", "expert", ["moderator"]),
        ("teacher", "master", "researcher", ["master"]),  # never down
        ("teacher", "intern", "moderator", []),  # an intern becomes a teacher by order
        ("director", None, "moderator", ["head-3"]),  # a head climbs the heads' ladder
        ("teacher", None, "head-3", ["moderator"]),
    ],
)
def test_ladder_refuses_other_claims_and_says_what_is_allowed(
    world, cycle, position, current, claimed, offered
):
    teacher = make_teacher(world, position=position, current=current)
    result = checks(cycle, teacher, claimed)
    assert result["ladder"].status == MISSING
    for code in offered:
        assert category(code).name in result["ladder"].detail
    if not offered:
        assert "no category can be claimed" in result["ladder"].detail
    # Without a rule for the claim, nothing else is checked.
    assert set(result) == {"window", "ladder"}


def test_confirming_says_so(world, cycle):
    teacher = make_teacher(world, current="expert")
    assert "Confirming" in checks(cycle, teacher, "expert")["ladder"].detail


# --- experience ------------------------------------------------------------------------------

EXPERIENCE = [
    ("moderator", "teacher", 2),
    ("expert", "moderator", 3),
    ("researcher", "expert", 4),
    ("master", "researcher", 5),
]


@pytest.mark.parametrize(("claimed", "current", "years"), EXPERIENCE)
@pytest.mark.parametrize(("days_short", "status"), [(0, OK), (1, MISSING)])
def test_experience_minimum_per_category(world, cycle, claimed, current, years, days_short, status):
    start = today() - relativedelta(years=years) + dt.timedelta(days=days_short)
    teacher = make_teacher(world, current=current, experience_start=start)
    assert checks(cycle, teacher, claimed)["experience"].status == status


def test_unknown_experience_is_missing(world, cycle):
    teacher = make_teacher(world, current="teacher", experience_start=None)
    check = checks(cycle, teacher, "moderator")["experience"]
    assert check.status == MISSING
    assert "missing from your record" in check.detail


# --- PD hours ------------------------------------------------------------------------------

SCHOOL = {"moderator": 72, "expert": 72, "researcher": 80, "master": 108}
OTHER = {"moderator": 36, "expert": 36, "researcher": 72, "master": 80}
FROM = {
    "moderator": "teacher",
    "expert": "moderator",
    "researcher": "expert",
    "master": "researcher",
}
PD_HOURS = [
    (position, claimed, FROM[claimed], table[claimed])
    for position, table in (
        ("teacher", SCHOOL),  # school staff group
        ("educator", OTHER),  # preschool
        ("additional-teacher", OTHER),
        ("defectologist", OTHER),  # special education
        ("methodologist", OTHER),
    )
    for claimed in SCHOOL
] + [("director", "head-2", "head-3", 72), ("deputy-director", "deputy-1", "deputy-2", 72)]


@pytest.mark.parametrize(("position", "claimed", "current", "needed"), PD_HOURS)
@pytest.mark.parametrize(("short", "status"), [(0, OK), (1, MISSING)])
def test_pd_hours_per_category_and_staff_group(
    world, cycle, position, claimed, current, needed, short, status
):
    teacher = make_teacher(world, position=position, current=current)
    credit_pd_hours(teacher, hours=needed - short)
    check = checks(cycle, teacher, claimed)["pd_hours"]
    assert check.status == status
    assert f"of {needed} hours" in check.detail


def test_pd_hours_count_only_since_the_category_was_awarded(world, cycle):
    teacher = make_teacher(world, current="moderator", category_awarded_on=today() - 40 * DAY)
    credit_pd_hours(teacher, hours=100)  # ended 50 days ago: before the award
    assert checks(cycle, teacher, "expert")["pd_hours"].status == MISSING


# --- the knowledge test --------------------------------------------------------------------

PASS_MARKS = [
    ("moderator", "teacher", 60),
    ("expert", "moderator", 70),
    ("researcher", "expert", 80),
    ("master", "researcher", 90),
    ("head-2", "head-3", 70),
]


@pytest.mark.parametrize(("claimed", "current", "percent"), PASS_MARKS)
@pytest.mark.parametrize(("below", "status"), [("0", OK), ("0.01", MISSING)])
def test_pass_mark_per_category(world, cycle, claimed, current, percent, below, status):
    position = "director" if claimed.startswith("head") else "teacher"
    teacher = make_teacher(world, position=position, current=current)
    test_result(teacher, Decimal(percent) - Decimal(below))
    assert checks(cycle, teacher, claimed)["test"].status == status


def test_expert_fails_at_69_99_percent(world, cycle):
    teacher = make_teacher(world, current="moderator")
    test_result(teacher, Decimal("69.99"))
    check = checks(cycle, teacher, "expert")["test"]
    assert check.status == MISSING
    assert "69.99%" in check.detail


def test_the_best_valid_result_counts(world, cycle):
    teacher = make_teacher(world, current="moderator")
    test_result(teacher, 55, taken_on=today() - 3 * DAY)
    test_result(teacher, 75, taken_on=today() - 100 * DAY)
    assert checks(cycle, teacher, "expert")["test"].status == OK


@pytest.mark.parametrize(
    ("days_ago", "status"), [(0, OK), (365, OK), (366, MISSING), (-1, MISSING)]
)
def test_a_result_is_valid_for_a_year(world, cycle, days_ago, status):
    teacher = make_teacher(world, current="moderator")
    test_result(teacher, 95, taken_on=today() - dt.timedelta(days=days_ago))
    assert checks(cycle, teacher, "expert")["test"].status == status


def test_no_result_is_missing(world, cycle):
    teacher = make_teacher(world, current="moderator")
    check = checks(cycle, teacher, "expert")["test"]
    assert check.status == MISSING
    assert "70%" in check.detail


# --- exemptions from the test ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "claimed", "experience", "status"),
    [
        ("expert", "expert", relativedelta(years=30), OK),
        ("expert", "expert", relativedelta(years=35), OK),
        ("expert", "expert", relativedelta(years=30, days=-1), MISSING),
        ("expert", "researcher", relativedelta(years=32), MISSING),  # only when confirming
    ],
)
def test_long_service_exemption(world, cycle, current, claimed, experience, status):
    teacher = make_teacher(world, current=current, experience_start=today() - experience)
    application = application_for(cycle, teacher, claimed, world, test_exemption="long_service")
    check = checks(cycle, teacher, claimed, application=application)["test"]
    assert check.status == status


@pytest.mark.parametrize(
    ("current", "claimed", "status"),
    [
        ("researcher", "researcher", OK),
        ("master", "master", OK),
        ("expert", "expert", MISSING),
        ("moderator", "moderator", MISSING),
        ("researcher", "master", MISSING),  # only when confirming
    ],
)
def test_confirming_researcher_or_master_exemption(world, cycle, current, claimed, status):
    teacher = make_teacher(world, current=current)
    application = application_for(
        cycle, teacher, claimed, world, test_exemption="confirming_senior"
    )
    assert checks(cycle, teacher, claimed, application=application)["test"].status == status


@pytest.mark.parametrize(("proof", "status"), [(False, MISSING), (True, OK)])
def test_language_certificate_exemption_needs_the_certificate(world, cycle, proof, status):
    teacher = make_teacher(world, current="moderator")
    application = application_for(
        cycle, teacher, "expert", world, test_exemption="language_certificate"
    )
    if proof:
        services.evidence_add(
            application=application,
            actor=world.users["superuser"],
            file=pdf_upload(),
            criterion="exemption",
            title="IELTS 7.0",
        )
    assert checks(cycle, teacher, "expert", application=application)["test"].status == status


# --- information that never blocks -----------------------------------------------------------


@pytest.mark.parametrize(
    ("sex", "age", "shown"),
    [
        ("F", relativedelta(years=57), True),  # exactly 4 years before 61
        ("F", relativedelta(years=57, days=-1), False),  # a day more than 4 years before
        ("F", relativedelta(years=61, days=-1), True),  # the day before the pension
        ("F", relativedelta(years=61), False),  # retired
        ("M", relativedelta(years=59), True),  # exactly 4 years before 63
        ("M", relativedelta(years=59, days=-1), False),
        ("M", relativedelta(years=61), True),  # a woman of this age is retired
    ],
)
def test_pre_pension_is_information(world, cycle, sex, age, shown):
    teacher = make_teacher(world, current="moderator", sex=sex, birth_date=today() - age)
    result = checks(cycle, teacher, "expert")
    assert ("pre_pension" in result) is shown
    if shown:
        assert result["pre_pension"].status == INFO


@pytest.mark.parametrize(
    ("returned", "shown"),
    [
        (None, True),  # still away
        (relativedelta(years=2), True),  # kept until 2 years after the return
        (relativedelta(years=2, days=1), False),
    ],
)
def test_frozen_category_is_information(world, cycle, returned, shown):
    teacher = make_teacher(world, current="moderator")
    CategoryFreeze.objects.create(
        teacher=teacher,
        reason=CategoryFreeze.Reason.CHILD_CARE,
        starts_on=today() - relativedelta(years=4),
        returned_on=today() - returned if returned else None,
    )
    result = checks(cycle, teacher, "expert")
    assert ("frozen" in result) is shown
    if shown:
        assert result["frozen"].status == INFO


def test_observations_so_far_are_information(world, cycle):
    teacher = make_teacher(world, current="moderator")
    check = checks(cycle, teacher, "expert")["observations"]
    assert check.status == INFO
    assert "0 of 5" in check.detail


# --- the window ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "opens", "closes", "result", "detail"),
    [
        ("open", -5, 30, OK, "Open until"),
        ("open", 0, 0, OK, "Open until"),  # both ends count
        ("open", 1, 30, MISSING, "Applications open on"),  # before it opens
        ("open", -30, -1, MISSING, "Applications closed on"),  # after it closed
        ("draft", -5, 30, MISSING, "not open"),
        ("closed", -5, 30, MISSING, "not open"),
    ],
)
def test_application_window(world, cycle, status, opens, closes, result, detail):
    AttestationCycle.objects.filter(pk=cycle.pk).update(
        status=status,
        application_opens=today() + dt.timedelta(days=opens),
        application_closes=today() + dt.timedelta(days=closes),
    )
    cycle.refresh_from_db()
    check = checks(cycle, make_teacher(world), "expert")["window"]
    assert check.status == result
    assert detail in check.detail


# --- what the application itself holds -------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "status"), [(249, MISSING), (250, OK), (300, OK), (301, MISSING)]
)
def test_essay_length(world, cycle, words, status):
    teacher = make_teacher(world)
    application = application_for(
        cycle, teacher, "expert", world, essay_text="сөз " * words, essay_language="kk"
    )
    check = checks(cycle, teacher, "expert", application=application)["essay"]
    assert check.status == status
    assert str(words) in check.detail


def test_essay_needs_its_language(world, cycle):
    teacher = make_teacher(world)
    application = application_for(cycle, teacher, "expert", world, essay_text="сөз " * 260)
    assert checks(cycle, teacher, "expert", application=application)["essay"].status == MISSING


@pytest.mark.parametrize(
    ("current", "claimed", "uploaded", "expected"),
    [
        ("moderator", "expert", [], {"diploma": MISSING, "category_document": MISSING}),
        ("moderator", "expert", ["diploma"], {"diploma": OK, "category_document": MISSING}),
        (
            "moderator",
            "expert",
            ["diploma", "category_document"],
            {"diploma": OK, "category_document": OK},
        ),
        (None, "moderator", [], {"diploma": MISSING}),  # no category, no category document
        (None, "moderator", ["diploma"], {"diploma": OK}),
    ],
)
def test_required_documents(world, cycle, current, claimed, uploaded, expected):
    teacher = make_teacher(world, current=current)
    application = application_for(cycle, teacher, claimed, world)
    for criterion in uploaded:
        services.evidence_add(
            application=application,
            actor=world.users["superuser"],
            file=pdf_upload(),
            criterion=criterion,
            title=criterion,
        )
    result = checks(cycle, teacher, claimed, application=application)
    assert {
        code: result[code].status for code in ("diploma", "category_document") if code in result
    } == expected


def test_a_complete_teacher_has_nothing_blocking(world, cycle):
    teacher = make_teacher(world, current="moderator")
    credit_pd_hours(teacher, hours=80)
    test_result(teacher, 90)
    application = application_for(
        cycle, teacher, "expert", world, essay_text="сөз " * 260, essay_language="kk"
    )
    for criterion in ("diploma", "category_document"):
        services.evidence_add(
            application=application,
            actor=world.users["superuser"],
            file=pdf_upload(),
            criterion=criterion,
            title=criterion,
        )
    result = checks(cycle, teacher, "expert", application=application)
    assert [code for code, check in result.items() if check.blocking] == []
