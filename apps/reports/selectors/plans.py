"""The districts' PD plans of a year beside the fact: the page where the plans are read and
set, district by district, with a total for each region."""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Subquery

from apps.accounts.scopes import read_scope
from apps.organizations.models import District, Region
from apps.teachers.selectors import visible_teachers

from ..models import PdPlan
from ..teacher_filters import course_completed_q, year_bounds
from .base import ReportFilters, percent
from .plan_scope import whole_districts


@dataclass(frozen=True)
class PlanFact:
    """A plan (None: none set) against the fact: the teachers who completed a course of the
    catalogue in the year, with the teacher-list parameters that list them (None when the
    list would count a wider circle than the fact, see `pd_plan_list`)."""

    plan: int | None
    fact: int
    list_query: dict[str, str] | None

    @property
    def percent(self) -> Decimal | None:
        return percent(self.fact, self.plan)

    @property
    def list_querystring(self) -> str:
        return urlencode(self.list_query or {})


@dataclass(frozen=True, kw_only=True)
class DistrictPlan(PlanFact):
    district: District
    record: PdPlan | None  # the plan as stored, annotated with `changed_by`


@dataclass(frozen=True)
class RegionPlans:
    """A region's districts of the page, and their total (the plans given summed: None when
    no district has one)."""

    region: Region
    districts: list[DistrictPlan]
    total: PlanFact


def _plans(year: int, district_ids: list[int]) -> dict[int, PdPlan]:
    """The year's plans of the districts, each with the user who last changed it (from the
    plan's history) as `changed_by` (None: changed by no one known, e.g. a data load)."""
    last_change = PdPlan.history.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    plans = list(
        PdPlan.objects.filter(year=year, district_id__in=district_ids).annotate(
            changed_by_id=Subquery(last_change.values("history_user_id")[:1])
        )
    )
    users = get_user_model().objects.in_bulk({p.changed_by_id for p in plans} - {None})
    for plan in plans:
        plan.changed_by = users.get(plan.changed_by_id)
    return {plan.district_id: plan for plan in plans}


def pd_plan_list(user, year: int) -> list[RegionPlans]:
    """Every district the user sees whole, region by region in KATO order, with its plan for
    the year and the fact, in four queries whatever the number of districts: the districts,
    the plans, the users who last changed them, and the facts (one count grouped by
    district, over the teachers the user may see, as the teacher list counts them).

    Each fact links to the teacher list by district and year, as the dashboard's figure
    does; a region's total links by region and year unless the user also sees single
    organisations, whose teachers the list would count too."""
    districts = list(
        whole_districts(user).select_related("region").order_by("region__kato", "kato")
    )
    ids = [district.pk for district in districts]
    plans = _plans(year, ids)
    facts = dict(
        visible_teachers(user)
        .filter(course_completed_q(*year_bounds(year)), organization__district_id__in=ids)
        .values_list("organization__district_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    linked_totals = not read_scope(user).organization_ids
    by_region: dict[int, list[DistrictPlan]] = {}
    for district in districts:
        plan = plans.get(district.pk)
        if plan is not None:
            plan.district = district  # (its scope, for the permission, without a query)
        by_region.setdefault(district.region_id, []).append(
            DistrictPlan(
                plan=plan.planned_teachers if plan else None,
                fact=facts.get(district.pk, 0),
                list_query=ReportFilters(district=district.pk).list_query(
                    course_completed_year=year
                ),
                district=district,
                record=plan,
            )
        )
    regions = []
    for rows in by_region.values():
        region = rows[0].district.region
        given = [row.plan for row in rows if row.plan is not None]
        total = PlanFact(
            plan=sum(given) if given else None,
            fact=sum(row.fact for row in rows),
            list_query=ReportFilters(region=region.pk).list_query(course_completed_year=year)
            if linked_totals
            else None,
        )
        regions.append(RegionPlans(region=region, districts=rows, total=total))
    return regions
