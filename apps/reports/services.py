"""Writes of the reports app: setting a district's PD plan."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .models import PdPlan


def pd_plan_save(*, plan: PdPlan, actor) -> PdPlan:
    """Create or change a district's plan for a year; the one who first set it is kept."""
    if plan.district_id is None or not actor.has_perm("reports.change_pdplan", plan):
        raise PermissionDenied
    plan.full_clean()
    with transaction.atomic():
        if plan.pk is None:
            plan.created_by = actor
        plan.save()
    return plan
