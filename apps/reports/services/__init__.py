"""Writes of the reports app: the districts' PD plans here; the report's exports and the
monthly summary by e-mail in their own modules, re-exported below."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import PdPlan
from .exports import report_export_create, report_export_run
from .subscriptions import (
    monthly_summaries_send,
    subscription_create,
    subscription_delete,
    summary_period,
)


def pd_plan_save(*, plan: PdPlan, actor) -> PdPlan:
    """Create or change a district's plan for a year; the one who first set it is kept, and
    the plan's history names who made each change (in a request or not)."""
    if plan.district_id is None or not actor.has_perm("reports.change_pdplan", plan):
        raise PermissionDenied
    plan.full_clean()
    with transaction.atomic():
        if plan.pk is None:
            plan.created_by = actor
        plan._history_user = actor
        plan.save()
    return plan


def pd_plan_delete(*, plan: PdPlan, actor) -> None:
    """Remove a district's plan for a year (the district then has no plan); the plan's
    history keeps what it was and who removed it."""
    if not actor.has_perm("reports.change_pdplan", plan):
        raise PermissionDenied
    plan._history_user = actor
    plan.delete()


def pd_plans_save(*, year: int, plans: dict, actor) -> int:
    """Set the year's plans of several districts at once, all or none: `plans` maps a
    district to its teachers to train, or to None for no plan. Plans already so are left
    alone (no history row, no new change time). Returns how many plans changed.

    Raises PermissionDenied for a district the actor may not plan, ValidationError for a
    value the model refuses; a plan first set by someone else at the same moment is
    refused by the database (IntegrityError). Nothing is saved in any of these cases."""
    changed = 0
    with transaction.atomic():
        stored = {
            plan.district_id: plan
            for plan in PdPlan.objects.select_for_update().filter(
                year=year, district__in=[district.pk for district in plans]
            )
        }
        for district, teachers in plans.items():
            plan = stored.get(district.pk)
            if plan is not None:
                plan.district = district  # the permission reads its region
            if teachers is None:
                if plan is not None:
                    pd_plan_delete(plan=plan, actor=actor)
                    changed += 1
                continue
            if plan is None:
                plan = PdPlan(year=year, district=district)
            elif plan.planned_teachers == teachers:
                continue
            plan.planned_teachers = teachers
            pd_plan_save(plan=plan, actor=actor)
            changed += 1
    return changed


__all__ = [
    "monthly_summaries_send",
    "pd_plan_delete",
    "pd_plan_save",
    "pd_plans_save",
    "report_export_create",
    "report_export_run",
    "subscription_create",
    "subscription_delete",
    "summary_period",
]
