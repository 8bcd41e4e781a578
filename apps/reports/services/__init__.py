"""Writes of the reports app: the districts' PD plans here; the report's exports and the
monthly summary by e-mail in their own modules, re-exported below."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import PdPlan
from .exports import report_export_create, report_export_run
from .subscriptions import (
    monthly_summaries_send,
    subscription_create,
    subscription_delete,
    summary_period,
)


class PlansChangedMeanwhile(ValidationError):
    """Plans that someone else changed after the actor saw them: one message per district,
    with the district's id and the plan stored now as its params."""


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


def pd_plans_save(*, year: int, plans: dict, shown: dict, actor) -> int:
    """Set the year's plans of several districts at once, all or none: `plans` maps a
    district to its teachers to train, or to None for no plan; `shown` maps each of them to
    the plan the actor saw before changing it. Plans already so are left alone (no history
    row, no new change time). Returns how many plans changed.

    A plan that someone else changed since the actor saw it (to other than what the actor
    wants) is not overwritten unseen: PlansChangedMeanwhile. Raises PermissionDenied for a
    district the actor may not plan, ValidationError for a value the model refuses; a plan
    first set by someone else at the same moment is refused by the database
    (IntegrityError). Nothing is saved in any of these cases."""
    changed = 0
    with transaction.atomic():
        stored = {
            plan.district_id: plan
            for plan in PdPlan.objects.select_for_update().filter(
                year=year, district__in=[district.pk for district in plans]
            )
        }
        _refuse_unseen_changes(plans=plans, shown=shown, stored=stored)
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


def _refuse_unseen_changes(*, plans: dict, shown: dict, stored: dict) -> None:
    """Two administrators editing the same district: the later one is told, not silently
    overwriting the earlier (unless both want the same number)."""
    conflicts = []
    for district, teachers in plans.items():
        plan = stored.get(district.pk)
        now = None if plan is None else plan.planned_teachers
        if now == shown[district] or now == teachers:
            continue
        params = {"district": district.name, "district_id": district.pk, "stored": now}
        if now is None:
            message = _(
                "%(district)s: someone else removed this plan after you opened the page. "
                "Save again to set yours."
            )
        else:
            message = _(
                "%(district)s: someone else changed this plan to %(stored)s after you opened "
                "the page. Save again to replace it with yours."
            )
        conflicts.append(ValidationError(message, code="changed_meanwhile", params=params))
    if conflicts:
        raise PlansChangedMeanwhile(conflicts)


__all__ = [
    "PlansChangedMeanwhile",
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
