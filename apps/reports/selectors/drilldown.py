"""The dashboard's drill-down table: the key figures of every unit one level below the
report's (the regions, a region's districts, a district's organisations), each with the
filters that drill the dashboard into it and the teacher-list parameters of its counts."""

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q

from apps.accounts.scopes import all_region_ids, read_scope
from apps.courses.selectors import pd_period_start
from apps.teachers.filters import expiring_q
from apps.teachers.selectors import visible_districts, visible_organizations

from ..teacher_filters import course_completers, pd_takers, year_bounds
from .base import (
    ReportContext,
    ReportFilters,
    Row,
    percent,
    report_context,
    report_regions,
)
from .plan_scope import plan_of, report_districts

# The months ahead the table counts expiring categories for (the longest dashboard window).
EXPIRING_WITHIN_MONTHS = 12

# The level below each level: the table lists units of that level (none below a school).
CHILD_LEVEL = {"region": "district", "district": "organization", "organization": None}
# The teacher's path to the unit a child level groups by.
GROUP_FIELD = {
    "region": "organization__district__region_id",
    "district": "organization__district_id",
    "organization": "organization_id",
}


@dataclass(frozen=True)
class DrillRow:
    """One unit: its name, the dashboard's filters drilled into it (`filters`), and its
    figures, every teacher count with its share of the unit's teachers and its
    teacher-list parameters: the teachers, those with PD within the last 3 years, those
    whose category expires from today to 12 months ahead, and those who completed a course
    in the plan's year (`fact`) against the unit's PD plan (None: none is set, or none
    applies, see plan_scope; `drillable`: the unit has units below it)."""

    key: str
    label: str
    filters: ReportFilters
    teachers: Row
    trained: Row
    expiring: Row
    fact: Row
    plan: int | None
    plan_percent: Decimal | None
    drillable: bool


@dataclass(frozen=True)
class Drilldown:
    """The units one level below the report's (`level`: "region", "district" or
    "organization"; None below an organisation, with no rows); `plans` whether the units
    may have a PD plan at all (districts or regions counted whole, see plan_scope)."""

    level: str | None
    rows: list[DrillRow]
    plan_year: int
    plans: bool


def drill_level(user, filters: ReportFilters) -> str | None:
    """The level the table lists: the one below the report's. At the top, the widest unit
    the user's scope holds more than one of: a regional analyst of the one region starts
    with its districts, a methodologist of one district with its organisations."""
    if filters.level != "all":
        return CHILD_LEVEL[filters.level]
    scope = read_scope(user)
    regions = all_region_ids() if scope.everything else scope.region_ids
    if len(regions) > 1:
        return "region"
    if regions or len(scope.district_ids) > 1 or (scope.district_ids and scope.organization_ids):
        return "district"
    return "organization"


def _units(ctx: ReportContext, level: str, counted: set) -> list:
    """The units of the level that the user may see within the report's (an organisation
    of the type filtered for, active or with teachers counted), ordered."""
    filters = ctx.filters
    if level == "region":
        return list(report_regions(ctx.user, filters).order_by("kato"))
    if level == "district":
        districts = visible_districts(ctx.user)
        if filters.region is not None:
            districts = districts.filter(region_id=filters.region)
        return list(districts.order_by("kato"))
    listed = Q(is_active=True)
    if filters.organization_kind:
        listed &= Q(kind=filters.organization_kind)
    organizations = visible_organizations(ctx.user).filter(listed | Q(pk__in=counted))
    if filters.district is not None:
        organizations = organizations.filter(district_id=filters.district)
    elif filters.region is not None:
        organizations = organizations.filter(district__region_id=filters.region)
    organizations = organizations.only("pk", "name_kk", "name_ru", "name_en", "district_id")
    return sorted(
        organizations.annotate(region_id=F("district__region_id")), key=lambda o: o.name.lower()
    )


def _plans(ctx: ReportContext, level: str) -> dict[int, int | None] | None:
    """The plan of each unit (see plan_scope: None for a unit with no plan set, or with
    teachers of a district the user sees only in part); None when no plan applies to any
    unit (organisations, or teachers chosen by more than where they work)."""
    districts = report_districts(ctx.user, ctx.filters)
    if level == "organization" or districts is None:
        return None
    by_unit = defaultdict(list)
    for district in districts:
        by_unit[district.region_id if level == "region" else district.pk].append(district)
    return {unit: plan_of(unit_districts) for unit, unit_districts in by_unit.items()}


FIGURES = ("teachers", "trained", "expiring", "fact")


def unit_counts(ctx: ReportContext, level: str) -> dict[int, dict[str, int]]:
    """The figures of each unit with teachers (every unit the report's teachers work in,
    so that the units' counts add up to the report's): the teachers and the categories
    expiring in one pass over the teachers (none when the figures' pass grouped them by
    the units, see teacher_totals); those trained and those who completed a course each in a
    count of the teachers found among the enrolments' (and certificates') teacher ids, a
    join the database makes once. (As conditions tested teacher by teacher, an EXISTS per
    teacher, they cost the region three times the rest of the dashboard.)"""
    unit = F(GROUP_FIELD[level])
    counts = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    expiring = f"expiring_{EXPIRING_WITHIN_MONTHS}"
    counted = ctx.unit_totals.get(GROUP_FIELD[level])
    if counted is not None and all(expiring in totals for totals in counted.values()):
        # The figures' pass over the teachers grouped them by these units already.
        for unit_id, totals in counted.items():
            counts[unit_id].update(teachers=totals["teachers"], expiring=totals[expiring])
    else:
        for row in (
            ctx.teachers.values(unit=unit)
            .annotate(
                teachers=Count("pk"),
                expiring=Count("pk", filter=expiring_q(EXPIRING_WITHIN_MONTHS, ctx.today)),
            )
            .order_by()
        ):
            counts[row.pop("unit")].update(row)
    # The ids of every taker, not only the report's: the report's teachers are chosen once,
    # outside (chosen inside as well, a region of the nation took twice as long).
    takers = {
        "trained": pd_takers(pd_period_start(ctx.today)),
        "fact": course_completers(*year_bounds(ctx.filters.plan_year)).values("teacher_id"),
    }
    for name, teacher_ids in takers.items():
        for unit_id, count in (
            ctx.teachers.filter(pk__in=teacher_ids)
            .values_list(unit)
            .annotate(count=Count("pk"))
            .order_by()
        ):
            counts[unit_id][name] = count
    return counts


def _drilled(filters: ReportFilters, level: str, unit) -> ReportFilters:
    if level == "region":
        return dataclasses.replace(filters, region=unit.pk)
    if level == "district":
        return dataclasses.replace(filters, region=unit.region_id, district=unit.pk)
    return dataclasses.replace(
        filters, region=unit.region_id, district=unit.district_id, organization=unit.pk
    )


def _row(drilled: ReportFilters, key: str, count: int, teachers: int, **query) -> Row:
    return Row(key, key, count, percent(count, teachers), drilled.list_query(**query))


def drilldown_from(
    ctx: ReportContext, level: str | None, counts: dict[int, dict[str, int]] | None = None
) -> Drilldown:
    """The table at `level` (drill_level), from the units' `counts` (unit_counts) when
    the caller has them already."""
    filters = ctx.filters
    if level is None:
        return Drilldown(level=None, rows=[], plan_year=filters.plan_year, plans=False)
    if counts is None:
        counts = unit_counts(ctx, level)
    plans = _plans(ctx, level)
    empty = dict.fromkeys(FIGURES, 0)
    rows = []
    for unit in _units(ctx, level, set(counts)):
        figures = counts.get(unit.pk, empty)
        drilled = _drilled(filters, level, unit)
        teachers = figures["teachers"]
        plan = plans.get(unit.pk) if plans is not None else None

        rows.append(
            DrillRow(
                key=str(unit.pk),
                label=unit.name,
                filters=drilled,
                teachers=_row(drilled, "teachers", teachers, teachers),
                trained=_row(drilled, "trained", figures["trained"], teachers, trained="yes"),
                expiring=_row(
                    drilled,
                    "expiring",
                    figures["expiring"],
                    teachers,
                    expiring_months=str(EXPIRING_WITHIN_MONTHS),
                ),
                fact=_row(
                    drilled,
                    "fact",
                    figures["fact"],
                    teachers,
                    course_completed_year=filters.plan_year,
                ),
                plan=plan,
                plan_percent=percent(figures["fact"], plan),
                drillable=CHILD_LEVEL[level] is not None,
            )
        )
    return Drilldown(level=level, rows=rows, plan_year=filters.plan_year, plans=plans is not None)


def drilldown(user, filters: ReportFilters) -> Drilldown:
    """One row per unit one level below the report's: five queries whatever the number of
    units (three for the teachers' figures grouped by unit, the units, the districts with
    their plans)."""
    return drilldown_from(report_context(user, filters), drill_level(user, filters))
