"""Figures of the "1000 leaders" programme: the funnel of the period's intakes, candidates
by status, and the appointment rate."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from apps.leaders.models import Candidate, Intake

from ..teacher_filters import LEADERS_STAGES
from .base import (
    ReportContext,
    ReportFilters,
    Row,
    of_report_teachers,
    percent,
    report_context,
    report_regions,
)


@dataclass(frozen=True)
class LeadersFunnel:
    """The candidates of the intakes of the period's years (`intakes`: "programme year"),
    of the teachers counted: how many reached each stage (shares of the applicants), by
    status, and the appointment rate (appointed of those who entered the reserve). A
    teacher is a candidate once per intake, so with one intake every row has its
    teacher-list query."""

    intakes: list[str]
    stages: list[Row]
    statuses: list[Row]
    appointment_rate: Decimal | None


def _period_intakes(ctx: ReportContext):
    return Intake.objects.filter(
        programme__region__in=report_regions(ctx.user, ctx.filters),
        year__range=(ctx.filters.period_start.year, ctx.filters.period_end.year),
    )


def funnel_from(ctx: ReportContext) -> LeadersFunnel:
    filters = ctx.filters
    intakes = list(_period_intakes(ctx).select_related("programme").order_by("year", "pk"))
    intake = intakes[0].pk if len(intakes) == 1 else None
    aggregates = {
        f"stage_{key}": Count("pk", filter=Q(status__in=statuses) if statuses else None)
        for key, (_label, statuses) in LEADERS_STAGES.items()
    }
    aggregates.update(
        {f"status_{status}": Count("pk", filter=Q(status=status)) for status in Candidate.Status}
    )
    counts = Candidate.objects.filter(
        of_report_teachers(ctx), intake__in=_period_intakes(ctx).values("pk")
    ).aggregate(**aggregates)
    applicants = counts["stage_applied"]

    def query(**extra):
        return filters.list_query(leaders_intake=intake, **extra) if intake else None

    stages = [
        Row(
            key,
            str(label),
            counts[f"stage_{key}"],
            percent(counts[f"stage_{key}"], applicants),
            query(leaders_stage=key),
        )
        for key, (label, _statuses) in LEADERS_STAGES.items()
    ]
    statuses = [
        Row(
            status,
            str(label),
            counts[f"status_{status}"],
            percent(counts[f"status_{status}"], applicants),
            query(leaders_status=status),
        )
        for status, label in Candidate.Status.choices
    ]
    return LeadersFunnel(
        intakes=[str(each) for each in intakes],
        stages=stages,
        statuses=statuses,
        appointment_rate=percent(counts["stage_appointed"], counts["stage_reserve"]),
    )


def leaders_funnel(user, filters: ReportFilters) -> LeadersFunnel:
    """Two queries: the intakes, and the candidates counted by stage and status."""
    return funnel_from(report_context(user, filters))
