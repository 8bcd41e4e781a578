"""The report's exports: asked for from the dashboard, built by the worker, followed on a
progress page, downloaded by whoever asked for them.

Every export goes through the worker, however small: the report is a few aggregate queries
and a second of writing, but one path keeps the progress page, the stored file and the
failure handling the same for a school and for the region (the worker runs eagerly in
tests, and `make run` starts one)."""

import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from .. import services
from ..exports import CONTENT_TYPES
from ..models import ReportExport


@require_POST
def export_create(request, fmt):
    if not request.user.has_perm("reports.export_report"):
        raise PermissionDenied
    query = request.POST.get("query", "")
    try:
        export = services.report_export_create(
            user=request.user,
            query=query,
            file_format=fmt,
            language=request.POST.get("language") or request.user.preferred_language,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(f"{reverse('reports:dashboard')}?{query}")
    return redirect("reports:export_detail", pk=export.pk)


def _export_or_404(request, pk) -> ReportExport:
    export = ReportExport.objects.filter(pk=pk).first()
    if export is None or not request.user.has_perm("reports.view_export", export):
        raise Http404
    return export


@require_GET
def export_detail(request, pk):
    """The export's page, or (polled by htmx while it runs) its progress partial, which
    offers the download once the file is ready."""
    export = _export_or_404(request, pk)
    template = "reports/_export_job.html" if request.htmx else "reports/export_detail.html"
    return render(request, template, {"export": export})


@require_GET
def export_download(request, pk):
    export = _export_or_404(request, pk)
    if export.status != ReportExport.Status.DONE or not export.file:
        raise Http404
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=os.path.basename(export.file.name),
        content_type=CONTENT_TYPES[export.file_format],
    )
