"""Attestation commissions: the list, creating and renaming one (its body's staff), its
page with the members, the composition check, the applications and the sessions, seating
and unseating members, and forming it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.dates import short_date
from apps.courses.forms import add_service_error

from ..forms.commissions import CommissionFilterForm, CommissionForm, MemberForm
from ..models import Commission, CommissionMember
from ..selectors import commissions as selectors
from ..services import commissions as services

PAGE_SIZE = 25


def _commission_or_404(request, pk) -> Commission:
    try:
        return selectors.commission_get(user=request.user, pk=pk)
    except Commission.DoesNotExist:
        raise Http404 from None


def _manageable_or_403(request, pk) -> Commission:
    commission = _commission_or_404(request, pk)
    if not request.user.has_perm("attestation.manage_commissions", commission):
        raise PermissionDenied
    return commission


def commission_list(request):
    user = request.user
    if not (user.has_perm("attestation.view_queue") or user.has_perm("attestation.review")):
        raise PermissionDenied
    form = CommissionFilterForm(request.GET or None, user=user)
    commissions = selectors.commission_rows(
        selectors.visible_commissions(user, cycle=form.chosen_cycle())
    )
    page = Paginator(commissions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "attestation/commissions/list.html", context)


def commission_create(request):
    if not request.user.has_perm("attestation.manage_commissions"):
        raise PermissionDenied
    form = CommissionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            commission = services.commission_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_error(form, exc)
        except PermissionDenied:
            form.add_error("level", _("You cannot form the commission of this body."))
        else:
            messages.success(request, _("The commission has been created: now seat its members."))
            return redirect("attestation:commission_detail", pk=commission.pk)
    return render(request, "attestation/commissions/form.html", {"form": form})


def commission_update(request, pk):
    commission = _manageable_or_403(request, pk)
    initial = {"name_kk": commission.name_kk, "name_ru": commission.name_ru}
    form = CommissionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.commission_update(
                commission=commission, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The commission has been saved."))
            return redirect("attestation:commission_detail", pk=commission.pk)
    context = {"form": form, "commission": commission}
    return render(request, "attestation/commissions/form.html", context)


def render_commission(request, commission: Commission, **extra):
    """The commission's page; adding a member shows it again with the form's errors."""
    context = {
        "commission": commission,
        "members": selectors.commission_members(commission),
        "problems": services.composition_problems(commission),
        "late": selectors.formed_late(commission),
        "counts": selectors.commission_application_counts(commission),
        "sessions": selectors.commission_sessions(commission),
        "member_form": MemberForm(commission=commission),
        **extra,
    }
    return render(request, "attestation/commissions/detail.html", context)


def commission_detail(request, pk):
    return render_commission(request, _commission_or_404(request, pk))


def _say_back_to_forming(request, commission: Commission, was_formed: bool) -> None:
    if was_formed and commission.status == Commission.Status.FORMING:
        messages.warning(
            request,
            _(
                "The composition no longer meets the rules: the commission is being formed "
                "again. Correct it and form it once more."
            ),
        )


@require_POST
def member_add(request, pk):
    commission = _manageable_or_403(request, pk)
    form = MemberForm(request.POST, commission=commission)
    if form.is_valid():
        try:
            member = services.member_add(
                commission=commission, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s has been seated.") % {"name": member.full_name})
            _say_back_to_forming(
                request, member.commission, commission.status == Commission.Status.FORMED
            )
            return redirect("attestation:commission_detail", pk=commission.pk)
    return render_commission(request, commission, member_form=form)


@require_POST
def member_remove(request, pk):
    member = CommissionMember.objects.filter(pk=pk).first()
    if member is None:
        raise Http404
    commission = _manageable_or_403(request, member.commission_id)
    try:
        after = services.member_remove(member=member, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s has been unseated.") % {"name": member.full_name})
        _say_back_to_forming(request, after, commission.status == Commission.Status.FORMED)
    return redirect("attestation:commission_detail", pk=commission.pk)


@require_POST
def commission_form(request, pk):
    commission = _manageable_or_403(request, pk)
    try:
        commission = services.commission_form(commission=commission, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("attestation:commission_detail", pk=commission.pk)
    messages.success(request, _("The commission has been formed."))
    if selectors.formed_late(commission):
        messages.warning(
            request,
            _("Commissions were to be formed by %(date)s: this one is late.")
            % {"date": short_date(commission.cycle.commissions_formed_by)},
        )
    return redirect("attestation:commission_detail", pk=commission.pk)
