"""Figures of professional development: coverage (trained within the legal 3 years, hours
per teacher, the year's plan against the fact) and course completion over the period."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.courses.models import Course, Enrolment, EnrolmentEvent, ExternalTraining
from apps.courses.selectors import PD_PERIOD_YEARS, pd_period_start

from ..teacher_filters import course_completers, pd_takers, pd_within_label, year_bounds
from .base import (
    ReportContext,
    ReportFilters,
    Row,
    of_report_teachers,
    percent,
    report_context,
    teacher_totals,
)
from .plan_scope import plan_of, report_districts

S = Enrolment.Status


@dataclass(frozen=True)
class PdCoverage:
    """`trained`: teachers with PD ending on or after `since` (the legal minimum is once
    in 3 years); hours: PD hours (courses completed and confirmed external certificates)
    ending within the period, per teacher counted; `plan`: the teachers the districts
    counted are to train in `plan_year` (None when no plan is set, or when no plan applies,
    see plan_scope: an organisation, a type of organisation, a language or a position, a
    district seen only through some of its organisations); `fact`: teachers who completed
    a course of the catalogue that year (its share: of the teachers; `plan_percent`: of
    the plan)."""

    since: dt.date
    teachers: Row
    trained: Row
    not_trained: Row
    period_hours: int
    hours_per_teacher: Decimal | None
    plan_year: int
    plan: int | None
    fact: Row
    plan_percent: Decimal | None


def _trained_and_fact(ctx: ReportContext) -> tuple[int, int]:
    """Teachers trained within the PD period and teachers who completed a course in the
    plan's year, counted from the enrolments and certificates side (each teacher once),
    with the teacher-list filters' conditions: two queries that join the report's teachers
    only when the report is narrower than everything. As filters of the pass over the
    teachers they were looked up teacher by teacher in id lists that, at a nation's size,
    outgrow work_mem (and are then scanned for every teacher: minutes)."""
    of = of_report_teachers(ctx)
    trained = pd_takers(pd_period_start(ctx.today), of).count()
    fact = (
        course_completers(*year_bounds(ctx.filters.plan_year), of)
        .order_by()
        .values("teacher_id")
        .distinct()
        .count()
    )
    return trained, fact


def _period_hours(ctx: ReportContext) -> int:
    period = (ctx.filters.period_start, ctx.filters.period_end)
    courses = Enrolment.objects.filter(
        of_report_teachers(ctx), status=S.COMPLETED, completed_on__range=period
    ).aggregate(hours=Sum("hours_credited"))["hours"]
    external = ExternalTraining.objects.filter(
        of_report_teachers(ctx), status=ExternalTraining.Status.CONFIRMED, ends_on__range=period
    ).aggregate(hours=Sum("hours"))["hours"]
    return (courses or 0) + (external or 0)


def _plan(ctx: ReportContext) -> int | None:
    """The plans of the report's districts (see plan_scope for when a plan applies)."""
    districts = report_districts(ctx.user, ctx.filters)
    return None if districts is None else plan_of(districts)


def coverage_from(
    ctx: ReportContext, totals: dict, taken: tuple[int, int] | None = None
) -> PdCoverage:
    """Coverage: the teachers from the shared pass over them (`totals`), those trained and
    those who completed a course (`taken` when the caller counted them already, else two
    queries), the period's hours (two queries) and the plan (one query)."""
    filters = ctx.filters
    teachers = totals["teachers"]
    trained, fact = taken if taken is not None else _trained_and_fact(ctx)
    hours = _period_hours(ctx)
    plan = _plan(ctx)
    years = {"years": PD_PERIOD_YEARS}
    return PdCoverage(
        since=pd_period_start(ctx.today),
        teachers=Row("teachers", _("teachers"), teachers, None, filters.list_query()),
        trained=Row(
            "trained",
            pd_within_label(),
            trained,
            percent(trained, teachers),
            filters.list_query(trained="yes"),
        ),
        not_trained=Row(
            "not_trained",
            ngettext(
                "no PD within the last %(years)d year",
                "no PD within the last %(years)d years",
                PD_PERIOD_YEARS,
            )
            % years,
            teachers - trained,
            percent(teachers - trained, teachers),
            filters.list_query(trained="no"),
        ),
        period_hours=hours,
        hours_per_teacher=(
            (Decimal(hours) / teachers).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if teachers
            else None
        ),
        plan_year=filters.plan_year,
        plan=plan,
        fact=Row(
            "fact",
            _("completed a course in %(year)d") % {"year": filters.plan_year},
            fact,
            percent(fact, teachers),
            filters.list_query(course_completed_year=filters.plan_year),
        ),
        plan_percent=percent(fact, plan),
    )


def pd_coverage(user, filters: ReportFilters) -> PdCoverage:
    """PD coverage, hours per teacher and the plan against the fact: six queries."""
    ctx = report_context(user, filters)
    return coverage_from(ctx, teacher_totals(ctx))


# --- course completion ------------------------------------------------------------------------


@dataclass(frozen=True)
class CompletionRow:
    """Enrolments of runs that ended within the period (up to today): completed; not completed (the
    attendance or the final assessment fell short); dropped (cancelled after the run had
    begun, while holding a seat); awaiting (the run is over, its results not recorded)."""

    key: str
    label: str
    completed: int
    not_completed: int
    dropped: int
    awaiting: int

    @property
    def finished(self) -> int:
        return self.completed + self.not_completed + self.dropped

    @property
    def rate(self) -> Decimal | None:
        """Completed of those finished, in per cent."""
        return percent(self.completed, self.finished)


@dataclass(frozen=True)
class CourseCompletion:
    """Counts enrolments, not teachers (a teacher may take several courses): no row has
    a teacher-list query."""

    total: CompletionRow
    by_course: list[CompletionRow]


_COUNTS = ("completed", "not_completed", "dropped", "awaiting")


def _dropped() -> Exists:
    """Cancelled from a seat (confirmed or attending) on or after the run's first day."""
    return Exists(
        EnrolmentEvent.objects.filter(
            enrolment=OuterRef("pk"),
            to_status=S.CANCELLED,
            from_status__in=(S.CONFIRMED, S.ATTENDED),
            at__date__gte=OuterRef("run__starts_on"),
        )
    )


def completion_from(ctx: ReportContext) -> CourseCompletion:
    filters = ctx.filters
    # Runs that have ended: a run still going has no results to wait for.
    last_day = min(filters.period_end, ctx.today)
    enrolments = Enrolment.objects.filter(
        of_report_teachers(ctx), run__ends_on__range=(filters.period_start, last_day)
    )
    counts = defaultdict(lambda: dict.fromkeys(_COUNTS, 0))
    for row in (
        enrolments.filter(status__in=(S.COMPLETED, S.NOT_COMPLETED, S.CONFIRMED, S.ATTENDED))
        .values("run__course_id")
        .annotate(
            completed=Count("pk", filter=Q(status=S.COMPLETED)),
            not_completed=Count("pk", filter=Q(status=S.NOT_COMPLETED)),
            awaiting=Count("pk", filter=Q(status__in=(S.CONFIRMED, S.ATTENDED))),
        )
        .order_by()
    ):
        counts[row.pop("run__course_id")].update(row)
    for course_id, dropped in (
        enrolments.filter(_dropped(), status=S.CANCELLED)
        .values_list("run__course_id")
        .annotate(dropped=Count("pk"))
        .order_by()
    ):
        counts[course_id]["dropped"] = dropped
    courses = Course.objects.in_bulk(list(counts))
    rows = sorted(
        (
            CompletionRow(key=str(pk), label=courses[pk].title, **figures)
            for pk, figures in counts.items()
        ),
        key=lambda row: (-row.finished, -row.awaiting, row.label),
    )
    total = CompletionRow(
        key="total",
        label=_("all courses"),
        **{name: sum(getattr(row, name) for row in rows) for name in _COUNTS},
    )
    return CourseCompletion(total=total, by_course=rows)


def course_completion(user, filters: ReportFilters) -> CourseCompletion:
    """Results of the runs that ended within the period, by course (most finished first)
    and in total, in three queries: the results by course; the cancelled enrolments that
    were drop-outs, by course (apart, so that only those few are looked up in the
    history); the courses' titles."""
    return completion_from(report_context(user, filters))
