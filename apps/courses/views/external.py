"""External PD certificates: a teacher's upload, the reviewers' queue, review, and the
private scan served only to those who may see it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from apps.core.files import SERVED_AS

from .. import selectors, services
from ..forms import ExternalReviewForm, ExternalTrainingForm, add_service_error
from ..models import ExternalTraining

PAGE_SIZE = 25


def _item_or_404(request, pk) -> ExternalTraining:
    try:
        item = selectors.external_training_get(user=request.user, pk=pk)
    except ExternalTraining.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("courses.view_external_training", item):
        raise PermissionDenied
    return item


def external_create(request):
    """A teacher adds PD taken elsewhere to their own record."""
    teacher = getattr(request.user, "teacher", None)
    if teacher is None or not request.user.has_perm("courses.add_external_training"):
        raise PermissionDenied
    form = ExternalTrainingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.external_training_create(
                teacher=teacher, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            # Errors by field come from the model; the others are about the file's content.
            if hasattr(exc, "error_dict"):
                add_service_error(form, exc)
            else:
                form.add_error("file", exc)
        else:
            messages.success(
                request, _("The certificate has been uploaded and waits for confirmation.")
            )
            return redirect("courses:external_detail", pk=item.pk)
    return render(request, "courses/external_form.html", {"form": form, "teacher": teacher})


def external_list(request):
    """The reviewers' queue: uploads of teachers in their scope, by status."""
    if not request.user.has_perm("courses.review_external_trainings"):
        raise PermissionDenied
    status = request.GET.get("status")
    if status not in ExternalTraining.Status.values:
        status = ExternalTraining.Status.PENDING
    items = selectors.external_trainings_for_review(request.user)
    page = Paginator(items.filter(status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "courses/external_list.html",
        {
            "page": page,
            "status": status,
            "tabs": selectors.external_review_counts(request.user),
            "query": f"status={status}",
        },
    )


def external_detail(request, pk):
    item = _item_or_404(request, pk)
    if request.method == "POST" and not request.user.has_perm(
        "courses.review_external_training", item
    ):
        raise PermissionDenied
    form = ExternalReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirm = form.cleaned_data["decision"] == ExternalReviewForm.CONFIRM
        try:
            services.external_training_review(
                item=item, actor=request.user, confirm=confirm, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if confirm:
                messages.success(request, _("The certificate has been confirmed."))
            else:
                messages.success(request, _("The certificate has been rejected."))
            return redirect("courses:external_list")
    return render(request, "courses/external_detail.html", {"item": item, "form": form})


def external_file(request, pk):
    """The scan, inline, with the type found by its content when it was uploaded."""
    item = _item_or_404(request, pk)
    content_type, extensions = SERVED_AS[item.file_type]
    response = FileResponse(
        item.file.open("rb"),
        content_type=content_type,
        filename=f"external-pd-{item.pk}.{extensions[0]}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    return response
