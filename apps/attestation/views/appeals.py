"""Appeals: the teacher lodges one against a decision (from the application page); the
reviewing body lists them (those waiting first, the overdue flagged), reads one with its
history and answers it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.dates import short_date
from apps.core.pagination import paginate_by_ids
from apps.courses.forms import add_service_error

from ..forms.appeals import AppealDecideForm, AppealLodgeForm
from ..models import Appeal, Decision
from ..selectors import appeals as selectors
from ..services import appeals as services

PAGE_SIZE = 25


def _decision_or_404(request, pk) -> Decision:
    try:
        return selectors.decision_get(user=request.user, pk=pk)
    except Decision.DoesNotExist:
        raise Http404 from None


def _appeal_or_404(request, pk) -> Appeal:
    try:
        appeal = selectors.appeal_get(user=request.user, pk=pk)
    except Appeal.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("attestation.view_appeal", appeal):
        raise Http404
    return appeal


def appeal_lodge(request, pk):
    decision = _decision_or_404(request, pk)
    if not request.user.has_perm("attestation.lodge_appeal", decision.application):
        raise PermissionDenied
    form = AppealLodgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = services.appeal_lodge(
                decision=decision, actor=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Your appeal has been lodged. The answer is due by %(date)s.")
                % {"date": short_date(appeal.due_on)},
            )
            return redirect("attestation:appeal_detail", pk=appeal.pk)
    context = {
        "decision": decision,
        "application": decision.application,
        "lodge_until": services.appeal_lodge_until(decision),
        "form": form,
    }
    return render(request, "attestation/appeals/lodge.html", context)


def appeal_list(request):
    if not request.user.has_perm("attestation.view_appeals"):
        raise PermissionDenied
    page = paginate_by_ids(
        selectors.appeal_list(request.user),
        page_number=request.GET.get("page"),
        per_page=PAGE_SIZE,
        load=selectors.appeal_rows,
    )
    return render(request, "attestation/appeals/list.html", {"page": page})


def _render_appeal(request, appeal: Appeal, form: AppealDecideForm):
    context = {
        "appeal": appeal,
        "application": appeal.application,
        "decision": appeal.decision,
        "history": selectors.appeal_history(appeal),
        "form": form,
    }
    return render(request, "attestation/appeals/detail.html", context)


def appeal_detail(request, pk):
    return _render_appeal(request, _appeal_or_404(request, pk), AppealDecideForm())


@require_POST
def appeal_decide(request, pk):
    appeal = _appeal_or_404(request, pk)
    if not request.user.has_perm("attestation.review_appeal", appeal):
        raise PermissionDenied
    form = AppealDecideForm(request.POST)
    if form.is_valid():
        try:
            appeal = services.appeal_decide(
                appeal=appeal, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                # Answered meanwhile (another tab, a replayed form): nothing changed.
                messages.error(request, " ".join(exc.messages))
                return redirect("attestation:appeal_detail", pk=appeal.pk)
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("The appeal has been upheld: the application goes back to review.")
                if appeal.status == Appeal.Status.UPHELD
                else _("The appeal has been rejected: the decision stands."),
            )
            return redirect("attestation:appeal_detail", pk=appeal.pk)
    return _render_appeal(request, appeal, form)
