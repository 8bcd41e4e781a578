"""Which PD plans apply: the one rule behind the dashboard's plan figure, the drill-down
table's plan column and the plans page.

A plan is a district's: how many of its teachers it is to train. A user's plans are those
of the districts they see whole (a region or a district of their scope); a district they
see only through some of its organisations has none for them, its fact would not be the
one the plan is set against. A report (or a drill-down unit) has a plan when it counts its
teachers whole, all of them in districts seen whole: not a single organisation, not
teachers chosen by more than where they work (type of organisation, language, position),
and no teacher of a district seen only in part (those would count in the fact, in no plan).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import BooleanField, Case, OuterRef, Q, QuerySet, Subquery, Value, When

from apps.accounts.scopes import Scope, read_scope
from apps.organizations.models import District
from apps.teachers.selectors import visible_districts

from ..models import PdPlan
from .base import ReportFilters


def _seen_whole_q(scope: Scope) -> Q:
    """On districts: those the scope holds whole (empty for everything: all of them)."""
    if scope.everything:
        return Q()
    return Q(pk__in=scope.district_ids) | Q(region_id__in=scope.region_ids)


def whole_districts(user) -> QuerySet[District]:
    """The districts the user sees whole: those whose plans are theirs to read."""
    return District.objects.filter(_seen_whole_q(read_scope(user)))


@dataclass(frozen=True)
class PlannedDistrict:
    """A district of a report: whether the user sees it whole, and its plan of the report's
    year (None: none set)."""

    pk: int
    region_id: int
    whole: bool
    plan: int | None


def report_districts(user, filters: ReportFilters) -> list[PlannedDistrict] | None:
    """The districts of the report's teachers (those the user sees, within the drill-down),
    each with its plan, in one query; None when the report does not count its teachers
    whole (a single organisation, or teachers chosen by more than where they work), so that
    no plan applies whatever the districts."""
    if filters.organization is not None or filters.narrows_staff:
        return None
    scope = read_scope(user)
    districts = visible_districts(user)
    if filters.region is not None:
        districts = districts.filter(region_id=filters.region)
    if filters.district is not None:
        districts = districts.filter(pk=filters.district)
    plan = PdPlan.objects.filter(district=OuterRef("pk"), year=filters.plan_year)
    whole = (
        Value(True)
        if scope.everything
        else Case(
            When(_seen_whole_q(scope), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    rows = districts.annotate(whole=whole, plan=Subquery(plan.values("planned_teachers")))
    return [
        PlannedDistrict(pk, region_id, whole, planned)
        for pk, region_id, whole, planned in rows.values_list("pk", "region_id", "whole", "plan")
    ]


def plan_of(districts: Iterable[PlannedDistrict]) -> int | None:
    """The plan for the teachers of these districts: their plans summed; None when one of
    them is seen only in part, or none has a plan."""
    districts = list(districts)
    if not all(district.whole for district in districts):
        return None
    given = [district.plan for district in districts if district.plan is not None]
    return sum(given) if given else None
