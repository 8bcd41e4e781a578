"""Open an uploaded XLSX or CSV file as a header and a stream of rows, whatever its name says."""

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .columns import guess_mapping

HEADER_SEARCH_ROWS = 10  # non-empty rows searched for the header
MIN_HEADER_FIELDS = 2
# A zip that unpacks to more than this many times the upload limit is a zip bomb, not a sheet
# (text-heavy sheets compress about 10 times).
MAX_UNPACK_RATIO = 100


class ImportFileError(Exception):
    """A file we cannot read at all; .message is a translated user-facing sentence, .code a slug."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = str(message)
        self.code = code


@dataclass
class Table:
    format: str  # "xlsx" or "csv"
    sheet_names: list[str]  # all worksheets ([] for CSV)
    sheet: str | None  # the sheet read
    header: list[str]  # header cells as text (stripped), trailing empty cells dropped
    header_row: int  # 1-based row number of the header in the file/sheet
    # (1-based row number, cells): str/int/float/bool/date/datetime/None; empty rows skipped; a row
    # is padded with None to len(header). A CSV row number is the record's number, which is
    # the row Excel shows even when a quoted cell spans several lines.
    rows: Iterator[tuple[int, list]]
    encoding: str | None  # CSV: "utf-8-sig", "utf-8", "cp1251" or "utf-16"
    delimiter: str | None  # CSV: ",", ";" or "\t"
    mapping: dict[int, str] = field(default_factory=dict)  # columns.guess_mapping(header)
    _close: Callable[[], None] | None = field(default=None, repr=False)

    def close(self) -> None:
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> "Table":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def open_table(
    path: Path,
    *,
    filename: str,
    sheet: str | None = None,
    max_bytes: int | None = None,
) -> Table:
    """Detect the file's real type by its content and open it; raise ImportFileError if we can't."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError(_("The file is empty."), code="empty")
    if max_bytes is not None and size > max_bytes:
        raise ImportFileError(
            _(
                "The file is too large (%(size)s); at most %(max)s can be imported at once. "
                "Split it into smaller files."
            )
            % {"size": filesizeformat(size), "max": filesizeformat(max_bytes)},
            code="too_large",
        )
    with path.open("rb") as stream:
        magic = stream.read(8)
    if magic.startswith(_OLE2_MAGIC):
        _raise_for_ole2(path.read_bytes())
    if magic.startswith(_ZIP_MAGIC):
        return _open_zip(path, filename=filename, sheet=sheet, max_bytes=max_bytes)
    return _open_csv(path.read_bytes(), filename=filename)


# --- what a file is -------------------------------------------------------------------------

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_KINDS = {
    "pdf": gettext_lazy("a PDF document"),
    "image": gettext_lazy("an image"),
    "program": gettext_lazy("a program"),
    "archive": gettext_lazy("a compressed archive"),
    "word": gettext_lazy("a Word document"),
    "presentation": gettext_lazy("a presentation"),
    "ods": gettext_lazy("an OpenDocument spreadsheet (.ods)"),
    "xlsb": gettext_lazy("an Excel binary workbook (.xlsb)"),
    "html": gettext_lazy("a web page (HTML)"),
    "xml": gettext_lazy("an XML file"),
    "rtf": gettext_lazy("a rich text (RTF) document"),
    "binary": gettext_lazy("a binary file"),
}
_MAGIC = (
    (b"%PDF", "pdf"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"\x7fELF", "program"),
    (b"Rar!", "archive"),
    (b"7z\xbc\xaf", "archive"),
    (b"\x1f\x8b", "archive"),
)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x1a")


def _unsupported(kind: str) -> ImportFileError:
    return ImportFileError(
        _(
            "The file is %(kind)s, which cannot be imported. "
            "Upload an Excel workbook (.xlsx) or a CSV file."
        )
        % {"kind": _KINDS[kind]},
        code="unsupported_type",
    )


def _damaged() -> ImportFileError:
    return ImportFileError(
        _(
            "The file cannot be read: it is damaged or was not saved completely. "
            "Open it in Excel, save it again and upload the new file."
        ),
        code="damaged",
    )


def _is_xlsx_name(filename: str) -> bool:
    return Path(filename).suffix.lower() in (".xlsx", ".xlsm")


def _raise_for_ole2(data: bytes) -> None:
    # Excel saves a password-protected .xlsx inside an OLE2 file with this stream.
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise ImportFileError(
            _(
                "The workbook is protected with a password. Open it in Excel, remove the "
                "password, save it and upload it again."
            ),
            code="encrypted",
        )
    if "WordDocument".encode("utf-16-le") in data:
        raise _unsupported("word")
    raise ImportFileError(
        _(
            "This is an old Excel 97–2003 file (.xls), which cannot be imported. Open it in "
            "Excel, save it as “Excel Workbook (*.xlsx)” and upload that file."
        ),
        code="xls_not_supported",
    )


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    # Other binaries (a Windows program, a BMP) have NUL or control bytes that text has not.
    if b"\x00" in data:
        return "binary"
    sample = data[:65536]
    if len(sample) - len(sample.translate(None, _CONTROL_BYTES)) > len(sample) // 100:
        return "binary"
    return None


def _text_kind(text: str) -> str | None:
    start = text[:300].lstrip().lower()
    if start.startswith(("<!doctype html", "<html", "<table", "<meta")):
        return "html"  # what many web systems save under an .xls name
    if start.startswith("<?xml"):
        return "xml"
    if start.startswith("{\\rtf"):
        return "rtf"
    return None


# --- header detection, shared by both formats ------------------------------------------------


def _is_blank(cells: list) -> bool:
    for cell in cells:
        if cell is None:
            continue
        if cell.__class__ is str:
            if cell and not cell.isspace():
                return False
        else:
            return False
    return True


def _header_texts(cells: list) -> list[str]:
    texts = ["" if cell is None else str(cell).strip() for cell in cells]
    while texts and not texts[-1]:
        texts.pop()
    return texts


def _split_header(
    rows: Iterator[tuple[int, list]], *, no_rows_error: Callable[[], ImportFileError]
) -> tuple[int, list[str], dict[int, str], list[tuple[int, list]]]:
    """Find the header among the first non-empty rows: (row number, texts, mapping, rows after)."""
    seen: list[tuple[int, list]] = []
    chosen = None
    for number, cells in rows:
        if _is_blank(cells):
            continue
        texts = _header_texts(cells)
        mapping = guess_mapping(texts)
        if len(mapping) >= MIN_HEADER_FIELDS:
            chosen = (number, texts, mapping)
            break
        seen.append((number, cells))
        if len(seen) == HEADER_SEARCH_ROWS:
            break
    if chosen is not None:
        after: list[tuple[int, list]] = []
    elif seen:
        # No row looks like a header: take the first one; the import will say which columns
        # it did not understand.
        number, cells = seen[0]
        texts = _header_texts(cells)
        chosen = (number, texts, guess_mapping(texts))
        after = seen[1:]
    else:
        raise ImportFileError(_("The file has no data: every row is empty."), code="empty")
    if not after:
        for number, cells in rows:
            if not _is_blank(cells):
                after.append((number, cells))
                break
        else:
            raise no_rows_error()
    return (*chosen, after)


def _data_rows(
    first: list[tuple[int, list]],
    rest: Iterable[tuple[int, list]],
    width: int,
    on_close: Callable[[], None] | None = None,
) -> Iterator[tuple[int, list]]:
    try:
        for number, cells in first:
            if len(cells) < width:
                cells = [*cells, *([None] * (width - len(cells)))]
            yield number, cells
        for number, cells in rest:
            if _is_blank(cells):
                continue
            if len(cells) < width:
                cells = [*cells, *([None] * (width - len(cells)))]
            yield number, cells
    finally:
        if on_close is not None:
            on_close()


# --- CSV -------------------------------------------------------------------------------------

_DELIMITERS = (";", ",", "\t")
_SEP_LINE = re.compile(r"sep=(.)\r?\n", re.IGNORECASE)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode Text" export.
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise _damaged() from None
    kind = _binary_kind(data)
    if kind:
        raise _unsupported(kind)
    bom = data.startswith(codecs.BOM_UTF8)
    encoding = "utf-8-sig" if bom else "utf-8"
    body = memoryview(data)[3:] if bom else data  # no copy of a file that may be large
    try:
        return str(body, "utf-8"), encoding
    except UnicodeDecodeError:
        pass
    # A UTF-8 file with a few broken bytes (a truncated last line, two files pasted
    # together) keeps its good text; reading it all as Windows-1251 would garble every
    # Cyrillic letter.
    replaced = str(body, "utf-8", "replace")
    broken = replaced.count("\ufffd")
    multibyte = len(data) - len(replaced)
    if multibyte >= 20 * broken:
        return replaced, encoding
    try:
        return data.decode("cp1251"), "cp1251"
    except UnicodeDecodeError:  # 0x98, the one byte Windows-1251 leaves undefined
        raise _unsupported("binary") from None


def _detect_delimiter(text: str) -> str:
    """The delimiter that splits the most sample rows into the same number (>1) of cells.

    Counting through the csv module ignores delimiters inside quotes; the most frequent row
    width wins, so a title line or a decimal comma in a ";" file does not mislead it.
    """
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        widths = []
        try:
            for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
                # Blank rows count too: Excel writes them as ";;;" at the table's width.
                if row:
                    widths.append(len(row))
                if len(widths) >= 50:
                    break
        except csv.Error:
            pass
        counts = Counter(w for w in widths if w > 1)
        if counts:
            width, frequency = counts.most_common(1)[0]
            if (frequency, width) > best_score:
                best, best_score = delimiter, (frequency, width)
    return best


def _lines(text: str) -> Iterator[str]:
    """The file's lines, made on demand: a StringIO would hold a second, 4-byte-per-letter
    copy of the whole text (a 23 MB file then peaks above 100 MB)."""
    if "\n" not in text and "\r" in text:  # "CSV (Macintosh)" from old Excel ends lines with CR
        text = text.replace("\r", "\n")
    find = text.find
    start = 0
    while True:
        end = find("\n", start) + 1
        if not end:
            if start < len(text):
                yield text[start:]
            return
        yield text[start:end]
        start = end


def _csv_records(reader) -> Iterator[tuple[int, list]]:
    number = 0
    try:
        for number, row in enumerate(reader, 1):
            yield number, row
    except csv.Error:
        raise ImportFileError(
            _(
                "The file cannot be read after row %(row)d: it is damaged or is not a valid "
                "CSV file (check the quotes in that row)."
            )
            % {"row": number},
            code="damaged",
        ) from None


def _open_csv(data: bytes, *, filename: str) -> Table:
    text, encoding = _decode(data)
    kind = _text_kind(text)
    if kind:
        raise _unsupported(kind)
    if _is_xlsx_name(filename):
        raise ImportFileError(
            _(
                "The file is named “%(filename)s” but it is not an Excel workbook. Open it in "
                "Excel and save it as “Excel Workbook (*.xlsx)” or as “CSV UTF-8”."
            )
            % {"filename": filename},
            code="not_xlsx",
        )
    # Excel writes and reads a first line "sep=;" naming the delimiter; it shows no row for it.
    sep = _SEP_LINE.match(text)
    if sep and sep.group(1) in _DELIMITERS:
        delimiter = sep.group(1)
        text = text[sep.end() :]
    else:
        delimiter = _detect_delimiter(text)
    records = _csv_records(csv.reader(_lines(text), delimiter=delimiter))
    number, header, mapping, after = _split_header(
        records,
        no_rows_error=lambda: ImportFileError(
            _("The file has a header row but no rows of data."), code="no_rows"
        ),
    )
    return Table(
        format="csv",
        sheet_names=[],
        sheet=None,
        header=header,
        header_row=number,
        rows=_data_rows(after, records, len(header)),
        encoding=encoding,
        delimiter=delimiter,
        mapping=mapping,
    )


# --- XLSX ------------------------------------------------------------------------------------
# python-calamine (Rust) reads the workbook: under 3 s for 67,000 rows, where openpyxl's
# read-only mode took 21 s. It loads the chosen sheet whole, as a dense grid from the first to
# the last cell that has a value (about 110 MB for 67,000 rows of 18 columns; a lone value far
# away, such as in XFD1048576, makes that grid huge: calamine issue #693). It gives numbers as
# floats, date cells as date or datetime, durations as timedelta, times of day as time, and
# empty and error cells as "". _cell() turns these into what the cleaning layer takes.

_ONE_DAY = dt.timedelta(days=1)
_EXACT_FLOAT = 2.0**53  # floats below this are exact integers when is_integer()


def _cell(value):
    cls = value.__class__
    if cls is str:
        if not value:
            return None
        # Excel keeps a carriage return as _x000D_, which calamine turns back into "\r".
        return value.replace("\r\n", "\n") if "\r" in value else value
    if cls is float:
        # Excel stores every number as a float: 900101300007.0 is the integer typed.
        if value.is_integer() and -_EXACT_FLOAT < value < _EXACT_FLOAT:
            return int(value)
        return value
    if cls is dt.timedelta:  # a duration format ([h]:mm): the number of days Excel stores
        return _cell(value / _ONE_DAY)
    if cls is dt.time:  # a time of day without a date: the fraction of a day Excel stores
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return _cell((seconds + value.microsecond / 1e6) / 86400)
    return value


def _sheet_rows(sheet: python_calamine.CalamineSheet) -> Iterator[tuple[int, list]]:
    """(row number, cells) for every row of the sheet, each ending at its last value."""
    start = sheet.start  # (row, column) of the first cell with a value, 0-based
    if start is None:  # no cell has a value (and iter_rows() would fail)
        return
    # iter_rows() yields the empty rows above the first value too, so that counting gives the
    # row numbers Excel shows, but starts each row at the first column that has a value.
    lead = [None] * start[1]
    cell = _cell
    for number, values in enumerate(sheet.iter_rows(), 1):
        cells = [*lead, *map(cell, values)] if lead else list(map(cell, values))
        while cells and cells[-1] is None:
            cells.pop()
        yield number, cells


def _zip_kind(archive: zipfile.ZipFile) -> str:
    names = archive.NameToInfo
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "word/document.xml" in names:
        return "word"
    if "ppt/presentation.xml" in names:
        return "presentation"
    if "mimetype" in names:
        mimetype = archive.read("mimetype")
        return "ods" if b"spreadsheet" in mimetype else "word"
    return "archive"


def _open_zip(path: Path, *, filename: str, sheet: str | None, max_bytes: int | None) -> Table:
    try:
        with zipfile.ZipFile(path) as archive:
            kind = _zip_kind(archive)
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise _damaged() from None
    if kind != "xlsx":
        if kind == "archive" and _is_xlsx_name(filename):
            raise ImportFileError(
                _(
                    "The file is named “%(filename)s” but it is not an Excel workbook. Open it "
                    "in Excel and save it as “Excel Workbook (*.xlsx)”."
                )
                % {"filename": filename},
                code="not_xlsx",
            )
        raise _unsupported(kind)
    if max_bytes is not None and unpacked > max_bytes * MAX_UNPACK_RATIO:
        raise ImportFileError(
            _("The workbook is too large to import. Split it into smaller files."),
            code="too_large",
        )
    try:
        with python_calamine.CalamineWorkbook.from_path(path) as book:
            name, names = _choose_sheet(book, sheet)
            # The sheet's cells are in memory from here on: the file can be closed.
            rows = _sheet_rows(book.get_sheet_by_name(name))
    except python_calamine.CalamineError:
        raise _damaged() from None
    try:
        number, header, mapping, after = _split_header(
            rows,
            no_rows_error=lambda: ImportFileError(
                _("The sheet “%(sheet)s” has a header row but no rows of data.") % {"sheet": name},
                code="no_rows",
            ),
        )
    except BaseException:
        rows.close()
        raise
    return Table(
        format="xlsx",
        sheet_names=names,
        sheet=name,
        header=header,
        header_row=number,
        rows=_data_rows(after, rows, len(header), on_close=rows.close),
        encoding=None,
        delimiter=None,
        mapping=mapping,
    )


def _choose_sheet(book: python_calamine.CalamineWorkbook, sheet: str | None) -> tuple[str, list]:
    """(name of the sheet to read, names of all worksheets)."""
    sheets = [s for s in book.sheets_metadata if s.typ == python_calamine.SheetTypeEnum.WorkSheet]
    names = [s.name for s in sheets]
    if not sheets:
        raise ImportFileError(_("The workbook has no sheets with data."), code="empty")
    if sheet is None:
        # The first sheet the user can see: templates often hide lookup lists in front.
        visible = python_calamine.SheetVisibleEnum.Visible
        return next((s.name for s in sheets if s.visible == visible), names[0]), names
    if sheet in names:
        return sheet, names
    # Sheet names are matched forgiving spaces and case, as people type them.
    wanted = " ".join(sheet.split()).casefold()
    chosen = next((n for n in names if " ".join(n.split()).casefold() == wanted), None)
    if chosen is None:
        raise ImportFileError(
            _("The workbook has no sheet “%(sheet)s”. Its sheets are: %(sheets)s.")
            % {"sheet": sheet, "sheets": ", ".join(names)},
            code="no_sheet",
        )
    return chosen, names
