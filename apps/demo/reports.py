"""Demo PD plans: this year's and last year's plan for every district of the demo region,
about a quarter of each district's teachers (the region's 16,000 of 67,000), set through
the real service by the regional administrator, so the dashboard's plan-vs-fact has a plan."""

from django.db.models import Count
from django.utils import timezone

from apps.organizations.models import District
from apps.reports.models import PdPlan
from apps.reports.services import pd_plan_save

# The region's yearly plan over its teachers: 16,000 of 67,000.
PLANNED_SHARE = 16_000 / 67_000


def seed_pd_plans(*, actor) -> int:
    """The plans of this year and the last for every district with teachers; how many."""
    this_year = timezone.localdate().year
    districts = District.objects.annotate(
        teachers=Count("organizations__teachers", distinct=True)
    ).filter(teachers__gt=0)
    made = 0
    for district in districts:
        for year in (this_year - 1, this_year):
            plan = PdPlan(
                year=year,
                district=district,
                planned_teachers=round(district.teachers * PLANNED_SHARE),
            )
            pd_plan_save(plan=plan, actor=actor)
            made += 1
    return made


def demo_pd_plans_delete() -> None:
    """Every plan and its history (plans belong to the demo region's districts)."""
    PdPlan.objects.all().delete()
    PdPlan.history.model.objects.all().delete()
