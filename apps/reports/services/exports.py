"""The dashboard's report as a file (XLSX, CSV or PDF), queued and built by the worker."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..exports import render_report, report_filename
from ..forms import ReportFiltersForm, filters_query
from ..models import ReportExport
from ..selectors import dashboard
from ..selectors.described import report_filters_described

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
    export.save()
    report_export_run_task.delay_on_commit(export.pk)
    return export


def report_export_run(*, export_id: int) -> ReportExport:
    """Build the export's file in its language, for its filters as its creator may see them
    today (a scope taken away since is not exported), with the progress committed section
    by section for the page's bar. Safe to run twice: a finished export is left as it is,
    an interrupted one starts over.

    A database that is unavailable for a moment (OperationalError) is raised for the task
    to retry, the export running meanwhile. Any other failure would only fail again the
    same way: it is recorded on the export for the page to show, in the export's language
    (filters no longer valid say why; anything else, a driver's or a file's error, is
    logged and the page says only that the report could not be prepared), not raised."""
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
            filters = form.filters()
            figures = dashboard(export.created_by, filters)
            described = report_filters_described(export.created_by, filters)
            fmt = export.file_format
            content = render_report(figures, fmt, described=described, progress=progress)
            name = report_filename(figures, fmt, described)
        # A folder per export: the file keeps its own name for the download.
        export.file.save(f"{export.pk}/{name}", ContentFile(content), save=False)
    except OperationalError:
        logger.warning("Report export %s interrupted; the task retries.", export.pk)
        raise
    except ValidationError as exc:
        logger.warning("Report export %s refused: %s", export.pk, exc.messages)
        with translation.override(export.language):
            reason = _("The report could not be prepared: %(error)s") % {"error": exc.messages[0]}
        return _failed(export, reason)
    except Exception:
        logger.exception("Report export %s failed", export.pk)
        with translation.override(export.language):
            reason = _("The report could not be prepared. Please try again later.")
        return _failed(export, reason)
    export.refresh_from_db(fields=["total_rows"])
    export.status = ReportExport.Status.DONE
    export.processed_rows = export.total_rows
    export.finished_at = timezone.now()
    export.save()
    return export


def _failed(export: ReportExport, reason: str) -> ReportExport:
    export.status, export.failure = ReportExport.Status.FAILED, reason
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "failure", "finished_at", "updated_at"])
    return export
