"""The dashboard's report as a file (XLSX, CSV or PDF), queued and built by the worker."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..exports import render_report, report_filename
from ..forms import ReportFiltersForm, filters_query
from ..models import ReportExport
from ..selectors import dashboard

logger = logging.getLogger(__name__)


def report_export_create(*, user, query: str, file_format: str, language: str) -> ReportExport:
    """Queue the dashboard's report as a file, for the filters of `query` (the dashboard's
    query string); the worker builds it once the job is committed (report_export_run)."""
    from ..tasks import report_export_run_task

    if not user.has_perm("reports.export_report"):
        raise PermissionDenied
    form = ReportFiltersForm(QueryDict(query), user=user)
    if not form.is_valid():
        raise ValidationError(
            [message for messages in form.errors.values() for message in messages]
        )
    export = ReportExport(
        created_by=user,
        query=filters_query(form.filters()),
        file_format=file_format,
        language=language,
    )
    export.full_clean()
    with transaction.atomic():
        export.save()
        transaction.on_commit(lambda: report_export_run_task.delay(export.pk))
    return export


def report_export_run(*, export_id: int) -> ReportExport:
    """Build the export's file in its language, for its filters as its creator may see them
    today (a scope taken away since is not exported), with the progress committed section
    by section for the page's bar. Safe to run twice: a finished export is left as it is,
    an interrupted one starts over. A failure is recorded on the export and logged, for the
    page to show; it is not raised (retrying would only fail again the same way)."""
    export = ReportExport.objects.select_related("created_by").get(pk=export_id)
    if export.status == ReportExport.Status.DONE:
        return export
    export.status, export.processed_rows, export.failure = ReportExport.Status.RUNNING, 0, ""
    export.save(update_fields=["status", "processed_rows", "failure", "updated_at"])

    def progress(done: int, total: int) -> None:
        ReportExport.objects.filter(pk=export.pk).update(processed_rows=done, total_rows=total)

    try:
        with translation.override(export.language):
            form = ReportFiltersForm(QueryDict(export.query), user=export.created_by)
            if not form.is_valid():
                raise ValidationError(
                    _("These filters are no longer within your access: %(errors)s")
                    % {"errors": "; ".join(str(e) for es in form.errors.values() for e in es)}
                )
            figures = dashboard(export.created_by, form.filters())
            content = render_report(figures, export.file_format, progress=progress)
            name = report_filename(figures, export.file_format)
        # A folder per export: the file keeps its own name for the download.
        export.file.save(f"{export.pk}/{name}", ContentFile(content), save=False)
    except Exception as exc:
        logger.exception("Report export %s failed", export.pk)
        with translation.override(export.language):
            reason = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            export.failure = _("The report could not be prepared: %(error)s") % {"error": reason}
        export.status = ReportExport.Status.FAILED
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "failure", "finished_at", "updated_at"])
        return export
    export.refresh_from_db(fields=["total_rows"])
    export.status = ReportExport.Status.DONE
    export.processed_rows = export.total_rows
    export.finished_at = timezone.now()
    export.save()
    return export
