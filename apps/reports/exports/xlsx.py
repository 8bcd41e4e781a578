"""The report as an Excel workbook: a first sheet saying what the report covers with a
contents list, then one sheet per section.

One sheet per section, not all on one: each section has its own header, and Excel freezes
panes once per sheet, so only a sheet of its own keeps every section's header in view as
its rows scroll (a region has dozens of positions and courses); each sheet is also a plain
table that sorts, filters and pivots without first cutting it out of the others. The
charts are the PDF's: a workbook is for working the figures further.

Every text goes in as a string cell (`_put`): openpyxl would make a formula of a name
typed as "=HYPERLINK(…)" (a course's title, an organisation's name), which Excel runs.
"""

import io
import re
from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from .content import PERCENT, TEXT, ReportContent, Section

INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0"
PERCENT_FORMAT = "0.0%"
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
NOTE_FONT = Font(italic=True, color="555555")
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
TOTAL_BORDER = Border(top=Side(style="thin"))
WRAP = Alignment(wrap_text=True, vertical="top")
# Excel's limits on a sheet's name: 31 characters, none of these.
SHEET_NAME_LENGTH = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# The row of a section's header: title, what the report covers, the note, then the table.
HEADER_ROW = 4


def render(content: ReportContent, progress: Callable[[int, int], None]) -> bytes:
    workbook = Workbook()
    cover = workbook.active
    cover.title = _sheet_name(_("Report"), set())
    names = {cover.title}
    sheets = []
    for number, section in enumerate(content.sections, 1):
        sheet = workbook.create_sheet(_sheet_name(f"{number}. {section.title}", names))
        names.add(sheet.title)
        _write_section(sheet, section, content)
        sheets.append(sheet)
        progress(number, len(content.sections))
    _write_cover(cover, content, sheets)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, taken: set[str]) -> str:
    name = SHEET_NAME_FORBIDDEN.sub(" ", title).strip()[:SHEET_NAME_LENGTH].rstrip()
    candidate, n = name, 2
    while candidate.casefold() in {each.casefold() for each in taken}:
        suffix = f" ({n})"
        candidate = name[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        n += 1
    return candidate


def _context_line(content: ReportContent) -> str:
    """The scope and the period, repeated on each sheet for whoever prints only one."""
    return " · ".join(value for _label, value in content.details[:2])


def _put(sheet: Worksheet, row: int, col: int, value) -> Cell:
    """The cell at (row, col) given `value`: a text stays text, whatever it starts with."""
    cell = sheet.cell(row, col, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _write_cover(sheet: Worksheet, content: ReportContent, sheets: list[Worksheet]) -> None:
    _put(sheet, 1, 1, content.title).font = TITLE_FONT
    row = 3
    for label, value in content.details:
        _put(sheet, row, 1, label).font = BOLD
        _put(sheet, row, 2, value)
        row += 1
    row += 1
    _put(sheet, row, 1, _("Contents")).font = BOLD
    for number, (section, target) in enumerate(zip(content.sections, sheets, strict=True), 1):
        row += 1
        cell = _put(sheet, row, 1, f"{number}. {section.title}")
        cell.hyperlink = f"#{quote_sheetname(target.title)}!A1"
        cell.style = "Hyperlink"
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 48


def _write_section(sheet: Worksheet, section: Section, content: ReportContent) -> None:
    _put(sheet, 1, 1, section.title).font = TITLE_FONT
    _put(sheet, 2, 1, _context_line(content))
    if section.note:
        _put(sheet, 3, 1, section.note).font = NOTE_FONT
    for col, column in enumerate(section.columns, 1):
        cell = _put(sheet, HEADER_ROW, col, column.label)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP
    row = HEADER_ROW
    for values in section.rows:
        row += 1
        _write_row(sheet, row, section, values)
    if section.total is not None:
        row += 1
        _write_row(sheet, row, section, section.total)
        for col in range(1, len(section.columns) + 1):
            cell = sheet.cell(row, col)
            cell.font, cell.border = BOLD, TOTAL_BORDER
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    _set_widths(sheet, section)


def _write_row(sheet: Worksheet, row: int, section: Section, values: list) -> None:
    for col, (column, value) in enumerate(zip(section.columns, values, strict=True), 1):
        if column.kind == PERCENT and value is not None:
            # A real percentage: Excel stores the fraction and shows it as 33.3%.
            value = value / 100
        cell = _put(sheet, row, col, value)
        if column.kind != TEXT:
            cell.number_format = _number_format(column.kind, value)


def _number_format(kind: str, value) -> str:
    if kind == PERCENT:
        return PERCENT_FORMAT
    return DECIMAL_FORMAT if isinstance(value, Decimal) else INTEGER_FORMAT


def _set_widths(sheet: Worksheet, section: Section) -> None:
    """The label column as wide as its longest label (within reason); the figures' columns
    as wide as their header words, so headers wrap to a line or two and never mid-word."""
    labels = [str(values[0]) for values in section.rows]
    if section.total:
        labels.append(str(section.total[0]))
    label_width = max((len(each) for each in [*labels, section.columns[0].label]), default=10)
    sheet.column_dimensions["A"].width = min(max(label_width + 2, 16), 60)
    for col, column in enumerate(section.columns[1:], 2):
        longest_word = max(len(word) for word in column.label.split())
        sheet.column_dimensions[get_column_letter(col)].width = max(12, longest_word + 3)
