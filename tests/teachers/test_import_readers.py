"""Reading uploaded teacher spreadsheets: file types, encodings, delimiters, header rows, sheets."""

# Every fixture file is built here, with openpyxl or from plain bytes; some XLSX files are put
# together by hand to get the shapes other writers produce (shared strings, prefixes, ...).

import codecs
import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from apps.teachers.imports.cleaning import clean_date, clean_iin
from apps.teachers.imports.readers import ImportFileError, open_table

HEADER_RU = "ФИО;ИИН;Дата рождения;Должность"
ROW_1 = "Иванова Анна Петровна;900101300007;01.01.1990;Учитель"
ROW_2 = "Ахметова Айгүл Серікқызы;061211600012;11.12.2006;Мұғалім"


@pytest.fixture(autouse=True)
def _english():
    # Assertions below look for words of the English messages; the site's default is Kazakh.
    with translation.override("en"):
        yield


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _open(tmp_path: Path, name: str, data: bytes, **kwargs):
    return open_table(_write(tmp_path, name, data), filename=name, **kwargs)


def _rows(table) -> list:
    with table:
        return list(table.rows)


def _file_error(tmp_path: Path, name: str, data: bytes, **kwargs) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        _open(tmp_path, name, data, **kwargs)
    assert caught.value.message
    assert str(caught.value) == caught.value.message
    return caught.value


# --- CSV -------------------------------------------------------------------------------------


def test_csv_utf8_with_bom_semicolons(tmp_path):
    text = "\r\n".join([HEADER_RU, ROW_1, ROW_2]) + "\r\n"
    table = _open(tmp_path, "teachers.csv", codecs.BOM_UTF8 + text.encode())
    assert (table.format, table.encoding, table.delimiter) == ("csv", "utf-8-sig", ";")
    assert (table.sheet_names, table.sheet) == ([], None)
    assert table.header == ["ФИО", "ИИН", "Дата рождения", "Должность"]
    assert table.header_row == 1
    assert table.mapping == {0: "full_name", 1: "iin", 2: "birth_date", 3: "position"}
    assert _rows(table) == [(2, ROW_1.split(";")), (3, ROW_2.split(";"))]


def test_csv_utf8_without_bom_commas(tmp_path):
    text = "\n".join(line.replace(";", ",") for line in (HEADER_RU, ROW_1, ROW_2))
    table = _open(tmp_path, "teachers.csv", text.encode())
    assert (table.encoding, table.delimiter) == ("utf-8", ",")
    assert _rows(table)[1] == (3, ROW_2.split(";"))


def test_csv_windows_1251(tmp_path):
    text = "\r\n".join([HEADER_RU, ROW_1, "Петров Иван Ильич;900101300007;01.01.1990;Учитель"])
    table = _open(tmp_path, "teachers.csv", text.encode("cp1251"))
    assert (table.encoding, table.delimiter) == ("cp1251", ";")
    assert table.header[0] == "ФИО"
    assert _rows(table)[1][1][0] == "Петров Иван Ильич"


def test_csv_tabs(tmp_path):
    text = "\n".join(line.replace(";", "\t") for line in (HEADER_RU, ROW_1))
    table = _open(tmp_path, "teachers.txt", text.encode())
    assert table.delimiter == "\t"
    assert _rows(table) == [(2, ROW_1.split(";"))]


def test_csv_utf16_unicode_text(tmp_path):
    # Excel's "Unicode Text" export: UTF-16 with a BOM, tab-separated.
    text = "\r\n".join(line.replace(";", "\t") for line in (HEADER_RU, ROW_2))
    table = _open(tmp_path, "teachers.txt", text.encode("utf-16"))
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert _rows(table) == [(2, ROW_2.split(";"))]


def test_csv_quoted_cells_with_delimiters_and_new_lines(tmp_path):
    text = (
        f"{HEADER_RU};Предметы\n"
        f'"Иванова Анна Петровна";900101300007;01.01.1990;Учитель;"Математика; Физика\n'
        f'Информатика"\n{ROW_2};"Қазақ тілі"\n'
    )
    table = _open(tmp_path, "teachers.csv", text.encode())
    assert table.delimiter == ";"
    rows = _rows(table)
    assert rows[0] == (2, [*ROW_1.split(";"), "Математика; Физика\nИнформатика"])
    # A record spanning two lines is one row, as Excel shows it.
    assert rows[1][0] == 3


def test_csv_delimiter_is_not_fooled_by_commas_in_a_semicolon_file(tmp_path):
    text = "\n".join(
        [
            "Список педагогов, школа № 5, на 01.09.2026",
            "Фамилия, имя, отчество;ИИН;Стаж, лет",
            "Иванова Анна Петровна;900101300007;12,5",
            "Петрова Мария Ивановна;900101300007;3,5",
        ]
    )
    table = _open(tmp_path, "teachers.csv", text.encode())
    assert table.delimiter == ";"
    assert table.header_row == 2
    assert table.mapping == {0: "full_name", 1: "iin"}


def test_csv_excel_sep_line(tmp_path):
    text = "sep=,\r\nФИО,ИИН\r\nИванова Анна,900101300007\r\n"
    table = _open(tmp_path, "teachers.csv", text.encode())
    assert table.delimiter == ","
    assert table.header_row == 1
    assert _rows(table) == [(2, ["Иванова Анна", "900101300007"])]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "Тегі;Аты;Әкесінің аты;ЖСН;Туған күні",
            {0: "last_name", 1: "first_name", 2: "middle_name", 3: "iin", 4: "birth_date"},
        ),
        (
            "Фамилия;Имя;Отчество;ИИН;Дата рождения",
            {0: "last_name", 1: "first_name", 2: "middle_name", 3: "iin", 4: "birth_date"},
        ),
        (
            "Last name;First name;Patronymic;IIN;Date of birth",
            {0: "last_name", 1: "first_name", 2: "middle_name", 3: "iin", 4: "birth_date"},
        ),
    ],
)
def test_csv_header_in_three_languages(tmp_path, header, expected):
    text = header + "\nИванова;Анна;Петровна;900101300007;01.01.1990\n"
    table = _open(tmp_path, "teachers.csv", text.encode())
    assert table.mapping == expected
    assert _rows(table)[0][0] == 2


def test_csv_header_under_title_rows_and_blank_rows_keep_file_numbers(tmp_path):
    text = "\n".join(
        [
            "Список педагогов школы № 5 на 01.09.2026;;;",
            ";;;",
            "",
            HEADER_RU,
            ROW_1,
            ";;;",
            "   ;  ;;",
            ROW_2,
            "",
        ]
    )
    table = _open(tmp_path, "teachers.csv", text.encode())
    assert table.header_row == 4
    assert table.header == ["ФИО", "ИИН", "Дата рождения", "Должность"]
    assert [number for number, _cells in _rows(table)] == [5, 8]


def test_csv_without_a_recognisable_header_takes_the_first_row(tmp_path):
    table = _open(tmp_path, "teachers.csv", b"a;b\n1;2\n")
    assert (table.header, table.header_row, table.mapping) == (["a", "b"], 1, {})
    assert _rows(table) == [(2, ["1", "2"])]


def test_csv_short_rows_are_padded_to_the_header(tmp_path):
    table = _open(tmp_path, "teachers.csv", (HEADER_RU + "\nИванова Анна;900101300007\n").encode())
    assert _rows(table) == [(2, ["Иванова Анна", "900101300007", None, None])]


def test_csv_with_a_few_broken_bytes_stays_utf8(tmp_path):
    data = (HEADER_RU + "\n" + ROW_1 + "\n" + ROW_2 + "\n").encode() + b"\xd0"  # cut letter
    table = _open(tmp_path, "teachers.csv", data)
    assert table.encoding == "utf-8"
    assert _rows(table)[0] == (2, ROW_1.split(";"))


def test_csv_unterminated_quote_is_reported_as_damaged(tmp_path):
    old_limit = csv.field_size_limit(1000)
    try:
        text = HEADER_RU + "\n" + ROW_1 + '\n"Петров;' + "х" * 2000 + "\n" + ROW_2 + "\n"
        table = _open(tmp_path, "teachers.csv", text.encode())
        with pytest.raises(ImportFileError) as caught:
            _rows(table)
    finally:
        csv.field_size_limit(old_limit)
    assert caught.value.code == "damaged"
    assert "2" in caught.value.message


# --- errors for files we cannot read ---------------------------------------------------------


def test_empty_file(tmp_path):
    assert _file_error(tmp_path, "teachers.csv", b"").code == "empty"
    assert _file_error(tmp_path, "teachers.xlsx", b"").code == "empty"


def test_blank_csv(tmp_path):
    assert _file_error(tmp_path, "teachers.csv", b"\r\n ; ;\r\n\r\n").code == "empty"
    assert _file_error(tmp_path, "teachers.csv", b";;;\r\n;;;\r\n").code == "empty"
    assert _file_error(tmp_path, "teachers.csv", b" \n\t\n").code == "empty"


def test_header_only_csv(tmp_path):
    error = _file_error(tmp_path, "teachers.csv", (HEADER_RU + "\r\n;;;\r\n").encode())
    assert error.code == "no_rows"


def test_too_large(tmp_path):
    data = (HEADER_RU + "\n" + ROW_1 + "\n").encode()
    error = _file_error(tmp_path, "teachers.csv", data, max_bytes=len(data) - 1)
    assert error.code == "too_large"
    assert _rows(_open(tmp_path, "teachers.csv", data, max_bytes=len(data)))


BINARIES = {
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "elf": b"\x7fELF\x02\x01\x01\x00" + bytes(64),
    "exe": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00",
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "gzip": b"\x1f\x8b\x08\x00" + bytes(20),
    "control": b"\x01\x02\x03\x04\x05\x06\x07\x08" * 20,
}


@pytest.mark.parametrize("kind", sorted(BINARIES))
@pytest.mark.parametrize("name", ["teachers.csv", "teachers.xlsx"])
def test_binary_files_renamed(tmp_path, kind, name):
    assert _file_error(tmp_path, name, BINARIES[kind]).code == "unsupported_type"


def test_text_file_renamed_xlsx(tmp_path):
    error = _file_error(tmp_path, "teachers.xlsx", (HEADER_RU + "\n" + ROW_1).encode())
    assert error.code == "not_xlsx"
    assert "teachers.xlsx" in error.message


def test_web_page_saved_as_xls(tmp_path):
    data = b"<html><body><table><tr><td>\xd0\x98\xd0\x98\xd0\x9d</td></tr></table></body></html>"
    assert _file_error(tmp_path, "teachers.xls", data).code == "unsupported_type"


OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def test_old_xls(tmp_path):
    data = OLE2_HEADER + "Workbook".encode("utf-16-le") + bytes(100)
    error = _file_error(tmp_path, "teachers.xls", data)
    assert error.code == "xls_not_supported"
    assert ".xlsx" in error.message


def test_password_protected_xlsx(tmp_path):
    data = OLE2_HEADER + "EncryptedPackage".encode("utf-16-le") + bytes(100)
    assert _file_error(tmp_path, "teachers.xlsx", data).code == "encrypted"


def _zip(entries: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_other_zips(tmp_path):
    docx = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"})
    assert _file_error(tmp_path, "teachers.xlsx", docx).code == "unsupported_type"
    ods = _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"})
    error = _file_error(tmp_path, "teachers.ods", ods)
    assert (error.code, ".ods" in error.message) == ("unsupported_type", True)
    plain = _zip({"teachers.csv": HEADER_RU})
    assert _file_error(tmp_path, "teachers.xlsx", plain).code == "not_xlsx"
    assert _file_error(tmp_path, "teachers.zip", plain).code == "unsupported_type"


def test_damaged_xlsx(tmp_path):
    data = _openpyxl_bytes(tmp_path, [["ФИО", "ИИН"], ["Иванова Анна", "900101300007"]])
    assert _file_error(tmp_path, "teachers.xlsx", data[: len(data) // 2]).code == "damaged"


def test_zip_bomb(tmp_path):
    sheet = _sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>ИИН</t></is></c></row>')
    data = _xlsx_bytes([("Лист1", sheet + " " * 2_000_000)])
    assert len(data) < 30_000
    assert _file_error(tmp_path, "teachers.xlsx", data, max_bytes=len(data)).code == "too_large"


# --- XLSX from openpyxl ----------------------------------------------------------------------


def _openpyxl_bytes(tmp_path: Path, rows: list, sheets: dict | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Педагоги"
    for row in rows:
        workbook.active.append(row)
    for title, other_rows in (sheets or {}).items():
        sheet = workbook.create_sheet(title)
        for row in other_rows:
            sheet.append(row)
    path = tmp_path / "built.xlsx"
    workbook.save(path)
    return path.read_bytes()


def test_xlsx_first_sheet_dates_and_numbers(tmp_path):
    rows = [
        ["Список педагогов школы № 5 на 01.09.2026"],
        [],
        ["№", "ФИО", "ИИН", "Дата рождения", "Педстаж с"],
        [1, "Иванова Анна Петровна", 900101300007, dt.date(1990, 1, 1), dt.date(2012, 9, 1)],
        [2, "Ахметова Айгүл", 61211600012, dt.datetime(2006, 12, 11, 8, 30), "01.09.2028"],
    ]
    table = _open(tmp_path, "Педагоги.xlsx", _openpyxl_bytes(tmp_path, rows, {"Другой": [[1]]}))
    assert (table.format, table.encoding, table.delimiter) == ("xlsx", None, None)
    assert table.sheet_names == ["Педагоги", "Другой"]
    assert table.sheet == "Педагоги"
    assert table.header_row == 3
    assert table.mapping == {1: "full_name", 2: "iin", 3: "birth_date", 4: "experience_start"}
    first, second = _rows(table)
    assert first == (
        4,
        [1, "Иванова Анна Петровна", 900101300007, dt.date(1990, 1, 1), dt.date(2012, 9, 1)],
    )
    # Excel keeps every number as a float; whole numbers come back as int, as typed.
    assert [type(cell) for cell in first[1]] == [int, str, int, dt.date, dt.date]
    assert second[0] == 5
    assert second[1][3] == dt.datetime(2006, 12, 11, 8, 30)  # a date with a time of day
    assert clean_iin(second[1][2]) == "061211600012"
    assert clean_date(second[1][3]) == dt.date(2006, 12, 11)


def test_xlsx_chosen_sheet(tmp_path):
    data = _openpyxl_bytes(
        tmp_path,
        [["Титул"]],
        {"Список 2026": [["ИИН", "ФИО"], ["900101300007", "Иванова Анна"]]},
    )
    table = _open(tmp_path, "teachers.xlsx", data, sheet="Список 2026")
    assert table.sheet == "Список 2026"
    assert _rows(table) == [(2, ["900101300007", "Иванова Анна"])]
    # Sheet names are matched forgiving spaces and case, as people type them.
    assert _open(tmp_path, "teachers.xlsx", data, sheet=" список  2026 ").sheet == "Список 2026"


def test_xlsx_unknown_sheet(tmp_path):
    data = _openpyxl_bytes(tmp_path, [["ИИН", "ФИО"], ["900101300007", "Иванова Анна"]])
    error = _file_error(tmp_path, "teachers.xlsx", data, sheet="Лист1")
    assert error.code == "no_sheet"
    assert "Педагоги" in error.message


def test_xlsx_header_only_and_empty_sheet(tmp_path):
    header_only = _openpyxl_bytes(tmp_path, [["ИИН", "ФИО"], [None, "  "]])
    assert _file_error(tmp_path, "teachers.xlsx", header_only).code == "no_rows"
    empty = _openpyxl_bytes(tmp_path, [])
    assert _file_error(tmp_path, "teachers.xlsx", empty).code == "empty"


def test_xlsx_hidden_first_sheet_is_skipped(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Справочник"
    workbook.active.append(["Учитель"])
    workbook.active.sheet_state = "hidden"
    workbook.create_chartsheet("Диаграмма")  # not a worksheet: neither read nor listed
    visible = workbook.create_sheet("Педагоги")
    visible.append(["ИИН", "ФИО"])
    visible.append(["900101300007", "Иванова Анна"])
    path = tmp_path / "hidden.xlsx"
    workbook.save(path)
    table = open_table(path, filename="hidden.xlsx")
    assert table.sheet_names == ["Справочник", "Педагоги"]
    assert table.sheet == "Педагоги"
    table.close()


def test_table_close_releases_the_workbook(tmp_path):
    data = _openpyxl_bytes(tmp_path, [["ИИН", "ФИО"], ["900101300007", "Иванова Анна"]])
    table = _open(tmp_path, "teachers.xlsx", data)
    table.close()
    table.close()
    assert list(table.rows) == []
    with _open(tmp_path, "teachers.xlsx", data) as table:
        assert next(table.rows)[0] == 2
    assert list(table.rows) == []


def test_xlsx_table_away_from_a1_keeps_sheet_rows_and_columns(tmp_path):
    # Rows and columns as Excel shows them, although the first value is in C3.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["C3"], sheet["D3"] = "ИИН", "ФИО"
    sheet["C5"], sheet["D5"], sheet["H5"] = "900101300007", "Иванова Анна", "примечание"
    sheet["D6"] = "Петрова Мария"
    sheet["C7"] = "  "  # spaces only: a blank row, skipped
    path = tmp_path / "away.xlsx"
    workbook.save(path)
    table = open_table(path, filename="away.xlsx")
    assert (table.header_row, table.header) == (3, ["", "", "ИИН", "ФИО"])
    assert table.mapping == {2: "iin", 3: "full_name"}
    assert _rows(table) == [
        (5, [None, None, "900101300007", "Иванова Анна", None, None, None, "примечание"]),
        (6, [None, None, None, "Петрова Мария"]),
    ]


def test_xlsx_detected_by_content_whatever_the_name(tmp_path):
    data = _openpyxl_bytes(tmp_path, [["ИИН", "ФИО"], ["900101300007", "Иванова Анна"]])
    assert _open(tmp_path, "teachers.csv", data).format == "xlsx"


# --- XLSX as other writers make it -----------------------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STYLES = (
    f'<styleSheet xmlns="{MAIN_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="dd\\.mm\\.yyyy;@"/>'
    '<numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts>'
    '<fonts count="1"><font/></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
    '<xf numFmtId="165"/><xf numFmtId="49"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
SHARED = [
    "ФИО",
    "ИИН",
    "Дата рождения",
    "Иванова Анна Петровна",
    "A &amp; B &lt;x&gt;",
    "  spaced  ",
]


def _sheet_xml(rows: str, prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN_NS}"' if prefix else f'xmlns="{MAIN_NS}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {xmlns}>'
        f'<{p}dimension ref="A1"/><{p}sheetData>{rows}</{p}sheetData>'
        f'<{p}rowBreaks count="1"><{p}brk id="3"/></{p}rowBreaks></{p}worksheet>'
    )


def _xlsx_bytes(
    sheets: list[tuple[str, str]],
    *,
    shared: list[str] | None = None,
    rich_shared: str = "",
    date1904: bool = False,
) -> bytes:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    entries: dict[str, str] = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            f'<workbookPr date1904="{int(date1904)}"/><sheets>'
            + "".join(
                f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>'
                for n, (name, _xml) in enumerate(sheets, 1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{REL_NS}/worksheet" '
                f'Target="worksheets/sheet{n}.xml"/>'
                for n in range(1, len(sheets) + 1)
            )
            + f'<Relationship Id="rIdS" Type="{REL_NS}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rIdT" Type="{REL_NS}/sharedStrings" '
            'Target="/xl/sharedStrings.xml"/></Relationships>'
        ),
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{MAIN_NS}">'
            + "".join(
                f'<si><t xml:space="preserve">{text}</t></si>'
                if text != text.strip()
                else f"<si><t>{text}</t></si>"
                for text in shared or SHARED
            )
            + rich_shared
            + "</sst>"
        ),
    }
    for n, (_name, xml) in enumerate(sheets, 1):
        entries[f"xl/worksheets/sheet{n}.xml"] = xml
    return _zip(entries)


RICH = (
    '<si><r><rPr><b/><charset val="204"/></rPr><t>Ахмет</t></r>'
    '<r><t xml:space="preserve">ова Айгүл</t></r><rPh sb="0" eb="1"><t>фонетика</t></rPh></si>'
    "<si/>"
)
# Rows in the shapes writers produce (index 6 of the shared strings = the rich text).
VARIETY = [
    # Excel: shared strings, r/s/t in order
    (
        '<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c></row>'
    ),
    # a whole number, a date, a date with a time, a duration, escapes, rich text, spaces
    (
        '<row r="2"><c r="A2" s="0" t="s"><v>3</v></c><c r="B2"><v>900101300007</v></c>'
        '<c r="C2" s="1"><v>32874</v></c><c r="D2" s="2"><v>32874.5</v></c>'
        '<c r="E2" s="3"><v>1.25</v></c><c r="F2" t="s"><v>4</v></c><c r="G2" t="s"><v>6</v></c>'
        '<c r="H2" t="s"><v>5</v></c></row>'
    ),
    # formulas, shared formulas, booleans, errors, text results, ISO dates, exponents
    (
        '<row r="3"><c r="A3"><f>B3*2</f><v>4</v></c><c r="B3"><f t="shared" ref="B3:B4" si="0">'
        'C3+1</f><v>2</v></c><c r="C3" t="b"><v>1</v></c><c r="D3" t="e"><v>#N/A</v></c>'
        '<c r="E3" t="str"><f>"a"&amp;"b"</f><v>a&amp;b</v></c>'
        '<c r="F3" t="d"><v>1985-08-25T00:00:00</v></c><c r="G3"><v>9.00101300007E+11</v></c>'
        '<c r="H3"><v>-0.5</v></c><c r="I3" t="s"><v>7</v></c></row>'
    ),
    # sparse cells, styled empty cells, an empty value
    (
        '<row r="4"><c r="B4" s="1"/><c r="D4"><v>7</v></c><c r="E4"><v></v></c>'
        '<c r="AA4" t="s"><v>3</v></c></row>'
    ),
    # an empty row, written in full and self-closed
    '<row r="5" spans="1:3" customHeight="1"/><row r="6"></row>',
    # inline strings (openpyxl), rich inline text, attributes in another order, single quotes
    (
        '<row r="7"><c r="A7" t="inlineStr"><is><t>Әлиев</t></is></c>'
        '<c r="B7" t="inlineStr"><is><r><rPr><color rgb="FFFF0000"/></rPr><t>Қызыл</t></r>'
        "<r><t xml:space=\"preserve\"> мәтін</t></r></is></c><c t='s' r='C7'><v>3</v></c>"
        '<c s="1" r="D7"><v>32874</v></c></row>'
    ),
    # no r attributes on rows or cells
    '<row><c t="s"><v>1</v></c><c><v>8</v></c><c><v>9</v></c></row>',
    '<row><c t="s"><v>2</v></c></row>',
    # pretty-printed XML, spaces in end tags
    (
        '<row r="12">\n  <c r="A12" t="s">\n    <v>3</v>\n  </c>\n  <c r="B12">\n'
        "    <v>12</v>\n  </c >\n</row >"
    ),
]
EXPECTED_VARIETY = [
    (
        2,
        [
            "Иванова Анна Петровна",
            900101300007,
            dt.date(1990, 1, 1),
            dt.datetime(1990, 1, 1, 12, 0),
            1.25,  # a duration format: kept as the number
            "A & B <x>",
            "Ахметова Айгүл",
            "  spaced  ",
        ],
    ),
    # An error cell (#N/A) reads as empty; so does the empty shared string at the end.
    (3, [4, 2, True, None, "a&b", dt.datetime(1985, 8, 25), 900101300007, -0.5]),
    (4, [None, None, None, 7, None, *([None] * 21), "Иванова Анна Петровна"]),
    (7, ["Әлиев", "Қызыл мәтін", "Иванова Анна Петровна", dt.date(1990, 1, 1)]),
    (8, ["ИИН", 8, 9]),
    (9, ["Дата рождения", None, None]),
    (12, ["Иванова Анна Петровна", 12, None]),
]


@pytest.mark.parametrize("prefix", ["", "x"])
def test_xlsx_shapes_of_other_writers(tmp_path, prefix):
    rows = "".join(VARIETY)
    if prefix:  # as some .NET writers put it: x:row, x:c ...
        rows = rows.replace("<", f"<{prefix}:").replace(f"<{prefix}:/", f"</{prefix}:")
    data = _xlsx_bytes([("Лист1", _sheet_xml(rows, prefix))], rich_shared=RICH)
    table = _open(tmp_path, "v.xlsx", data)
    assert (table.header_row, table.header) == (1, ["ФИО", "ИИН", "Дата рождения"])
    assert table.mapping == {0: "full_name", 1: "iin", 2: "birth_date"}
    rows = _rows(table)
    assert rows == EXPECTED_VARIETY
    # Only the types the cleaning layer takes: no time or timedelta, no float that is an int.
    types = {type(cell) for _number, cells in rows for cell in cells}
    assert types == {str, int, float, bool, dt.date, dt.datetime, type(None)}


def test_xlsx_1904_dates_and_times_of_day(tmp_path):
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>2</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" s="1"><v>31412</v></c>'
        '<c r="C2" s="2"><v>0.75</v></c><c r="D2" s="3"><v>0.5</v></c></row>'
    )
    data = _xlsx_bytes([("Лист1", _sheet_xml(rows))], date1904=True)
    table = _open(tmp_path, "mac.xlsx", data)
    # A time of day without a date stays the fraction of a day Excel keeps, as a duration does.
    assert _rows(table) == [(2, ["Иванова Анна Петровна", dt.date(1990, 1, 1), 0.75, 0.5])]


def test_xlsx_ooxml_escapes_and_line_breaks(tmp_path):
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>ФИО</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>ИИН</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>Иванова_x000D_\nАнна</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>900101300007</t></is></c></row>'
    )
    table = _open(tmp_path, "t.xlsx", _xlsx_bytes([("Лист1", _sheet_xml(rows))]))
    assert _rows(table) == [(2, ["Иванова\nАнна", "900101300007"])]


def test_xlsx_with_broken_parts_is_damaged(tmp_path):
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    good = _xlsx_bytes([("Лист1", _sheet_xml(rows + rows.replace('"1"', '"2"')))])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries["xl/styles.xml"] = b"<styleSheet><<"
    assert _file_error(tmp_path, "t.xlsx", _zip(entries)).code == "damaged"
    entries["xl/styles.xml"] = STYLES
    entries["xl/worksheets/sheet1.xml"] = _sheet_xml(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>99</v></c></row>'
    )
    assert _file_error(tmp_path, "t.xlsx", _zip(entries)).code == "damaged"


def test_xlsx_with_corrupt_compressed_data_is_damaged(tmp_path):
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c><c r="B{n}" t="s"><v>1</v></c></row>'
        for n in range(1, 2000)
    )
    data = bytearray(_xlsx_bytes([("Лист1", _sheet_xml(rows))]))
    start = data.index(b"xl/worksheets/sheet1.xml") + 200  # inside the deflated sheet
    data[start : start + 40] = b"\xff" * 40
    error = _file_error(tmp_path, "t.xlsx", bytes(data))
    assert error.code == "damaged"


def test_csv_starting_with_pk_is_still_csv(tmp_path):
    table = _open(tmp_path, "t.csv", "PK;ИИН;ФИО\n1;900101300007;Иванова Анна\n".encode())
    assert table.format == "csv"
    assert table.mapping == {1: "iin", 2: "full_name"}


def test_csv_old_mac_line_ends(tmp_path):
    text = "\r".join([HEADER_RU, ROW_1, ROW_2]) + "\r"
    table = _open(tmp_path, "teachers.csv", text.encode())
    assert _rows(table) == [(2, ROW_1.split(";")), (3, ROW_2.split(";"))]
