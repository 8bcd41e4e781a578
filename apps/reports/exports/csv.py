"""The report as CSV, the way Excel in Kazakh and Russian locales opens it (as the teacher
export writes it): semicolons between cells, UTF-8 with a byte-order mark, the figures
written as that locale parses numbers (33,3; no thousands separator). What the report
covers comes first, then the sections one after another, a blank line between them.
Every text is written as Excel keeps it text (`csv_text`): a course titled "=HYPERLINK(…)"
is not run as a formula."""

import csv
import io
from collections.abc import Callable

from apps.teachers.exports import CSV_DELIMITER, csv_text

from .content import TEXT, ReportContent, Section, number_text


def render(content: ReportContent, progress: Callable[[int, int], None]) -> bytes:
    stream = io.StringIO()
    stream.write("\ufeff")
    writer = csv.writer(stream, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([csv_text(content.title)])
    writer.writerows([csv_text(label), csv_text(value)] for label, value in content.details)
    for number, section in enumerate(content.sections, 1):
        writer.writerow([])
        _write_section(writer, section)
        progress(number, len(content.sections))
    return stream.getvalue().encode("utf-8")


def _write_section(writer, section: Section) -> None:
    writer.writerow([csv_text(section.title)])
    if section.note:
        writer.writerow([csv_text(section.note)])
    writer.writerow([csv_text(column.label) for column in section.columns])
    rows = [*section.rows, section.total] if section.total is not None else section.rows
    for values in rows:
        writer.writerow(
            [
                csv_text(value) if column.kind == TEXT else number_text(value, grouping=False)
                for column, value in zip(section.columns, values, strict=True)
            ]
        )
