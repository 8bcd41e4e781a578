"""A teacher's category measures: the page with the current category, the grants, freezes
and sanctions, and a form for each measure the user may take; each form posts to its own
view, which shows the page again with the form's errors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.courses.forms import add_service_error
from apps.teachers.models import Teacher

from .. import selectors
from ..forms.special import (
    CategoryFreezeEndForm,
    CategoryFreezeForm,
    CategoryGrantForm,
    SanctionForm,
)
from ..models import CategoryFreeze
from ..selectors import special as measures
from ..services import special as services


def _teacher_or_404(request, pk) -> Teacher:
    teacher = selectors.teacher_find(user=request.user, pk=pk)
    if teacher is None:
        raise Http404
    return teacher


def _render_measures(request, teacher: Teacher, **forms):
    allowed = measures.allowed_measures(request.user, teacher)
    if not allowed:
        raise PermissionDenied
    context = {
        "teacher": teacher,
        "measures": measures.category_measures(teacher),
        "allowed": allowed,
        "grant_form": CategoryGrantForm(prefix="grant"),
        "freeze_form": CategoryFreezeForm(prefix="freeze"),
        "freeze_end_form": CategoryFreezeEndForm(prefix="return"),
        "sanction_form": SanctionForm(prefix="sanction", teacher=teacher),
        **forms,
    }
    return render(request, "attestation/special/measures.html", context)


def _take(request, holder: Teacher, *, perm, form, form_name, service, done, **arguments):
    """Check the permission on the holder of the category, run the service with the
    form's data, say what was done; on a refusal, the page again with the form's errors."""
    if not request.user.has_perm(perm, holder):
        raise PermissionDenied
    if form.is_valid():
        try:
            service(actor=request.user, **arguments, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("attestation:category_measures", pk=holder.pk)
    return _render_measures(request, holder, **{form_name: form})


def category_measures(request, pk):
    return _render_measures(request, _teacher_or_404(request, pk))


@require_POST
def category_grant(request, pk):
    teacher = _teacher_or_404(request, pk)
    return _take(
        request,
        teacher,
        perm="attestation.grant_category",
        form=CategoryGrantForm(request.POST, prefix="grant"),
        form_name="grant_form",
        service=services.category_grant_without_attestation,
        done=_("The category has been assigned without attestation."),
        teacher=teacher,
    )


@require_POST
def category_freeze(request, pk):
    teacher = _teacher_or_404(request, pk)
    return _take(
        request,
        teacher,
        perm="attestation.freeze_category",
        form=CategoryFreezeForm(request.POST, prefix="freeze"),
        form_name="freeze_form",
        service=services.category_freeze_start,
        done=_("The category has been frozen while the teacher is away."),
        teacher=teacher,
    )


@require_POST
def category_freeze_end(request, pk):
    try:
        freeze = measures.freeze_get(user=request.user, pk=pk)
    except CategoryFreeze.DoesNotExist:
        raise Http404 from None
    return _take(
        request,
        freeze.teacher,
        perm="attestation.freeze_category",
        form=CategoryFreezeEndForm(request.POST, prefix="return"),
        form_name="freeze_end_form",
        service=services.category_freeze_end,
        done=_("The return has been recorded and the category kept."),
        freeze=freeze,
    )


@require_POST
def category_pre_pension(request, pk):
    """A button without fields: a refusal is said above the page."""
    teacher = _teacher_or_404(request, pk)
    if not request.user.has_perm("attestation.grant_category", teacher):
        raise PermissionDenied
    try:
        services.category_pre_pension_keep(teacher=teacher, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The category is kept until the teacher's pension."))
    return redirect("attestation:category_measures", pk=teacher.pk)


@require_POST
def sanction_impose(request, pk):
    teacher = _teacher_or_404(request, pk)
    return _take(
        request,
        teacher,
        perm="attestation.impose_sanction",
        form=SanctionForm(request.POST, prefix="sanction", teacher=teacher),
        form_name="sanction_form",
        service=services.sanction_impose,
        done=_("The sanction has been imposed."),
        teacher=teacher,
    )
