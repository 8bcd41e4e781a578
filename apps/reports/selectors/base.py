"""What every report shares: the filters, the teachers they select, the shape of a figure,
and the pass over the teachers that serves several figures at once."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from apps.accounts.scopes import read_scope
from apps.organizations.models import Region
from apps.teachers.models import Teacher
from apps.teachers.selectors import visible_teachers


def _this_year_start() -> dt.date:
    return dt.date(timezone.localdate().year, 1, 1)


def _this_year_end() -> dt.date:
    return dt.date(timezone.localdate().year, 12, 31)


@dataclass(frozen=True)
class ReportFilters:
    """What a report is about.

    The scope ids (region, district, organisation) are the drill-down level: each given one
    narrows the teachers, within what the user may see. The period (by default the current
    calendar year) dates the flows: PD hours, course results, the attestation cycles whose
    applications open in it, the leaders intakes of its years, the plan of its first year.
    The registry figures (categories, expiry, composition, PD within the last 3 years) are
    as of today."""

    region: int | None = None
    district: int | None = None
    organization: int | None = None
    period_start: dt.date = field(default_factory=_this_year_start)
    period_end: dt.date = field(default_factory=_this_year_end)
    organization_kind: str = ""
    teaching_language: int | None = None
    position: int | None = None

    def __post_init__(self):
        if self.period_end < self.period_start:
            raise ValueError("The report period ends before it starts.")

    @property
    def level(self) -> str:
        """The drill-down level: "organization", "district", "region" or "all"."""
        for name in ("organization", "district", "region"):
            if getattr(self, name) is not None:
                return name
        return "all"

    @property
    def plan_year(self) -> int:
        return self.period_start.year

    @property
    def narrows_staff(self) -> bool:
        """Whether teachers are chosen by more than where they work (a plan covers all)."""
        return bool(self.organization_kind or self.teaching_language or self.position)

    def teacher_q(self) -> Q:
        conditions = {
            "organization__district__region_id": self.region,
            "organization__district_id": self.district,
            "organization_id": self.organization,
            "organization__kind": self.organization_kind or None,
            "teaching_language_id": self.teaching_language,
            "position_id": self.position,
        }
        return Q(**{path: value for path, value in conditions.items() if value is not None})

    def list_query(self, **extra) -> dict[str, str]:
        """The teacher list's parameters (/teachers/?...) for these teachers, and `extra`."""
        values = {
            "region": self.region,
            "district": self.district,
            "organization": self.organization,
            "organization_kind": self.organization_kind or None,
            "teaching_language": self.teaching_language,
            "position": self.position,
            **extra,
        }
        return {name: str(value) for name, value in values.items() if value is not None}


def report_teachers(user, filters: ReportFilters) -> QuerySet[Teacher]:
    """The teachers a report counts: those the user may see (the teacher list's scoping),
    narrowed by the filters."""
    return visible_teachers(user).filter(filters.teacher_q())


def of_report_teachers(ctx: "ReportContext") -> Q:
    """A condition on the rows of a model with a `teacher` (enrolments, applications,
    candidates) keeping those of the report's teachers: none at all when the report counts
    every teacher (a join with the whole registry would only slow the count)."""
    if not ctx.teachers.query.where:
        return Q()
    return Q(teacher__in=ctx.teachers)


def report_regions(user, filters: ReportFilters) -> QuerySet[Region]:
    """The regions the report reaches into (whose attestation cycles and leaders intakes
    it counts): those of the user's scope, narrowed by the drill-down."""
    scope = read_scope(user)
    regions = Region.objects.filter(
        scope.q(organization="districts__organizations__pk", district="districts__pk", region="pk")
    )
    if filters.region is not None:
        regions = regions.filter(pk=filters.region)
    if filters.district is not None:
        regions = regions.filter(districts__pk=filters.district)
    if filters.organization is not None:
        regions = regions.filter(districts__organizations__pk=filters.organization)
    return Region.objects.filter(pk__in=regions.values("pk"))


@dataclass(frozen=True)
class ReportContext:
    """What the figures of one report share: who asks, the filters, the day, the teachers,
    and the teachers counted by each breakdown key once a pass over them has counted them
    (`teacher_totals`), and by unit when the pass grouped them by one (`unit_totals`: the
    teacher's path to the unit, and each unit's aggregates)."""

    user: object
    filters: ReportFilters
    today: dt.date
    teachers: QuerySet[Teacher]
    key_counts: dict[str, Counter] = field(default_factory=dict)
    unit_totals: dict[str, dict[int, dict[str, int]]] = field(default_factory=dict)


def report_context(user, filters: ReportFilters) -> ReportContext:
    return ReportContext(
        user=user,
        filters=filters,
        today=timezone.localdate(),
        teachers=report_teachers(user, filters),
    )


def percent(part: int, whole: int | None) -> Decimal | None:
    """part / whole in per cent with one decimal (None when there is no whole)."""
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Row:
    """One figure: how many, of what (`key` stable for code, `label` in the active
    language), its share of the figure's whole, and the teacher-list parameters that list
    exactly the teachers counted (None: the figure does not count teachers)."""

    key: str
    label: str
    count: int
    percent: Decimal | None = None
    list_query: dict[str, str] | None = None


@dataclass(frozen=True)
class Breakdown:
    """The teachers split by one attribute: the rows add up to `total`."""

    total: int
    rows: list[Row]
    list_query: dict[str, str]


Aggregates = Callable[[ReportContext], dict]


# The keys the breakdowns count teachers by (registry.by_category_from, ...).
BREAKDOWN_KEYS = ("category_id", "position_id", "teaching_language_id")


def teacher_totals(ctx: ReportContext, *parts: Aggregates, unit: str | None = None) -> dict:
    """One pass over the report's teachers for the aggregates of all the parts given (each
    a function of the context giving {alias: aggregate}), with the count as "teachers": a
    figure asks for its own part, the dashboard for several in the same query.

    The pass groups by the breakdown keys (a few hundred groups whatever the size) and
    sums the groups here, so it also counts the teachers by category, position and
    language (kept in `ctx.key_counts`): the breakdowns then need no pass of their own,
    which cost as much as this one each. Given `unit` (the teacher's path to a unit: the
    dashboard's drill-down), it groups by the unit as well and keeps each unit's
    aggregates in `ctx.unit_totals` (a few thousand groups for a region's districts, as
    fast to count as the few hundred; a pass of the drill-down's own cost as much)."""
    aggregates = {"teachers": Count("pk")}
    for part in parts:
        aggregates.update(part(ctx))
    names = list(aggregates)
    keys = (*BREAKDOWN_KEYS, "unit") if unit else BREAKDOWN_KEYS
    groups = ctx.teachers.order_by()
    groups = (
        groups.values(*BREAKDOWN_KEYS, unit=F(unit)) if unit else groups.values(*BREAKDOWN_KEYS)
    )
    # As tuples, each aggregate summed as a column: thousands of groups cost little.
    rows = list(groups.annotate(**aggregates).values_list(*keys, *names))
    first = len(keys)  # the index of the first aggregate, the teachers
    totals = dict(zip(names, _column_sums([row[first:] for row in rows], len(names)), strict=True))
    for index, key in enumerate(BREAKDOWN_KEYS):
        counts = ctx.key_counts[key] = Counter()
        for row in rows:
            counts[row[index]] += row[first]
    if unit:
        by_unit = defaultdict(list)
        for row in rows:
            by_unit[row[first - 1]].append(row[first:])
        ctx.unit_totals[unit] = {
            unit_id: dict(zip(names, _column_sums(unit_rows, len(names)), strict=True))
            for unit_id, unit_rows in by_unit.items()
        }
    return totals


def _column_sums(rows: list[tuple], width: int) -> list[int]:
    """The sum of each column of the rows (zeros when there are none)."""
    return [sum(column) for column in zip(*rows, strict=True)] or [0] * width
