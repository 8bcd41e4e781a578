"""Figures of attestation: the applications of the period's cycles by stage, and the pass
rates of the decisions in force by claimed category and by district."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from apps.attestation.models import Application, AttestationCycle, Decision
from apps.attestation.selectors import stage_counts
from apps.organizations.models import District
from apps.teachers.models import QualificationCategory

from .base import (
    ReportContext,
    ReportFilters,
    Row,
    of_report_teachers,
    percent,
    report_context,
    report_regions,
)
from .registry import ladder_order


@dataclass(frozen=True)
class PassRate:
    """Decisions in force (`decided`) and those meeting the claimed category (`met`), with
    the teacher-list queries of both (None when the period has several cycles: a teacher
    may then have an application in each)."""

    key: str
    label: str
    decided: int
    met: int
    decided_query: dict[str, str] | None
    met_query: dict[str, str] | None

    @property
    def rate(self) -> Decimal | None:
        return percent(self.met, self.decided)


@dataclass(frozen=True)
class AttestationPipeline:
    """The applications of the cycles whose application window opens within the period
    (`cycles`: their school years), of the teachers counted. A stage's count is also the
    number of teachers (one application per cycle), so with one cycle every row has its
    teacher-list query; `overdue`: submitted and not answered by the due date."""

    cycles: list[str]
    total: int
    overdue: int
    stages: list[Row]
    overall: PassRate
    by_category: list[PassRate]
    by_district: list[PassRate]


def _period_cycles(ctx: ReportContext):
    return AttestationCycle.objects.filter(
        region__in=report_regions(ctx.user, ctx.filters),
        application_opens__range=(ctx.filters.period_start, ctx.filters.period_end),
    )


class _PassRates:
    """Decisions counted by (claimed category, district), summed up both ways."""

    def __init__(self, ctx: ReportContext, cycle: int | None):
        self.ctx, self.cycle = ctx, cycle

    def rate(self, key, label, decided, met, **query) -> PassRate:
        def query_for(result):
            if self.cycle is None:
                return None
            return self.ctx.filters.list_query(
                attestation_cycle=self.cycle, attestation_result=result, **query
            )

        return PassRate(key, label, decided, met, query_for("decided"), query_for("met"))

    def by(self, groups, field, named, *, key, order, query) -> list[PassRate]:
        sums = defaultdict(lambda: [0, 0])
        for g in groups:
            sums[g[field]][0] += g["decided"]
            sums[g[field]][1] += g["met"]
        return [
            self.rate(key(named[pk]), named[pk].name, *sums[pk], **{query: pk})
            for pk in sorted(sums, key=lambda pk: order(named[pk]))
        ]


def pipeline_from(ctx: ReportContext) -> AttestationPipeline:
    filters = ctx.filters
    cycles = list(
        _period_cycles(ctx).order_by("application_opens", "pk").values_list("pk", "school_year")
    )
    cycle = cycles[0][0] if len(cycles) == 1 else None
    applications = Application.objects.filter(
        of_report_teachers(ctx), cycle__in=_period_cycles(ctx).values("pk")
    )
    stages, overdue = stage_counts(applications)
    total = sum(stage.count for stage in stages)
    stage_rows = [
        Row(
            stage.status,
            str(stage.label),
            stage.count,
            percent(stage.count, total),
            filters.list_query(attestation_cycle=cycle, attestation_status=stage.status)
            if cycle
            else None,
        )
        for stage in stages
    ]
    category, district = "claimed_category_id", "teacher__organization__district_id"
    # One filter() call: the counts below read the same join, the decisions in force only.
    groups = list(
        applications.filter(decisions__isnull=False, decisions__revised_at__isnull=True)
        .values(category, district)
        .annotate(
            decided=Count("decisions"),
            met=Count("decisions", filter=Q(decisions__outcome=Decision.Outcome.MEETS)),
        )
        .order_by()
    )
    rates = _PassRates(ctx, cycle)
    return AttestationPipeline(
        cycles=[school_year for _pk, school_year in cycles],
        total=total,
        overdue=overdue,
        stages=stage_rows,
        overall=rates.rate(
            "total",
            _("all categories"),
            sum(g["decided"] for g in groups),
            sum(g["met"] for g in groups),
        ),
        by_category=rates.by(
            groups,
            category,
            QualificationCategory.objects.in_bulk({g[category] for g in groups}),
            key=lambda c: c.code,
            order=ladder_order,
            query="attestation_claimed",
        ),
        by_district=rates.by(
            groups,
            district,
            District.objects.in_bulk({g[district] for g in groups}),
            key=lambda d: d.kato,
            order=lambda d: d.kato,
            query="district",
        ),
    )


def attestation_pipeline(user, filters: ReportFilters) -> AttestationPipeline:
    """Five queries: the cycles, the applications by status, the decisions in force by
    claimed category and district, and the names of those categories and districts."""
    return pipeline_from(report_context(user, filters))
