"""Every figure of the HR dashboard on a small region with known data, each teacher count
checked against the teacher list it links to, the scoping, and a constant query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from apps.core.dates import add_years
from apps.organizations.models import InstructionLanguage, Organization
from apps.reports.selectors import (
    ReportFilters,
    attestation_pipeline,
    course_completion,
    dashboard,
    expiring_categories,
    leaders_funnel,
    pd_coverage,
    report_teachers,
    staff_composition,
    teachers_by_category,
    teachers_by_position,
)
from apps.teachers.models import Position
from tests.factories import CourseFactory, EnrolmentFactory, OrganizationFactory, TeacherFactory

from .conftest import application, candidate, completed, cycle_opening, decide, run_ending


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def counts(breakdown):
    return {row.key: row.count for row in breakdown.rows}


def teacher_figures(board):
    """(count, list query, what) of every figure of the dashboard that counts teachers."""
    figures = []
    for name in ("by_category", "by_position"):
        breakdown = getattr(board, name)
        figures.append((breakdown.total, breakdown.list_query, name))
        figures += [(row.count, row.list_query, f"{name} {row.key}") for row in breakdown.rows]
    for name in ("age", "experience", "sex", "language"):
        breakdown = getattr(board.staff, name)
        figures += [(row.count, row.list_query, f"{name} {row.key}") for row in breakdown.rows]
    figures += [(row.count, row.list_query, f"expiring {row.key}") for row in board.expiring.rows]
    for row in (board.pd.teachers, board.pd.trained, board.pd.not_trained, board.pd.fact):
        figures.append((row.count, row.list_query, f"pd {row.key}"))
    figures += [(row.count, row.list_query, f"stage {row.key}") for row in board.attestation.stages]
    rates = [board.attestation.overall, *board.attestation.by_category]
    for rate in [*rates, *board.attestation.by_district]:
        figures.append((rate.decided, rate.decided_query, f"decided {rate.key}"))
        figures.append((rate.met, rate.met_query, f"met {rate.key}"))
    for row in [*board.leaders.stages, *board.leaders.statuses]:
        figures.append((row.count, row.list_query, f"leaders {row.key}"))
    return figures


def assert_lists_agree(client, user, board):
    client.force_login(user)
    for count, query, what in teacher_figures(board):
        assert query is not None, what
        response = client.get("/teachers/", query)
        assert response.status_code == 200, what
        assert not response.context["filter"].form.errors, (what, query)
        assert response.context["page"].paginator.count == count, (what, query)


def test_every_figure_of_the_region(known):
    board = dashboard(known.world.users["region_admin"], ReportFilters())
    assert board.teachers == 6
    assert [(r.key, r.count) for r in board.by_category.rows] == [
        ("moderator", 2),
        ("expert", 2),
        ("researcher", 1),
        ("none", 1),
    ]
    assert board.by_category.rows[0].percent == Decimal("33.3")
    assert [(r.key, r.count) for r in board.by_position.rows] == [
        ("teacher", 5),
        ("deputy-director", 1),
    ]
    assert [(r.key, r.count) for r in board.expiring.rows] == [
        ("0", 1),
        ("3", 1),
        ("6", 2),
        ("12", 3),
    ]
    staff = board.staff
    assert counts(staff.age) == {"under-30": 1, "30-39": 2, "40-49": 1, "50-59": 1, "60-plus": 1}
    assert counts(staff.experience) == {
        "under-3": 1,
        "3-9": 2,
        "10-19": 1,
        "20-plus": 1,
        "unknown": 1,
    }
    assert counts(staff.sex) == {"M": 2, "F": 4}
    assert counts(staff.language) == {"kk": 3, "ru": 1, "uz": 1, "unknown": 1}
    assert [r.label for r in staff.age.rows][-1] == "60 and over"

    pd = board.pd
    assert (pd.teachers.count, pd.trained.count, pd.not_trained.count) == (6, 4, 2)
    assert pd.trained.percent == Decimal("66.7")
    assert pd.since == add_years(known.today, -3)
    assert (pd.period_hours, pd.hours_per_teacher) == (108, Decimal("18.0"))
    assert (pd.plan_year, pd.plan, pd.fact.count) == (known.today.year, 115, 2)
    assert pd.plan_percent == Decimal("1.7")

    courses = board.courses
    total = courses.total
    assert (total.completed, total.not_completed, total.dropped, total.awaiting) == (2, 1, 1, 1)
    assert (total.finished, total.rate) == (4, Decimal("50.0"))
    assert [
        (r.key, r.completed, r.not_completed, r.dropped, r.awaiting) for r in courses.by_course
    ] == [
        (str(known.course_x.pk), 1, 1, 1, 1),
        (str(known.course_y.pk), 1, 0, 0, 0),
    ]

    pipeline = board.attestation
    assert pipeline.cycles == [known.cycle.school_year]
    assert (pipeline.total, pipeline.overdue) == (6, 1)
    assert {r.key: r.count for r in pipeline.stages if r.count} == {
        "draft": 1,
        "submitted": 1,
        "accepted": 1,
        "decided": 2,
        "completed": 1,
    }
    overall = pipeline.overall
    assert (overall.decided, overall.met, overall.rate) == (3, 1, Decimal("33.3"))
    assert [(r.key, r.decided, r.met) for r in pipeline.by_category] == [
        ("expert", 2, 1),
        ("researcher", 1, 0),
    ]
    assert [(r.key, r.decided, r.met, r.rate) for r in pipeline.by_district] == [
        ("6110", 2, 1, Decimal("50.0")),
        ("6152", 1, 0, Decimal("0.0")),
    ]

    leaders = board.leaders
    assert len(leaders.intakes) == 1
    assert [(r.key, r.count) for r in leaders.stages] == [
        ("applied", 6),
        ("admitted", 4),
        ("completed", 3),
        ("reserve", 2),
        ("appointed", 1),
    ]
    assert {r.key: r.count for r in leaders.statuses if r.count} == {
        "applied": 1,
        "stopped": 1,
        "admitted": 1,
        "completed": 1,
        "reserve": 1,
        "appointed": 1,
    }
    assert leaders.appointment_rate == Decimal("50.0")


def test_each_figure_alone_equals_the_dashboard(known):
    user, filters = known.world.users["region_admin"], ReportFilters()
    board = dashboard(user, filters)
    assert teachers_by_category(user, filters) == board.by_category
    assert teachers_by_position(user, filters) == board.by_position
    assert expiring_categories(user, filters) == board.expiring
    assert pd_coverage(user, filters) == board.pd
    assert course_completion(user, filters) == board.courses
    assert attestation_pipeline(user, filters) == board.attestation
    assert leaders_funnel(user, filters) == board.leaders
    assert staff_composition(user, filters) == board.staff


def test_every_teacher_count_agrees_with_its_teacher_list(client, known):
    user = known.world.users["region_admin"]
    assert_lists_agree(client, user, dashboard(user, ReportFilters()))


@pytest.mark.parametrize(
    "drill",
    ["district", "organization", "organization_kind", "teaching_language", "position", "region"],
)
def test_drilled_down_counts_agree_with_the_teacher_list(client, known, drill):
    world = known.world
    filters = {
        "district": ReportFilters(district=world.sairam.pk),
        "organization": ReportFilters(district=world.city.pk, organization=world.school_b.pk),
        "organization_kind": ReportFilters(organization_kind=Organization.Kind.COLLEGE),
        "teaching_language": ReportFilters(
            teaching_language=InstructionLanguage.objects.get(code="kk").pk
        ),
        "position": ReportFilters(position=Position.objects.get(code="deputy-director").pk),
        "region": ReportFilters(region=world.region.pk),
    }[drill]
    user = world.users["superuser"]
    board = dashboard(user, filters)
    expected = {
        "district": 2,
        "organization": 2,
        "organization_kind": 1,
        "teaching_language": 3,
        "position": 1,
        "region": 6,
    }[drill]
    assert board.teachers == expected
    assert_lists_agree(client, user, board)


def test_the_plan_covers_whole_districts_only(known):
    world = known.world
    admin = world.users["region_admin"]
    assert pd_coverage(admin, ReportFilters(district=world.sairam.pk)).plan == 5
    assert pd_coverage(admin, ReportFilters(region=world.region.pk)).plan == 115
    # A school, or teachers chosen by more than where they work, have no plan of their own.
    assert pd_coverage(admin, ReportFilters(organization=world.school_a.pk)).plan is None
    assert pd_coverage(admin, ReportFilters(organization_kind="college")).plan is None
    coverage = pd_coverage(world.users["school_admin"], ReportFilters())
    assert (coverage.teachers.count, coverage.plan, coverage.plan_percent) == (2, None, None)


def test_a_district_methodologist_counts_only_their_district(client, known):
    user = known.world.users["methodologist"]
    board = dashboard(user, ReportFilters())
    assert board.teachers == 4
    assert counts(board.by_category) == {"moderator": 1, "expert": 2, "none": 1}
    assert [(r.key, r.count) for r in board.expiring.rows] == [
        ("0", 0),
        ("3", 1),
        ("6", 2),
        ("12", 3),
    ]
    pd = board.pd
    assert (pd.trained.count, pd.plan, pd.fact.count) == (3, 10, 2)
    assert (pd.period_hours, pd.hours_per_teacher) == (108, Decimal("27.0"))
    total = board.courses.total
    assert (total.completed, total.not_completed, total.dropped, total.awaiting) == (2, 0, 1, 1)
    assert board.attestation.total == 4
    assert [(r.key, r.decided, r.met) for r in board.attestation.by_district] == [("6110", 2, 1)]
    assert [r.count for r in board.leaders.stages] == [4, 2, 1, 0, 0]
    assert board.leaders.appointment_rate is None
    assert_lists_agree(client, user, board)
    # Asking for another district of the region shows nothing of it.
    other = dashboard(user, ReportFilters(district=known.world.sairam.pk))
    assert (other.teachers, other.attestation.total, other.pd.plan) == (0, 0, None)


def test_another_period_counts_its_own_cycle_intake_plan_and_courses(known):
    year = known.today.year - 1
    filters = ReportFilters(period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31))
    board = dashboard(known.world.users["region_admin"], filters)
    assert board.attestation.cycles == ["previous"]
    assert (board.attestation.total, board.attestation.overall.met) == (1, 1)
    assert [r.count for r in board.leaders.stages] == [1, 1, 1, 1, 1]
    assert (board.pd.plan_year, board.pd.plan, board.pd.fact.count) == (year, 999, 0)
    assert board.courses.by_course == [] and board.pd.period_hours == 0
    # The registry figures are as of today whatever the period.
    assert board.teachers == 6 and board.pd.trained.count == 4


def test_filters_default_to_this_year_and_refuse_a_reversed_period():
    filters = ReportFilters()
    year = timezone.localdate().year
    assert (filters.period_start, filters.period_end) == (
        dt.date(year, 1, 1),
        dt.date(year, 12, 31),
    )
    assert (
        filters.level == "all" and ReportFilters(district=1, organization=2).level == "organization"
    )
    with pytest.raises(ValueError):
        ReportFilters(period_start=dt.date(year, 2, 1), period_end=dt.date(year, 1, 1))


def test_a_teacher_sees_only_their_own_record(known):
    user = known.world.users["teacher"]
    assert list(report_teachers(user, ReportFilters())) == [known.teachers[0]]


def _dashboard_queries(user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        dashboard(user, ReportFilters())
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["region_admin", "methodologist", "school_admin"])
def test_dashboard_query_count_does_not_grow_with_the_data(known, role):
    world = known.world
    user = world.users[role]
    dashboard(user, ReportFilters())  # the user's roles and the region ids, loaded once
    small = _dashboard_queries(user)
    today = known.today
    run = run_ending(CourseFactory(hours=80), today)
    for n in range(12):
        organization = OrganizationFactory(
            district=world.city if n % 2 else world.sairam,
            kind="school" if n % 3 else "preschool",
        )
        teacher = TeacherFactory(organization=organization, birth_date=dt.date(1960 + n, 5, 1))
        completed(run, teacher) if n % 2 else EnrolmentFactory(run=run, teacher=teacher)
        app = application(known.cycle, teacher, "decided", claimed=("moderator", "master")[n % 2])
        decide(app, ("meets", "lower")[n % 2])
        candidate(known.intake, teacher, ("applied", "reserve", "appointed")[n % 3])
    assert _dashboard_queries(user) == small
    assert small <= 21


def test_with_two_cycles_in_the_period_no_stage_links_to_the_teacher_list(known):
    year = known.today.year
    second = cycle_opening(known.world.region, dt.date(year, 1, 2), "second")
    application(second, known.teachers[3], "submitted", claimed="moderator")
    pipeline = attestation_pipeline(known.world.users["region_admin"], ReportFilters())
    assert pipeline.cycles == [known.cycle.school_year, "second"]
    assert pipeline.total == 7
    assert {row.list_query for row in pipeline.stages} == {None}
    assert pipeline.overall.decided_query is None and pipeline.overall.met_query is None
