"""The dashboard's drill-down table on the known region: the level each scope starts at,
each unit's figures (and that they add up to the dashboard's), the links' teacher lists,
and a query count that does not grow with the units."""

import dataclasses
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.organizations.models import District, InstructionLanguage, Organization, Region
from apps.reports.selectors import (
    ReportFilters,
    dashboard,
    dashboard_page,
    drilldown,
    pd_coverage,
    pd_plan_list,
)
from tests.factories import OrganizationFactory, TeacherFactory, UserFactory


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def by_unit(table):
    return {row.key: row for row in table.rows}


def figures(row):
    return (row.teachers.count, row.trained.count, row.expiring.count, row.fact.count, row.plan)


def test_a_regional_analyst_starts_with_the_districts_of_the_region(known):
    world = known.world
    table = drilldown(world.users["hr_analyst"], ReportFilters())
    assert table.level == "district" and table.plans and table.plan_year == known.today.year
    rows = by_unit(table)
    assert set(rows) == {str(pk) for pk in world.region.districts.values_list("pk", flat=True)}
    city, sairam = rows[str(world.city.pk)], rows[str(world.sairam.pk)]
    assert figures(city) == (4, 3, 3, 2, 10)
    assert (city.trained.percent, city.plan_percent) == (Decimal("75.0"), Decimal("20.0"))
    assert figures(sairam) == (2, 1, 0, 0, 5)
    assert figures(rows[str(District.objects.get(kato="6116").pk)]) == (0, 0, 0, 0, 100)
    # Ordered by KATO code, and adding up to the dashboard.
    assert table.rows[0].key == str(world.city.pk)
    board = dashboard(world.users["hr_analyst"], ReportFilters())
    assert sum(row.teachers.count for row in table.rows) == board.teachers
    assert sum(row.plan or 0 for row in table.rows) == board.pd.plan
    # A district's row drills the dashboard into it, the other filters kept.
    assert city.filters == dataclasses.replace(
        ReportFilters(), region=world.region.pk, district=world.city.pk
    )
    assert city.drillable


def test_a_district_lists_its_organisations_and_an_organisation_nothing(known):
    world = known.world
    user = world.users["region_admin"]
    table = drilldown(user, ReportFilters(region=world.region.pk, district=world.sairam.pk))
    assert table.level == "organization" and not table.plans
    rows = by_unit(table)
    assert {key: figures(row) for key, row in rows.items()} == {
        str(world.school_c.pk): (1, 1, 0, 0, None),
        str(known.college.pk): (1, 0, 0, 0, None),
    }
    college = rows[str(known.college.pk)]
    assert not college.drillable
    assert (college.filters.district, college.filters.organization) == (
        world.sairam.pk,
        known.college.pk,
    )
    assert college.teachers.list_query == {
        "region": str(world.region.pk),
        "district": str(world.sairam.pk),
        "organization": str(known.college.pk),
    }
    bottom = drilldown(user, college.filters)
    assert (bottom.level, bottom.rows) == (None, [])


def test_each_scope_starts_at_its_own_level(known):
    world = known.world
    methodologist = drilldown(world.users["methodologist"], ReportFilters())
    assert methodologist.level == "organization"
    assert {row.key: row.teachers.count for row in methodologist.rows} == {
        str(world.school_a.pk): 2,
        str(world.school_b.pk): 2,
    }
    school = drilldown(world.users["school_admin"], ReportFilters())
    assert [(row.key, row.teachers.count) for row in school.rows] == [(str(world.school_a.pk), 2)]
    # A district of another's scope: no rows of it.
    elsewhere = drilldown(world.users["methodologist"], ReportFilters(district=world.sairam.pk))
    assert elsewhere.rows == []


def test_with_several_regions_the_table_starts_with_the_regions(known):
    world = known.world
    other = Region.objects.create(kato="99", name_kk="Сынақ", name_ru="Тест", name_en="Test")
    District.objects.create(region=other, kato="9901", kind="city", name_kk="А", name_ru="А")
    cache.clear()  # the cached list of regions
    table = drilldown(world.users["superuser"], ReportFilters())
    assert table.level == "region"
    assert [(row.key, row.teachers.count, row.plan) for row in table.rows] == [
        (str(world.region.pk), 6, 115),
        (str(other.pk), 0, None),
    ]
    # The regional analyst of one region still starts with its districts.
    assert drilldown(world.users["hr_analyst"], ReportFilters()).level == "district"


def test_filters_narrowing_the_staff_have_no_plan_and_keep_the_type(known):
    world = known.world
    kazakh = InstructionLanguage.objects.get(code="kk")
    table = drilldown(world.users["hr_analyst"], ReportFilters(teaching_language=kazakh.pk))
    assert not table.plans
    rows = by_unit(table)
    assert figures(rows[str(world.city.pk)]) == (2, 2, 2, 2, None)
    assert rows[str(world.city.pk)].filters.teaching_language == kazakh.pk
    colleges = drilldown(
        world.users["hr_analyst"],
        ReportFilters(district=world.sairam.pk, organization_kind=Organization.Kind.COLLEGE),
    )
    assert [row.key for row in colleges.rows] == [str(known.college.pk)]


def test_every_count_agrees_with_its_teacher_list(client, known):
    user = known.world.users["hr_analyst"]
    client.force_login(user)
    rows = drilldown(user, ReportFilters()).rows
    rows += drilldown(user, ReportFilters(district=known.world.city.pk)).rows
    checked = 0
    for row in rows:
        for figure in (row.teachers, row.trained, row.expiring, row.fact):
            response = client.get("/teachers/", figure.list_query)
            assert not response.context["filter"].form.errors, figure.list_query
            assert response.context["page"].paginator.count == figure.count, figure.list_query
            checked += figure.count
    assert checked > 0


def _queries(user, filters) -> int:
    with CaptureQueriesContext(connection) as ctx:
        drilldown(user, filters)
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_units(known):
    world = known.world
    user = world.users["hr_analyst"]
    levels = [ReportFilters(), ReportFilters(district=world.city.pk)]
    drilldown(user, ReportFilters())  # the user's roles, loaded once
    small = [_queries(user, filters) for filters in levels]
    for n in range(8):
        school = OrganizationFactory(district=world.city if n % 2 else world.sairam)
        TeacherFactory.create_batch(2, organization=school)
    assert [_queries(user, filters) for filters in levels] == small
    assert small == [5, 5]


@pytest.mark.parametrize(
    ("user", "level"),
    [
        ("hr_analyst", {}),
        ("superuser", {}),
        ("region_admin", {"district": "sairam"}),
        ("methodologist", {}),
        ("school_admin", {}),
        ("region_admin", {"organization": "school_c", "district": "sairam"}),
    ],
)
def test_the_page_reads_the_same_figures_and_table_as_each_alone(known, user, level):
    """The page counts the teachers once for both (the units' counts summed for the
    figures): every figure and row is the same as dashboard()'s and drilldown()'s."""
    world = known.world
    other = Region.objects.create(kato="99", name_kk="Сынақ", name_ru="Тест", name_en="Test")
    District.objects.create(region=other, kato="9901", kind="city", name_kk="А", name_ru="А")
    cache.clear()  # the cached list of regions
    filters = ReportFilters(**{name: getattr(world, unit).pk for name, unit in level.items()})
    user = world.users[user]
    figures, table = dashboard_page(user, filters)
    assert figures == dashboard(user, filters)
    assert table == drilldown(user, filters)
    if table.level is not None:  # every unit of the report's teachers is listed
        assert (figures.pd.trained.count, figures.pd.fact.count) == (
            sum(row.trained.count for row in table.rows),
            sum(row.fact.count for row in table.rows),
        )


def test_a_scope_of_a_district_and_a_school_elsewhere_has_the_districts_plan_only(known):
    """One rule for the plan everywhere (plan_scope): the district seen whole has its plan
    on the plans page, in the drill-down and drilled into; the district seen through one
    school has none, and neither has the whole scope, whose fact counts that school."""
    world = known.world
    user = UserFactory()
    role_assignment_create(user=user, role=Role.METHODOLOGIST, district=world.city)
    role_assignment_create(user=user, role=Role.SCHOOL_ADMIN, organization=world.school_c)
    (plans,) = pd_plan_list(user, known.today.year)
    assert [(row.district, row.plan) for row in plans.districts] == [(world.city, 10)]
    table = drilldown(user, ReportFilters())
    assert table.level == "district" and table.plans
    assert {key: figures(row) for key, row in by_unit(table).items()} == {
        str(world.city.pk): (4, 3, 3, 2, 10),
        str(world.sairam.pk): (1, 1, 0, 0, None),
    }
    assert pd_coverage(user, ReportFilters()).plan is None
    city = pd_coverage(user, ReportFilters(district=world.city.pk))
    assert (city.plan, city.fact.count) == (plans.districts[0].plan, plans.districts[0].fact)
    assert pd_coverage(user, ReportFilters(district=world.sairam.pk)).plan is None
