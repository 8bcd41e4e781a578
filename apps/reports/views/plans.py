"""The districts' PD plans of a year against the fact: read by the staff who see the
dashboard, set by the regional administrators (and superusers) for their districts."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import services
from ..models import PdPlan
from ..plan_forms import PlanFormSet, plan_year
from ..selectors import RegionPlans, pd_plan_list


def _plan_formset(request, year: int, regions: list[RegionPlans]) -> PlanFormSet | None:
    """A number to fill in for each district whose plan the user may set (None: none)."""
    rows = [row for region in regions for row in region.districts]
    editable = [
        row.district
        for row in rows
        if request.user.has_perm(
            "reports.change_pdplan", row.record or PdPlan(year=year, district=row.district)
        )
    ]
    if not editable:
        return None
    return PlanFormSet(
        request.POST if request.method == "POST" else None,
        districts=editable,
        plans={row.district.pk: row.plan for row in rows},
    )


def plan_list(request):
    if not request.user.has_perm("reports.view_pdplan"):
        raise PermissionDenied
    year = plan_year(request.GET.get("year"))
    regions = pd_plan_list(request.user, year)
    formset = _plan_formset(request, year, regions)
    if request.method == "POST" and formset is None:
        raise PermissionDenied
    if request.method == "POST" and formset.is_valid():
        try:
            changed = services.pd_plans_save(
                year=year, plans=formset.changed_plans(), actor=request.user
            )
        except (ValidationError, IntegrityError):
            messages.error(request, _("The plans were not saved: another user changed them."))
        else:
            messages.success(
                request,
                ngettext("%(count)d plan saved.", "%(count)d plans saved.", changed)
                % {"count": changed},
            )
            return redirect(f"{reverse('reports:plans')}?year={year}")
    forms = {form.district.pk: form for form in formset} if formset else {}
    sections = [
        (region, [(row, forms.get(row.district.pk)) for row in region.districts])
        for region in regions
    ]
    return render(
        request,
        "reports/plans.html",
        {"year": year, "sections": sections, "formset": formset},
    )
