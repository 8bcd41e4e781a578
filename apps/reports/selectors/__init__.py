"""Reads of the reports: every figure of the HR dashboard, computed by the database in a
small fixed number of queries whatever the size of the region, each figure that counts
teachers with the teacher-list parameters that list them.

The public API: `ReportFilters`, `report_teachers(user, filters)`, one function per figure
(`teachers_by_category`, `teachers_by_position`, `expiring_categories`, `pd_coverage`,
`course_completion`, `attestation_pipeline`, `leaders_funnel`, `staff_composition`), all
`(user, filters)`, and `dashboard(user, filters)` with all of them, the registry figures
from one shared pass over the teachers.
"""

import datetime as dt
from dataclasses import dataclass

from .attestation import AttestationPipeline, PassRate, attestation_pipeline, pipeline_from
from .base import (
    Breakdown,
    ReportContext,
    ReportFilters,
    Row,
    report_context,
    report_regions,
    report_teachers,
    teacher_totals,
)
from .drilldown import (
    GROUP_FIELD,
    Drilldown,
    DrillRow,
    drill_level,
    drilldown,
    drilldown_from,
    unit_counts,
)
from .leaders import LeadersFunnel, funnel_from, leaders_funnel
from .pd import (
    CompletionRow,
    CourseCompletion,
    PdCoverage,
    completion_from,
    course_completion,
    coverage_from,
    pd_coverage,
)
from .plans import DistrictPlan, PlanFact, RegionPlans, pd_plan_list
from .registry import (
    ExpiringCategories,
    StaffComposition,
    by_category_from,
    by_position_from,
    composition_aggregates,
    composition_from,
    expiring_aggregates,
    expiring_categories,
    expiring_from,
    staff_composition,
    teachers_by_category,
    teachers_by_position,
)
from .scope import scope_unit


@dataclass(frozen=True)
class Dashboard:
    """Every figure of the HR dashboard for one user and one set of filters."""

    filters: ReportFilters
    today: dt.date
    teachers: int
    by_category: Breakdown
    by_position: Breakdown
    expiring: ExpiringCategories
    pd: PdCoverage
    courses: CourseCompletion
    attestation: AttestationPipeline
    leaders: LeadersFunnel
    staff: StaffComposition


def dashboard(user, filters: ReportFilters) -> Dashboard:
    """Every figure for the user's scope as filtered, in the same number of queries for a
    school, a region and the country: the registry's counts (expiry, composition, and by
    category, position and language) in one pass over the teachers, the PD coverage
    counted from the enrolments' side."""
    ctx = report_context(user, filters)
    return _dashboard(ctx, teacher_totals(ctx, expiring_aggregates, composition_aggregates))


def _dashboard(ctx: ReportContext, totals: dict, taken: tuple[int, int] | None = None) -> Dashboard:
    """The figures from the pass over the teachers (`totals`); `taken`: the teachers
    trained and those who completed a course in the plan's year when counted already
    (coverage_from)."""
    filters = ctx.filters
    return Dashboard(
        filters=filters,
        today=ctx.today,
        teachers=totals["teachers"],
        by_category=by_category_from(ctx),
        by_position=by_position_from(ctx),
        expiring=expiring_from(ctx, totals),
        pd=coverage_from(ctx, totals, taken),
        courses=completion_from(ctx),
        attestation=pipeline_from(ctx),
        leaders=funnel_from(ctx),
        staff=composition_from(ctx, totals),
    )


def dashboard_page(user, filters: ReportFilters) -> tuple[Dashboard, Drilldown]:
    """The dashboard page's figures and drill-down table from one context, the teachers
    counted once: the figures' pass over them groups them by the table's units as well
    (its teachers and expiring categories), and the units' counts of the teachers trained
    and of those who completed a course (every unit the report's teachers work in, each
    teacher in one) add up to the figures' own, which then need no queries of their own.
    Below an organisation there are no units: the figures count as dashboard() does."""
    ctx = report_context(user, filters)
    level = drill_level(user, filters)
    parts = (expiring_aggregates, composition_aggregates)
    if level is None:
        return _dashboard(ctx, teacher_totals(ctx, *parts)), drilldown_from(ctx, level)
    totals = teacher_totals(ctx, *parts, unit=GROUP_FIELD[level])
    counts = unit_counts(ctx, level)
    taken = tuple(sum(unit[name] for unit in counts.values()) for name in ("trained", "fact"))
    return _dashboard(ctx, totals, taken), drilldown_from(ctx, level, counts)


__all__ = [
    "AttestationPipeline",
    "Breakdown",
    "CompletionRow",
    "CourseCompletion",
    "Dashboard",
    "DistrictPlan",
    "DrillRow",
    "Drilldown",
    "ExpiringCategories",
    "LeadersFunnel",
    "PassRate",
    "PdCoverage",
    "PlanFact",
    "RegionPlans",
    "ReportFilters",
    "Row",
    "StaffComposition",
    "attestation_pipeline",
    "course_completion",
    "dashboard",
    "dashboard_page",
    "drilldown",
    "expiring_categories",
    "leaders_funnel",
    "pd_coverage",
    "pd_plan_list",
    "report_regions",
    "report_teachers",
    "scope_unit",
    "staff_composition",
    "teachers_by_category",
    "teachers_by_position",
]
