"""Teacher records out to XLSX and CSV, in the user's language, re-importable unchanged.

The columns carry the import's own field labels and the values its look-ups understand
(BIN, names of positions, categories and subjects), so an exported file imports back with
zero changes.

A text a spreadsheet would run as a formula (a name typed as "=HYPERLINK(…)") stays text:
a string cell in a workbook, and in a CSV the apostrophe Excel takes for "this is text"
(OWASP's advice on CSV injection). The import reads such a cell back without the
apostrophe: the cleaning of texts drops it, and a phone number's "'+7…" is its digits.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .imports.columns import FIELDS
from .models import ExportJob, Teacher

EXPORT_FIELDS = [
    "iin",
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "sex",
    "organization_bin",
    "position",
    "subjects",
    "teaching_language",
    "experience_start",
    "education",
    "education_institution",
    "specialty",
    "category",
    "category_awarded_on",
    "category_valid_until",
    "phone",
    "email",
]
# Excel in Kazakh and Russian locales splits CSV columns on semicolons.
CSV_DELIMITER = ";"
# What makes a spreadsheet take a cell of a CSV for a formula (or a command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_header() -> list[str]:
    return [capfirst(str(FIELDS[name].label)) for name in EXPORT_FIELDS]


def export_rows(teachers: Iterable[Teacher]) -> Iterator[list]:
    """One list of cells per teacher (dates as dates; the writer formats them)."""
    for t in teachers:
        yield [
            t.iin,
            t.last_name,
            t.first_name,
            t.middle_name,
            t.birth_date,
            t.get_sex_display(),
            t.organization.bin,
            t.position.name,
            "; ".join(s.name for s in t.subjects.all()),
            t.teaching_language.name if t.teaching_language else "",
            t.experience_start,
            t.get_education_display(),
            t.education_institution,
            t.specialty,
            t.category.name if t.category else "",
            t.category_awarded_on,
            t.category_valid_until,
            t.phone,
            t.email,
        ]


def export_queryset(queryset):
    return queryset.select_related(
        "organization", "position", "category", "teaching_language"
    ).prefetch_related("subjects")


def in_chunks(queryset, size: int = 2000) -> Iterator:
    """The queryset's rows in its order, loaded a chunk of ids at a time (bounded memory
    without a server-side cursor)."""
    ids = list(queryset.values_list("pk", flat=True))
    base = queryset.model._default_manager.all()
    base._prefetch_related_lookups = queryset._prefetch_related_lookups
    base.query.select_related = queryset.query.select_related
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        rows = {row.pk: row for row in base.filter(pk__in=chunk)}
        yield from (rows[pk] for pk in chunk if pk in rows)


def write_csv(header: list, rows: Iterable[list], stream) -> None:
    """UTF-8 with a BOM, so that Excel opens Cyrillic and Kazakh letters correctly."""
    stream.write("\ufeff")
    writer = csv.writer(stream, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(c) for c in row])


def csv_text(value):
    """A CSV cell's text as Excel keeps it text: "'" before a formula's first character."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def _csv_cell(cell):
    if isinstance(cell, dt.date):
        return cell.strftime("%d.%m.%Y")
    return "" if cell is None else csv_text(cell)


def write_xlsx(header: list, rows: Iterable[list], stream, *, text_columns=(0,)) -> None:
    """A sheet with a bold, frozen header; IINs stay text (Excel would round a number)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def header_cell(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        return cell

    sheet.append([header_cell(h) for h in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, c, as_text=i in text_columns) for i, c in enumerate(row)])
    workbook.save(stream)


def _xlsx_cell(sheet, value, *, as_text):
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD.MM.YYYY"
        return cell
    if as_text and value is not None:
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.number_format = "@"
        cell.data_type = "s"
        return cell
    if isinstance(value, str) and value.startswith("="):
        # openpyxl makes a formula of any other text that starts so.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def spreadsheet_response(
    header, rows, *, fmt: str, filename: str, text_columns=(0,)
) -> HttpResponse:
    response = HttpResponse(content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename}.{fmt}"
    )
    if fmt == "csv":
        buffer = io.StringIO()
        write_csv(header, rows, buffer)
        response.write(buffer.getvalue().encode("utf-8"))
    else:
        write_xlsx(header, rows, response, text_columns=text_columns)
    return response


def export_job_create(*, actor, query: str, fmt: str, language: str) -> ExportJob:
    """Queue a large export; the worker builds the file (see export_job_run)."""
    from .tasks import export_job_run_task

    job = ExportJob.objects.create(
        created_by=actor, query=query, file_format=fmt, language=language
    )
    export_job_run_task.delay_on_commit(job.pk)
    return job


def export_job_run(*, job_id: int) -> ExportJob:
    """Build the file in the creator's language and scope, with progress on the job row."""
    from django.http import QueryDict
    from django.utils import translation

    from .filters import TeacherFilter
    from .selectors import visible_teachers

    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return job
    job.status = ExportJob.Status.RUNNING
    job.processed_rows = 0
    job.save(update_fields=["status", "processed_rows", "updated_at"])
    try:
        with translation.override(job.language):
            filterset = TeacherFilter(
                QueryDict(job.query),
                queryset=visible_teachers(job.created_by),
                user=job.created_by,
            )
            queryset = filterset.qs if filterset.is_valid() else Teacher.objects.none()
            job.total_rows = queryset.count()
            job.save(update_fields=["total_rows"])
            content = _build_file(job, export_queryset(queryset))
            name = f"teachers-{job.pk}.{job.file_format}"
            job.file.save(name, content, save=False)
    except Exception as exc:
        job.status = ExportJob.Status.FAILED
        job.failure = str(exc)[:2000]
        job.save(update_fields=["status", "failure", "updated_at"])
        raise
    job.status = ExportJob.Status.DONE
    job.processed_rows = job.total_rows
    job.finished_at = timezone.now()
    job.save()
    return job


def _build_file(job, queryset):
    from django.core.files.base import ContentFile

    def counted(rows):
        for n, row in enumerate(rows, 1):
            if n % 2000 == 0:
                ExportJob.objects.filter(pk=job.pk).update(processed_rows=n)
            yield row

    rows = counted(export_rows(in_chunks(queryset)))
    if job.file_format == "csv":
        buffer = io.StringIO()
        write_csv(export_header(), rows, buffer)
        return ContentFile(buffer.getvalue().encode("utf-8"))
    buffer = io.BytesIO()
    write_xlsx(export_header(), rows, buffer)
    return ContentFile(buffer.getvalue())
