"""The dashboard's report as a file: XLSX, CSV or PDF, in the active language.

`render_report(figures, fmt, progress=...)` builds the report's content once
(`content.report_content`) and hands it to the format's writer, so the three files carry
the same sections, figures and totals; the caller activates the report's language
(`translation.override`) around both the figures and the rendering, and gives the filters
in words (`selectors.described.report_filters_described`) to both the file and its name:
the writers look nothing up themselves.
"""

from collections.abc import Callable

from django.utils.text import get_valid_filename
from django.utils.translation import pgettext

from ..selectors import Dashboard
from ..selectors.described import FiltersDescribed, report_filters_described
from . import csv, pdf, xlsx
from .content import report_content

CONTENT_TYPES: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}
_WRITERS = {"xlsx": xlsx.render, "csv": csv.render, "pdf": pdf.render}


def render_report(
    figures: Dashboard,
    fmt: str,
    *,
    described: FiltersDescribed | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The report's file; `progress(done, total)` is called as each section is written.
    Without `described`, the filters are described for no one in particular (a report of
    no unit covers "all the teachers within your access")."""
    writer = _WRITERS[fmt]
    described = described or report_filters_described(None, figures.filters)
    return writer(report_content(figures, described), progress or _ignore)


def report_filename(figures: Dashboard, fmt: str, described: FiltersDescribed | None = None) -> str:
    """What the file is called: the report, the place and the period, in the active
    language, as a file system keeps it ("HR_report_Turkistan_region_2025-01-01_2025-12-31.pdf";
    storage would rename anything else). The download's header carries a name in Kazakh or
    Russian letters as UTF-8 (`content_disposition_header`)."""
    filters = figures.filters
    described = described or report_filters_described(None, filters)
    parts = (
        # Translators: the start of an exported report's file name (letters and spaces).
        pgettext("file name", "HR report"),
        described.scope if described.named else "",
        filters.period_start.isoformat(),
        filters.period_end.isoformat(),
    )
    # No dot but the extension's ("г. Туркестан"): storage takes all after a first dot for
    # the extension when it must make a name unique.
    stem = " ".join(" ".join(parts).replace(".", " ").split())
    return f"{get_valid_filename(stem)}.{fmt}"


def _ignore(done: int, total: int) -> None:
    """No one follows the progress."""


__all__ = ["CONTENT_TYPES", "render_report", "report_filename"]
