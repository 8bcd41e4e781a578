"""Orders that put decisions into force (the list, a new order for a commission's or a
session's decisions, an order with its certificates' progress), the ministry's decisions
recorded as received, and category certificates (page, PDF, revocation)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from apps.certificates.forms import ReasonForm
from apps.courses.forms import add_service_error

from ..forms.orders import MinistryDecisionForm, OrderForm
from ..models import CategoryCertificate, Order
from ..selectors import orders as selectors
from ..services import orders as services
from .applications import application_or_404

PAGE_SIZE = 25


def order_list(request):
    if not request.user.has_perm("attestation.view_queue"):
        raise PermissionDenied
    page = Paginator(selectors.order_list(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "attestation/orders/order_list.html", {"page": page})


def _number(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def order_create(request):
    """?session=<pk> or ?commission=<pk> chooses whose decisions; without either, the
    commissions with decisions waiting are offered (or the only one is taken)."""
    if not request.user.has_perm("attestation.issue_orders"):
        raise PermissionDenied
    commission, session = selectors.order_source(
        user=request.user,
        commission_id=_number(request, "commission"),
        session_id=_number(request, "session"),
    )
    if commission is None:
        choices = selectors.orderable_commissions(request.user)
        if len(choices) != 1:
            return render(request, "attestation/orders/order_choose.html", {"choices": choices})
        commission = choices[0][0]
    decisions = selectors.orderable_decisions(
        user=request.user, commission=commission, session=session
    )
    form = OrderForm(request.POST or None, decisions=decisions, commission=commission)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_issue(actor=request.user, **form.cleaned_data)
        except PermissionDenied:
            form.add_error(None, _("You cannot issue orders for these decisions."))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            count = len(form.cleaned_data["decisions"])
            messages.success(
                request,
                ngettext(
                    "Order No. %(number)s is recorded: %(count)s category certificate issued.",
                    "Order No. %(number)s is recorded: %(count)s category certificates issued.",
                    count,
                )
                % {"number": order.number, "count": count},
            )
            return redirect("attestation:order_detail", pk=order.pk)
    context = {
        "form": form,
        "commission": commission,
        "session": session,
        "waiting": selectors.waiting_decisions(
            user=request.user, commission=commission, session=session
        ),
    }
    return render(request, "attestation/orders/order_form.html", context)


def order_detail(request, pk):
    try:
        order = selectors.order_get(user=request.user, pk=pk)
    except Order.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("attestation.view_order", order):
        raise Http404
    context = {
        "order": order,
        "decisions": selectors.order_decisions(order),
        "job": selectors.order_job(order),  # its progress polls the document job's page
    }
    return render(request, "attestation/orders/order_detail.html", context)


def ministry_decision_record(request, pk):
    application = application_or_404(request, pk)
    if not request.user.has_perm("attestation.record_ministry_decision", application):
        raise PermissionDenied
    form = MinistryDecisionForm(request.POST or None, application=application)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.ministry_decision_record(
                application=application, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The ministry's decision has been recorded."))
            if decision.order_id:
                return redirect("attestation:order_detail", pk=decision.order_id)
            return redirect("attestation:application_detail", pk=application.pk)
    context = {"form": form, "application": application}
    return render(request, "attestation/orders/ministry_decision_form.html", context)


def _certificate_or_404(request, pk) -> CategoryCertificate:
    try:
        certificate = selectors.category_certificate_get(user=request.user, pk=pk)
    except CategoryCertificate.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("attestation.view_category_certificate", certificate):
        raise PermissionDenied
    return certificate


def _certificate_page(request, certificate, *, revoke_form=None):
    context = {"certificate": certificate, "revoke_form": revoke_form or ReasonForm()}
    return render(request, "attestation/orders/category_certificate_detail.html", context)


def category_certificate_detail(request, pk):
    return _certificate_page(request, _certificate_or_404(request, pk))


def category_certificate_pdf(request, pk):
    certificate = _certificate_or_404(request, pk)
    if not certificate.pdf:  # the worker has not got to it yet
        certificate = services.category_certificate_render(certificate_id=certificate.pk)
    return FileResponse(
        certificate.pdf.open("rb"),
        filename=f"{certificate.register_number}.pdf",
        content_type="application/pdf",
    )


@require_POST
def category_certificate_revoke(request, pk):
    certificate = _certificate_or_404(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.category_certificate_revoke(
                certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The category certificate has been revoked."))
            return redirect("attestation:category_certificate_detail", pk=certificate.pk)
    return _certificate_page(request, certificate, revoke_form=form)
