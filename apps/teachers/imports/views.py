"""Import pages: upload, map the columns, watch the check and the apply, download errors."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.pagination import paginate_by_ids

from ..exports import spreadsheet_response
from ..models import ImportJob
from . import selectors, services
from .forms import ImportMappingForm, ImportUploadForm


def _job_or_404(request, pk) -> ImportJob:
    try:
        job = selectors.import_job_get(user=request.user, pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("teachers.view_import", job):
        raise Http404
    return job


def import_list(request):
    if not request.user.has_perm("teachers.add_import"):
        raise PermissionDenied
    jobs = selectors.visible_import_jobs(request.user)
    page = paginate_by_ids(
        jobs.order_by("-created_at", "-id"),
        page_number=request.GET.get("page"),
        per_page=settings.TEACHER_LIST_PAGE_SIZE,
        load=lambda ids: jobs.filter(pk__in=ids),
    )
    return render(request, "teachers/imports/import_list.html", {"page": page, "query": ""})


def import_upload(request):
    if not request.user.has_perm("teachers.add_import"):
        raise PermissionDenied
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
                actor=request.user,
                uploaded_file=form.cleaned_data["file"],
                organization=form.cleaned_data["organization"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("teachers:import_detail", pk=job.pk)
    return render(request, "teachers/imports/import_upload.html", {"form": form})


def import_detail(request, pk):
    job = _job_or_404(request, pk)
    can_change = request.user.has_perm("teachers.change_import", job)
    form = None
    if job.status in (ImportJob.Status.UPLOADED, ImportJob.Status.CHECKED) and can_change:
        form = ImportMappingForm(request.POST or None, job=job)
        if request.method == "POST" and form.is_valid():
            try:
                services.import_job_configure(
                    job=job,
                    actor=request.user,
                    mapping=form.mapping(),
                    sheet=form.cleaned_data.get("sheet", ""),
                )
                services.import_job_request_check(job=job, actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("teachers:import_detail", pk=job.pk)
    context = {
        "job": job,
        "form": form,
        "can_change": can_change,
        "columns": _columns_with_samples(form, job) if form else [],
        "errors": job.row_errors.order_by("row_number")[:50],
        "poll_url": request.path,
    }
    if request.htmx:
        response = render(request, "includes/progress.html", context)
        if not job.is_running:
            response["HX-Refresh"] = "true"  # finished: show the whole result page
        return response
    return render(request, "teachers/imports/import_detail.html", context)


@require_POST
def import_apply(request, pk):
    job = _job_or_404(request, pk)
    try:
        job = services.import_job_request_apply(job=job, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if job.status == ImportJob.Status.DONE:
            messages.success(request, _("The import is complete."))
    return redirect("teachers:import_detail", pk=job.pk)


def import_errors(request, pk, fmt):
    job = _job_or_404(request, pk)
    header, rows = services.import_job_error_rows(job)
    name = _("import-%(id)s-errors") % {"id": job.pk}
    iin_columns = [int(i) for i, field in job.mapping.items() if field == "iin"]
    return spreadsheet_response(header, rows, fmt=fmt, filename=name, text_columns=iin_columns)


def _columns_with_samples(form, job):
    """Each column's choice box beside the first values of that column in the file."""
    preview = job.preview
    return [
        (field, [str(row[i]) for row in preview if i < len(row) and row[i] not in (None, "")])
        for i, field in enumerate(form.column_fields())
    ]
