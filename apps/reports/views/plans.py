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


def _plan_formset(user, year: int, regions: list[RegionPlans], data) -> PlanFormSet | None:
    """A number to fill in for each district whose plan the user may set (None: none)."""
    rows = [row for region in regions for row in region.districts]
    editable = [
        row.district
        for row in rows
        if user.has_perm(
            "reports.change_pdplan", row.record or PdPlan(year=year, district=row.district)
        )
    ]
    if not editable:
        return None
    return PlanFormSet(data, districts=editable, plans={row.district.pk: row.plan for row in rows})


def _with_conflicts(
    user, year, regions, formset: PlanFormSet, conflicts: services.PlansChangedMeanwhile
) -> PlanFormSet:
    """The numbers as the user typed them, each plan changed meanwhile marked with what it
    is now, and that now the plan as shown: saving again replaces it knowingly."""
    data = formset.data.copy()
    shown_names = {form.district.pk: form["planned_teachers"].html_initial_name for form in formset}
    for error in conflicts.error_list:
        stored = error.params["stored"]
        data[shown_names[error.params["district_id"]]] = "" if stored is None else str(stored)
    formset = _plan_formset(user, year, regions, data)
    formset.is_valid()
    forms = {form.district.pk: form for form in formset}
    for error in conflicts.error_list:
        forms[error.params["district_id"]].add_error("planned_teachers", error)
    return formset


def plan_list(request):
    if not request.user.has_perm("reports.view_pdplan"):
        raise PermissionDenied
    try:
        year = plan_year(request.GET.get("year"))
    except ValidationError as error:
        return render(request, "reports/plans.html", {"year_errors": error.messages}, status=400)
    regions = pd_plan_list(request.user, year)
    data = request.POST if request.method == "POST" else None
    formset = _plan_formset(request.user, year, regions, data)
    if request.method == "POST" and formset is None:
        raise PermissionDenied
    if request.method == "POST" and formset.is_valid():
        try:
            changed = services.pd_plans_save(
                year=year,
                plans=formset.changed_plans(),
                shown=formset.shown_plans(),
                actor=request.user,
            )
        except services.PlansChangedMeanwhile as conflicts:
            formset = _with_conflicts(request.user, year, regions, formset, conflicts)
        except (ValidationError, IntegrityError):
            messages.error(
                request,
                _("The plans were not saved: someone else set a plan at the same moment."),
            )
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
