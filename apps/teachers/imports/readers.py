"""Open an uploaded XLSX or CSV file as a header and a stream of rows, whatever its name says."""

import codecs
import csv
import functools
import html
import io
import posixpath
import re
import string

# Untrusted XML is safe enough here: expat >= 2.4 limits entity expansion (billion laughs) and
# ElementTree fetches no external entities.
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from .columns import guess_mapping

HEADER_SEARCH_ROWS = 10  # non-empty rows searched for the header
MIN_HEADER_FIELDS = 2
# A zip that unpacks to more than this many times the upload limit is a zip bomb, not a sheet
# (text-heavy sheets compress about 10 times).
MAX_UNPACK_RATIO = 100
_CHUNK = 1 << 20
_STUCK = 8 * _CHUNK


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
    # (1-based row number, cells): str/int/float/bool/datetime/None; empty rows skipped; a row
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
# Sheets are read by a streaming parser of our own rather than openpyxl: openpyxl's read-only
# mode took 21 s for 67,000 rows on the development machine (8 s of it building the shared
# strings), this parser 3 s, against an import budget of a few seconds. It reads what an
# import needs (values, shared and inline strings, dates by cell style, the 1904 epoch),
# takes openpyxl's number-format rules, and is tested against openpyxl on many shapes of file.

# Element names may carry any namespace prefix ("x:row" from some .NET writers).
_P = rb"<(?:[\w.-]+:)?"
_END = rb"</(?:[\w.-]+:)?"
_ROW = re.compile(
    _P + rb"row\b(?:(?=[^>]*?\sr\s*=\s*[\"'](\d+)))?[^>]*?(?:/>|>(.*?)" + _END + rb"row\s*>)",
    re.S,
)
_ROW_OPEN = re.compile(_P + rb"row\b")
_ROW_NUMBER = re.compile(rb"\sr\s*=\s*[\"'](\d+)")
_ROW_NAME_END = frozenset(b" \t\r\n/>")
_ROOT = re.compile(rb"<([\w.-]+:)?worksheet\b")
# A cell as Excel and most writers put it: r, s, t in this order, then an optional formula
# and the value, or an inline string as openpyxl writes it. A row whose cells all have this
# shape is read with this one pattern; any other row goes through _CELL.
_PLAIN_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")?(?: (?![rst]=)[\w:]+="[^"]*")*'
    rb"(?:/>|>(?:<f>[^<]*</f>|<f [^>]*/>|<f [^>]*>[^<]*</f>)?<v>([^<]*)</v></c>"
    rb'|><is><t(?: xml:space="preserve")?>([^<]*)</t></is></c>)'
)
# Any cell: column letters, type and style in any order, then either the <v> of the usual
# shape or, for inline strings and anything unusual, the whole inside.
_CELL = re.compile(
    _P + rb"c\b"
    rb"(?:(?=[^>]*?\sr\s*=\s*[\"']([A-Za-z]{1,3})\d))?"
    rb"(?:(?=[^>]*?\ss\s*=\s*[\"'](\d+)))?"
    rb"(?:(?=[^>]*?\st\s*=\s*[\"'](\w+)))?"
    rb"[^>]*?(?:/>"
    rb"|>\s*(?:" + _P + rb"f\b[^>]*?(?:/>|>[^<]*" + _END + rb"f\s*>)\s*)?"
    rb"" + _P + rb"v(?:\s[^>]*)?>([^<]*)" + _END + rb"v\s*>\s*" + _END + rb"c\s*>"
    rb"|>(.*?)" + _END + rb"c\s*>)",
    re.S,
)
_VALUE = re.compile(_P + rb"v(?:\s[^>]*)?>([^<]*)" + _END + rb"v\s*>")
_TEXT = re.compile(_P + rb"t(?:\s[^>]*)?>([^<]*)" + _END + rb"t\s*>")
_PHONETIC = re.compile(_P + rb"rPh\b.*?" + _END + rb"rPh\s*>", re.S)
# A shared string: plain text (group 1), or rich text runs (group 2) read by _rich_text.
_SHARED_ITEM = re.compile(
    _P + rb"si\b[^>]*?(?:/>"
    rb"|>\s*" + _P + rb"t(?:\s[^>]*)?>([^<]*)" + _END + rb"t\s*>\s*" + _END + rb"si\s*>"
    rb"|>(.*?)" + _END + rb"si\s*>)",
    re.S,
)
# OOXML escapes characters XML cannot hold as _xHHHH_ (a carriage return is _x000D_).
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_MAIN_RELS = "xl/_rels/workbook.xml.rels"
# What a broken package raises while it is read: bad zip data, bad XML, missing parts, a
# shared string index out of range, a number that is not one.
_DAMAGED_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    ET.ParseError,
    KeyError,
    IndexError,
    ValueError,
    EOFError,
    OSError,
)


def _xml_text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    if "&" in text:
        text = html.unescape(text)
    if "_x" in text:
        text = _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


def _rich_text(raw: bytes) -> str:
    """The text of <si> or <is>: plain <t>, or the runs of rich text without phonetic hints."""
    if b"rPh" in raw:
        raw = _PHONETIC.sub(b"", raw)
    return "".join(_xml_text(part) for part in _TEXT.findall(raw))


@functools.lru_cache(maxsize=1 << 15)
def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + char - 64
    return index - 1


def _excel_datetime(value, epoch):
    """Serial number -> datetime as openpyxl gives it; the number itself if it is no date."""
    try:
        result = from_excel(value, epoch)
    except (OverflowError, ValueError):
        return value
    return result if hasattr(result, "year") else value  # a time of day stays a number


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class _Workbook:
    """The parts of an XLSX package an import needs; the sheet itself is streamed."""

    def __init__(self, path: Path, *, max_unpacked: int | None):
        self.zip = zipfile.ZipFile(path)
        try:
            self._read_structure(max_unpacked)
        except Exception:
            self.zip.close()
            raise

    def _read_structure(self, max_unpacked: int | None) -> None:
        unpacked = sum(info.file_size for info in self.zip.infolist())
        if max_unpacked is not None and unpacked > max_unpacked:
            raise ImportFileError(
                _("The workbook is too large to import. Split it into smaller files."),
                code="too_large",
            )
        workbook = ET.fromstring(self.zip.read("xl/workbook.xml"))  # noqa: S314
        targets, types = {}, {}
        if _MAIN_RELS in self.zip.NameToInfo:
            for rel in ET.fromstring(self.zip.read(_MAIN_RELS)):  # noqa: S314
                target = rel.get("Target", "")
                target = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join("xl", target))
                )
                targets[rel.get("Id")] = target
                types[rel.get("Id")] = rel.get("Type", "").rpartition("/")[2]
        self.date1904 = False
        self.sheets: list[tuple[str, str, str]] = []  # (name, state, part)
        for element in workbook.iter():
            name = _local(element.tag)
            if name == "workbookPr":
                self.date1904 = element.get("date1904", "").lower() in ("1", "true")
            elif name == "sheet":
                rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
                if types.get(rel_id) == "worksheet" and targets[rel_id] in self.zip.NameToInfo:
                    self.sheets.append(
                        (element.get("name", ""), element.get("state", "visible"), targets[rel_id])
                    )
        self.shared_strings_part = next(
            (targets[i] for i, kind in types.items() if kind == "sharedStrings"),
            "xl/sharedStrings.xml",
        )
        self.styles_part = next(
            (targets[i] for i, kind in types.items() if kind == "styles"), "xl/styles.xml"
        )

    def close(self) -> None:
        self.zip.close()

    def shared_strings(self) -> list[str]:
        if self.shared_strings_part not in self.zip.NameToInfo:
            return []
        data = self.zip.read(self.shared_strings_part)
        return [
            _xml_text(plain) if plain else _rich_text(rich) if rich else ""
            for plain, rich in _SHARED_ITEM.findall(data)
        ]

    def date_styles(self) -> frozenset[bytes]:
        """Cell style indexes (as the bytes of the s attribute) whose number format is a date."""
        if self.styles_part not in self.zip.NameToInfo:
            return frozenset()
        root = ET.fromstring(self.zip.read(self.styles_part))  # noqa: S314
        custom: dict[int, str] = {}
        styles: list[int] = []
        for element in root:
            name = _local(element.tag)
            if name == "numFmts":
                for fmt in element:
                    custom[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
            elif name == "cellXfs":
                styles = [int(xf.get("numFmtId", "0")) for xf in element]
        dates = set()
        for index, fmt_id in enumerate(styles):
            code = custom[fmt_id] if fmt_id in custom else builtin_format_code(fmt_id)
            if is_date_format(code) and not is_timedelta_format(code):
                dates.add(str(index).encode())
        return frozenset(dates)

    def rows(self, part: str) -> Iterator[tuple[int, list]]:
        """(row number, cells) for every row that has a value, in file order."""
        epoch = MAC_EPOCH if self.date1904 else WINDOWS_EPOCH
        try:
            shared = self.shared_strings()
            date_styles = self.date_styles()
            with self.zip.open(part) as stream:
                yield from _sheet_rows(stream, shared, date_styles, epoch)
        except _DAMAGED_ERRORS:
            raise _damaged() from None


def _sheet_rows(stream, shared: list[str], date_styles: frozenset, epoch) -> Iterator:
    data = stream.read(_CHUNK)
    root = _ROOT.search(data)
    while root is None and len(data) < 1 << 16:  # the root tag tells whether names are prefixed
        more = stream.read(_CHUNK)
        if not more:
            break
        data += more
        root = _ROOT.search(data)
    if root and root.group(1):
        yield from _pattern_sheet_rows(data, stream, shared, date_styles, epoch)
        return
    # Unprefixed XML, as nearly every writer makes it: rows are found with bytes.find, several
    # times faster than a pattern that must try "</row>" at every byte.
    row_number = 0
    while True:
        chunk = stream.read(_CHUNK)  # read ahead: an empty one means data is the last piece
        pos = 0
        find = data.find
        while True:
            start = find(b"<row", pos)
            if start < 0:
                pos = max(pos, len(data) - 8)  # "<ro" may end this piece
                break
            gt = find(b">", start)
            if gt < 0:
                pos = start
                break
            if data[start + 4] not in _ROW_NAME_END:  # <rowBreaks>
                pos = gt + 1
                continue
            if data[gt - 1] == 0x2F:  # <row r="7"/>: a row without cells
                close = end = gt + 1
            else:
                close = find(b"</row>", gt)
                if close < 0:
                    pos = start
                    break
                end = close + 6
            number = _ROW_NUMBER.search(data, start, gt)
            row_number = int(number.group(1)) if number else row_number + 1
            pos = end
            if close > gt + 1:
                cells = _row_cells(data[gt + 1 : close], shared, date_styles, epoch)
                if cells:
                    yield row_number, cells
        data = data[pos:]
        if not chunk or len(data) > _STUCK:
            # A row that no plain "</row>" closes (a writer that puts spaces in end tags):
            # the pattern reads the rest, rather than this loop holding the whole sheet.
            if _ROW_OPEN.search(data):
                yield from _pattern_sheet_rows(
                    data + chunk, stream, shared, date_styles, epoch, row_number=row_number
                )
            return
        data += chunk


def _pattern_sheet_rows(
    data: bytes, stream, shared: list[str], date_styles: frozenset, epoch, row_number: int = 0
) -> Iterator:
    while True:
        chunk = stream.read(_CHUNK) if stream is not None else b""
        end = 0
        for match in _ROW.finditer(data):
            end = match.end()
            number, body = match.groups()
            row_number = int(number) if number else row_number + 1
            if body:
                cells = _row_cells(body, shared, date_styles, epoch)
                if cells:
                    yield row_number, cells
        if not chunk:
            return
        # Keep an unfinished row for the next chunk; drop what lies between rows.
        pending = _ROW_OPEN.search(data, end)
        data = (data[pending.start() :] if pending else data[-16:]) + chunk


_COLUMNS = {
    (a + b).encode(): index
    for index, (a, b) in enumerate(
        [("", x) for x in string.ascii_uppercase]
        + [(x, y) for x in string.ascii_uppercase for y in string.ascii_uppercase]
    )
}


def _row_cells(body: bytes, shared: list[str], date_styles: frozenset, epoch) -> list:
    found = _PLAIN_CELL.findall(body)
    if not found or len(found) != body.count(b"<c"):
        return _any_row_cells(body, shared, date_styles, epoch)
    # The hot loop of the import: plain comparisons and dict lookups, calls only for the rare.
    values: list = []
    append = values.append
    dates = _DATES
    for _letters, style, kind, raw, inline in found:
        if kind == b"s" and raw:
            append(shared[int(raw)])
        elif raw and (not kind or kind == b"n"):  # Excel omits t="n", openpyxl writes it
            if style in date_styles:
                value = dates.get((raw, epoch))
                append(
                    _cell_value(style, kind, raw, inline, shared, date_styles, epoch)
                    if value is None
                    else value
                )
            elif raw.isdigit():
                append(int(raw))
            else:
                append(_number(raw))
        else:
            append(_cell_value(style, kind, raw, inline, shared, date_styles, epoch))
    last = _COLUMNS.get(found[-1][0])
    if found[0][0] == b"A" and last == len(found) - 1:
        return values  # no gaps: cells A, B, C ... as most rows are
    cells: list = []
    for (letters, *_ignored), value in zip(found, values, strict=True):
        index = _COLUMNS.get(letters)
        if index is None:
            index = _column_index(letters)
        size = len(cells)
        if index == size:
            cells.append(value)
        elif index > size:
            cells.extend([None] * (index - size))
            cells.append(value)
        else:
            cells[index] = value
    return cells


# Date serials repeat (award dates, 1 September): converting each once is worth a dict.
_DATES: dict = {}
_DATES_MAX = 1 << 16


def _number(raw: bytes) -> int | float:
    try:
        return int(raw)
    except ValueError:
        return float(raw)


def _cell_value(style, kind, raw, inline, shared, date_styles, epoch):
    if not raw:
        return _xml_text(inline) if inline else None
    if kind == b"s":
        return shared[int(raw)]
    if not kind or kind == b"n":
        if style in date_styles:
            value = _DATES.get((raw, epoch))
            if value is None:
                value = _excel_datetime(_number(raw), epoch)
                if len(_DATES) < _DATES_MAX:
                    _DATES[raw, epoch] = value
            return value
        return _number(raw)
    return _typed_value(kind, raw)


def _typed_value(kind: bytes, raw: bytes):
    if kind == b"b":
        return raw.strip() in (b"1", b"true")
    if kind == b"d":
        return _iso_datetime(raw)
    return _xml_text(raw)  # "str" (a formula's text), "e" (an error such as #N/A)


def _any_row_cells(body: bytes, shared: list[str], date_styles: frozenset, epoch) -> list:
    cells: list = []
    index = -1
    for letters, style, kind, raw, inner in _CELL.findall(body):
        index = _column_index(letters) if letters else index + 1
        if inner:
            if kind == b"inlineStr":
                raw = None
                value = _rich_text(inner)
            else:
                found = _VALUE.search(inner)
                raw = found.group(1) if found else b""
        if raw is not None:
            if not raw:
                continue
            if kind == b"s":
                value = shared[int(raw)]
            elif not kind or kind == b"n":
                value = float(raw) if b"." in raw or b"E" in raw or b"e" in raw else int(raw)
                if style in date_styles:
                    value = _excel_datetime(value, epoch)
            else:
                value = _typed_value(kind, raw)
        size = len(cells)
        if index == size:
            cells.append(value)
        elif index > size:
            cells.extend([None] * (index - size))
            cells.append(value)
        else:
            cells[index] = value
    return cells


def _iso_datetime(raw: bytes):
    try:
        return from_ISO8601(raw.decode())
    except ValueError:
        return raw.decode()


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
    max_unpacked = max_bytes * MAX_UNPACK_RATIO if max_bytes is not None else None
    try:
        book = _Workbook(path, max_unpacked=max_unpacked)
    except ImportFileError:
        raise
    except _DAMAGED_ERRORS:
        raise _damaged() from None
    try:
        return _open_sheet(book, sheet)
    except BaseException:
        book.close()
        raise


def _open_sheet(book: _Workbook, sheet: str | None) -> Table:
    names = [name for name, _state, _part in book.sheets]
    if not book.sheets:
        raise ImportFileError(_("The workbook has no sheets with data."), code="empty")
    if sheet is None:
        # The first sheet the user can see: templates often hide lookup lists in front.
        chosen = next((s for s in book.sheets if s[1] == "visible"), book.sheets[0])
    else:
        wanted = " ".join(sheet.split()).casefold()
        chosen = next((s for s in book.sheets if s[0] == sheet), None) or next(
            (s for s in book.sheets if " ".join(s[0].split()).casefold() == wanted), None
        )
        if chosen is None:
            raise ImportFileError(
                _("The workbook has no sheet “%(sheet)s”. Its sheets are: %(sheets)s.")
                % {"sheet": sheet, "sheets": ", ".join(names)},
                code="no_sheet",
            )
    name, _state, part = chosen
    rows = book.rows(part)

    def close() -> None:
        rows.close()
        book.close()

    try:
        number, header, mapping, after = _split_header(
            rows,
            no_rows_error=lambda: ImportFileError(
                _("The sheet “%(sheet)s” has a header row but no rows of data.") % {"sheet": name},
                code="no_rows",
            ),
        )
    except BaseException:
        close()
        raise

    return Table(
        format="xlsx",
        sheet_names=names,
        sheet=name,
        header=header,
        header_row=number,
        rows=_data_rows(after, rows, len(header), on_close=close),
        encoding=None,
        delimiter=None,
        mapping=mapping,
        _close=close,
    )
