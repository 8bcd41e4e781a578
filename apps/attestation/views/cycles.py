"""Attestation cycles: the list, a cycle's dates and rules, preparing, editing, opening and
closing one (regional administrators)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.courses.forms import add_service_error

from .. import selectors, services
from ..forms import CategoryRuleFormSet, CycleForm, CycleStatusForm, rule_values
from ..models import AttestationCycle


def _cycle_or_404(request, pk) -> AttestationCycle:
    try:
        return selectors.cycle_get(user=request.user, pk=pk)
    except AttestationCycle.DoesNotExist:
        raise Http404 from None


def cycle_list(request):
    cycles = selectors.cycle_list(request.user).order_by("-application_opens", "-pk")
    return render(request, "attestation/cycle_list.html", {"cycles": cycles})


def cycle_create(request):
    if not request.user.has_perm("attestation.manage_cycles"):
        raise PermissionDenied
    regions = selectors.cycle_regions(request.user)
    form = CycleForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_create(
                actor=request.user, region=form.cleaned_data["region"], **form.service_kwargs()
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("The cycle has been prepared with the default rules: check them, then open it."),
            )
            return redirect("attestation:cycle_detail", pk=cycle.pk)
    return render(request, "attestation/cycle_form.html", {"form": form})


def cycle_detail(request, pk):
    cycle = _cycle_or_404(request, pk)
    context = {
        "cycle": cycle,
        "rules": selectors.cycle_rules(cycle),
        "criteria": cycle.observation_criteria.all(),
    }
    return render(request, "attestation/cycle_detail.html", context)


def cycle_update(request, pk):
    cycle = _cycle_or_404(request, pk)
    if not request.user.has_perm("attestation.manage_cycles", cycle):
        raise PermissionDenied
    if cycle.status == AttestationCycle.Status.CLOSED:
        messages.error(request, _("A closed cycle can no longer be changed."))
        return redirect("attestation:cycle_detail", pk=cycle.pk)
    data = request.POST or None
    form = CycleForm(data, instance=cycle)
    rules = CategoryRuleFormSet(data, queryset=selectors.cycle_rules_for_edit(cycle))
    rule_errors = []
    if request.method == "POST" and form.is_valid() and rules.is_valid():
        try:
            services.cycle_update(
                cycle=cycle, actor=request.user, rules=rule_values(rules), **form.service_kwargs()
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):  # the table's errors are shown above the table
                rule_errors = [m for e in exc.error_dict.pop("rules", []) for m in e.messages]
            add_service_error(form, exc)
        else:
            messages.success(request, _("The cycle has been saved."))
            return redirect("attestation:cycle_detail", pk=cycle.pk)
    context = {"form": form, "rules": rules, "rule_errors": rule_errors, "cycle": cycle}
    return render(request, "attestation/cycle_form.html", context)


@require_POST
def cycle_status(request, pk):
    cycle = _cycle_or_404(request, pk)
    form = CycleStatusForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        cycle = services.cycle_set_status(
            cycle=cycle, actor=request.user, status=form.cleaned_data["status"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The %(year)s cycle is now “%(status)s”.")
            % {"year": cycle.school_year, "status": cycle.get_status_display()},
        )
    return redirect("attestation:cycle_detail", pk=cycle.pk)
