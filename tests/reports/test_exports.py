"""The report's files for the known region: the XLSX, CSV and PDF carry the dashboard's
figures with their totals in the language asked for, and the export job builds them for
its creator's scope with its progress on the row."""

import csv
import datetime as dt
import io
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from apps.organizations.models import Organization
from apps.reports import services
from apps.reports.exports import CONTENT_TYPES, render_report, report_filename
from apps.reports.models import ReportExport
from apps.reports.selectors import ReportFilters, dashboard
from apps.reports.services import exports as export_services
from apps.reports.tasks import report_export_run_task
from tests.factories import CourseFactory

from .conftest import completed, run_ending


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """The exports' files under the test's own directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


# The sheets of the workbook after its first ("Report"), in the report's order.
SHEETS = [
    "by_category",
    "by_position",
    "expiring",
    "pd",
    "courses",
    "attestation",
    "pass_by_category",
    "pass_by_district",
    "leaders",
    "leaders_statuses",
    "age",
    "experience",
    "sex",
    "language",
]
HEADER_ROW = 4


def figures_of(known, language="en", **filters):
    with translation.override(language):
        return dashboard(known.world.users["region_admin"], ReportFilters(**filters))


def render(figures, fmt, language="en", **kwargs):
    with translation.override(language):
        return render_report(figures, fmt, **kwargs)


def table(sheet) -> list[list]:
    """The sheet's table below its header: every row's values, the header first."""
    return [
        list(row)
        for row in sheet.iter_rows(min_row=HEADER_ROW, values_only=True)
        if any(value is not None for value in row)
    ]


def name_in(obj, language="en") -> str:
    with translation.override(language):
        return obj.name


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- XLSX ------------------------------------------------------------------------------------


def test_the_workbook_has_a_sheet_per_section_with_figures_totals_and_formats(known):
    workbook = load_workbook(io.BytesIO(render(figures_of(known), "xlsx")))
    assert len(workbook.worksheets) == 1 + len(SHEETS)
    cover = workbook.worksheets[0]
    assert cover["A1"].value == "HR report"
    details = {row[0]: row[1] for row in cover.iter_rows(min_row=3, values_only=True) if row[1]}
    assert details["Scope"] == "All the teachers within your access"
    assert details["Period"] == f"01.01.{known.today.year} – 31.12.{known.today.year}"
    assert "Generated" in details
    sheets = dict(zip(SHEETS, workbook.worksheets[1:], strict=True))

    by_category = sheets["by_category"]
    assert by_category.title == "1. Teachers by qualification ca"  # Excel's 31 characters
    assert by_category["A1"].value == "Teachers by qualification category"
    assert by_category.freeze_panes == f"A{HEADER_ROW + 1}"
    header = by_category[HEADER_ROW]
    assert [cell.value for cell in header] == ["Category", "Teachers", "Share, %"]
    assert all(cell.font.b for cell in header) and header[0].fill.fgColor.rgb.endswith("DCE6F1")
    rows = table(by_category)[1:]
    assert [row[1] for row in rows] == [2, 2, 1, 1, 6]
    assert rows[0][0] == "Teacher-moderator"
    assert rows[0][2] == pytest.approx(0.333)  # a real percentage: 33.3%
    moderators = by_category.cell(HEADER_ROW + 1, 2)
    assert moderators.number_format == "#,##0"
    assert by_category.cell(HEADER_ROW + 1, 3).number_format == "0.0%"
    total = by_category[HEADER_ROW + 5]
    assert [cell.value for cell in total] == ["Total", 6, 1]
    assert all(cell.font.b for cell in total)
    assert by_category.column_dimensions["A"].width >= len("Teacher-moderator")

    courses = table(sheets["courses"])
    assert courses[0][1:] == [
        "Completed",
        "Not completed",
        "Dropped out",
        "Awaiting results",
        "Completion rate, %",
    ]
    assert courses[-1] == ["Total", 2, 1, 1, 1, 0.5]

    pd = {row[0]: row[1:] for row in table(sheets["pd"])[1:]}
    assert pd["PD hours per teacher"] == [18, None]
    hours = next(cell for cell in sheets["pd"]["A"] if cell.value == "PD hours per teacher").offset(
        column=1
    )
    assert hours.number_format == "#,##0.0"
    assert pd[f"Plan for {known.today.year}: teachers to train"] == [115, None]
    assert pd["Plan fulfilment"] == [None, pytest.approx(0.017)]

    # Nested windows and a funnel add up to nothing: no totals row.
    assert [row[1] for row in table(sheets["expiring"])[1:]] == [1, 1, 2, 3]
    assert [row[1] for row in table(sheets["leaders"])[1:]] == [6, 4, 3, 2, 1]
    assert table(sheets["pass_by_district"])[1:] == [
        [name_in(known.world.city), 2, 1, 0.5],
        [name_in(known.world.sairam), 1, 0, 0],
        ["Total", 3, 1, pytest.approx(0.333)],
    ]
    assert table(sheets["sex"])[-1] == ["Total", 6, 1]


# --- CSV -------------------------------------------------------------------------------------


def csv_sections(content: bytes) -> dict[str, list[list[str]]]:
    """The CSV's blocks, separated by blank lines, by their first cell."""
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    blocks, block = {}, []
    for row in [*rows, []]:
        if row:
            block.append(row)
        elif block:
            blocks[block[0][0]] = block[1:]
            block = []
    return blocks


def test_the_csv_has_the_sections_one_after_another_as_excel_parses_them(known):
    blocks = csv_sections(render(figures_of(known, "ru"), "csv", "ru"))
    with translation.override("ru"):
        title = translation.gettext("HR report")
        total, teachers = translation.gettext("Total"), translation.gettext("Teachers")
        category = translation.gettext("Category")
    with translation.override("ru"):
        assert blocks[title][:2] == [
            [
                translation.gettext("Scope"),
                translation.gettext("All the teachers within your access"),
            ],
            [translation.gettext("Period"), f"01.01.{known.today.year} – 31.12.{known.today.year}"],
        ]
    with translation.override("ru"):
        by_category = blocks[translation.gettext("Teachers by qualification category")]
        share = translation.gettext("Share, %")
        courses = blocks[translation.gettext("Course completion")]
        note = translation.gettext(
            "Enrolments in the runs that ended within the period; the completion rate is of "
            "those finished (completed, not completed or dropped out)."
        )
        by_district = blocks[translation.gettext("Attestation pass rate by district")]
    assert by_category[0] == [category, teachers, share]
    assert share != "Share, %"  # the Russian file speaks Russian
    # Russian Excel reads 33,3 as a number; no thousands separator inside a cell.
    assert by_category[1] == ["Педагог-модератор", "2", "33,3"]
    assert by_category[-1] == [total, "6", "100,0"]
    assert courses[0] == [note]  # the section's note
    assert courses[-1] == [total, "2", "1", "1", "1", "50,0"]
    assert by_district[-1] == [total, "3", "1", "33,3"]
    assert len(blocks) == 1 + len(SHEETS)


# --- PDF -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "total", "teachers", "female"),
    [("kk", "Барлығы", "Педагогтер", "Әйел"), ("ru", "Итого", "Педагоги", "Женский")],
)
def test_the_pdf_is_in_the_language_asked_for_with_its_charts(
    known, language, total, teachers, female
):
    content = render(figures_of(known, language), "pdf", language)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert total in text and teachers in text
    # Figures as the language writes them: the moderators' share, the pass rate total.
    assert "33,3" in text and "50,0" in text
    # The sex pie's legend: a label and its count, drawn in the chart.
    assert f"{female}: 4" in text
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 2
    fonts = reader.pages[0]["/Resources"]["/Font"].values()
    assert any("PTSerif" in font.get_object()["/BaseFont"] for font in fonts)


def test_kazakh_and_russian_reports_differ_and_english_reads_as_written(known):
    kk = pdf_text(render(figures_of(known, "kk"), "pdf", "kk"))
    ru = pdf_text(render(figures_of(known, "ru"), "pdf", "ru"))
    en = pdf_text(render(figures_of(known, "en"), "pdf", "en"))
    assert "Барлығы" in kk and "Итого" not in kk
    assert "Итого" in ru and "Барлығы" not in ru
    for heading in (
        "HR report",
        "Teachers by qualification category",
        "Attestation applications by stage",
        "Teachers by language of instruction",
    ):
        assert heading in en
    # The bar charts' legend (two series side by side) and a bar's count label.
    assert "Met the category claimed" in en
    assert "Female: 4" in en and "Page 2" in en


def test_each_format_reports_its_progress_section_by_section(known):
    figures = figures_of(known)
    for fmt in CONTENT_TYPES:
        calls = []
        render(figures, fmt, progress=lambda done, total, calls=calls: calls.append((done, total)))
        assert calls == [(n, len(SHEETS)) for n in range(1, len(SHEETS) + 1)], fmt


def test_the_file_is_named_by_the_scope_and_period(known):
    year = known.today.year
    figures = figures_of(known, district=known.world.sairam.pk)
    with translation.override("en"):
        name = report_filename(figures, "pdf")
    sairam = name_in(known.world.sairam).replace(" ", "_")
    assert name == f"HR_report_{sairam}_{year}-01-01_{year}-12-31.pdf"
    with translation.override("en"):
        assert (
            report_filename(figures_of(known), "csv") == f"HR_report_{year}-01-01_{year}-12-31.csv"
        )


def test_a_drilled_down_report_says_what_it_covers(known):
    world = known.world
    figures = figures_of(
        known, district=world.city.pk, organization=world.school_b.pk, position=None
    )
    text = pdf_text(render(figures, "pdf"))
    assert f"{name_in(world.school_b)} ({name_in(world.city)})" in text
    blocks = csv_sections(render(figures, "csv"))
    assert blocks["Teachers by qualification category"][-1] == ["Total", "2", "100.0"]


def test_an_empty_report_still_renders(known):
    year = known.today.year - 5
    figures = figures_of(
        known,
        organization_kind="preschool",
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
    )
    assert figures.teachers == 0
    for fmt in CONTENT_TYPES:
        assert render(figures, fmt)
    assert "Type of organisation" in pdf_text(render(figures, "pdf"))


def test_rendering_is_fast(known):
    figures = figures_of(known)
    start = time.perf_counter()
    for fmt in CONTENT_TYPES:
        render(figures, fmt)
    # Aggregates only: whatever the region's size, a handful of small tables and charts.
    assert time.perf_counter() - start < 3


# --- the export job ---------------------------------------------------------------------------


def test_an_export_is_built_by_the_worker_for_its_creators_scope(
    known, django_capture_on_commit_callbacks
):
    user = known.world.users["methodologist"]  # Turkistan city: 4 of the 6 teachers
    with django_capture_on_commit_callbacks(execute=True):
        export = services.report_export_create(
            user=user, query="", file_format="xlsx", language="ru"
        )
    export.refresh_from_db()
    assert export.status == ReportExport.Status.DONE
    assert (export.processed_rows, export.total_rows, export.percent) == (14, 14, 100)
    assert export.finished_at is not None and export.failure == ""
    assert export.file.name.endswith(".xlsx") and f"/{export.pk}/" in export.file.name
    with export.file.open("rb") as stream:
        workbook = load_workbook(stream)
    by_category = workbook.worksheets[1]
    assert table(by_category)[-1] == ["Итого", 4, 1]
    # Running it again leaves the finished export as it is.
    name = export.file.name
    assert services.report_export_run(export_id=export.pk).file.name == name


def test_the_stored_query_is_the_forms_own(known, django_capture_on_commit_callbacks):
    world = known.world
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        export = services.report_export_create(
            user=world.users["region_admin"],
            query=f"district={world.sairam.pk}&unknown=1&period_start=",
            file_format="csv",
            language="kk",
        )
    assert len(callbacks) == 1
    year = known.today.year
    assert export.query == (
        f"district={world.sairam.pk}&period_start={year}-01-01&period_end={year}-12-31"
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period_start=2025-02-01&period_end=2025-01-01", "The period ends before it starts."),
        ("district=999999", None),
    ],
)
def test_an_invalid_query_is_refused_with_the_forms_message_and_no_export(
    known, query, message, django_capture_on_commit_callbacks
):
    with (
        translation.override("kk"),
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ValidationError) as refused,
    ):
        services.report_export_create(
            user=known.world.users["region_admin"], query=query, file_format="pdf", language="kk"
        )
    if message:
        with translation.override("kk"):
            expected = translation.gettext(message)
        assert refused.value.messages == [expected]
    assert not ReportExport.objects.exists() and not callbacks


def test_a_teacher_may_not_export(known):
    with pytest.raises(PermissionDenied):
        services.report_export_create(
            user=known.world.users["teacher"], query="", file_format="pdf", language="kk"
        )
    assert not ReportExport.objects.exists()


def test_a_scope_taken_away_since_fails_the_export_with_a_reason(known, caplog):
    world = known.world
    user = world.users["methodologist"]
    export = ReportExport.objects.create(
        created_by=user, query=f"district={world.sairam.pk}", file_format="pdf", language="en"
    )
    result = services.report_export_run(export_id=export.pk)
    assert result.status == ReportExport.Status.FAILED
    assert result.failure.startswith("The report could not be prepared")
    assert not result.file
    assert "Report export" in caplog.text


def test_a_failure_is_recorded_and_logged_not_raised(known, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("could not write /var/app/media/report-exports/7.pdf: disk full")

    monkeypatch.setattr(export_services, "render_report", broken)
    export = ReportExport.objects.create(
        created_by=known.world.users["region_admin"], query="", file_format="pdf", language="ru"
    )
    result = services.report_export_run(export_id=export.pk)
    assert result.status == ReportExport.Status.FAILED
    # The user reads that it failed, in the export's language; the detail is in the log.
    with translation.override("ru"):
        assert result.failure == translation.gettext(
            "The report could not be prepared. Please try again later."
        )
    assert "disk full" not in result.failure and "/var/app" not in result.failure
    assert "disk full" in caplog.text
    # Asked again (the worker retried), it starts over and succeeds.
    monkeypatch.undo()
    assert services.report_export_run(export_id=export.pk).status == ReportExport.Status.DONE


def test_the_workbook_and_the_csv_carry_the_same_counts(known):
    figures = figures_of(known)
    workbook = load_workbook(io.BytesIO(render(figures, "xlsx")))
    blocks = csv_sections(render(figures, "csv"))
    for sheet in workbook.worksheets[1:]:
        block = blocks[sheet["A1"].value]
        block = block[1:] if sheet["A3"].value else block  # the note
        rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1))
        assert [row[0].value for row in rows] == [row[0] for row in block[1:]], sheet.title
        for cells, values in zip(rows, block[1:], strict=True):
            for cell, value in zip(cells, values, strict=True):
                if cell.number_format == "#,##0":
                    written = "" if cell.value is None else str(cell.value)
                    assert written == value, (sheet.title, cell.coordinate)


def test_a_database_hiccup_is_raised_for_the_task_to_retry(known, monkeypatch):
    real_render = export_services.render_report
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(export_services, "render_report", flaky)
    export = ReportExport.objects.create(
        created_by=known.world.users["region_admin"], query="", file_format="csv", language="en"
    )
    with pytest.raises(OperationalError):
        services.report_export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == ReportExport.Status.RUNNING and export.failure == ""

    # The task retries it (here at once) and the second run starts over and succeeds.
    calls.clear()
    report_export_run_task.apply(args=[export.pk], throw=False)
    export.refresh_from_db()
    assert len(calls) == 2
    assert export.status == ReportExport.Status.DONE and export.failure == ""


def test_an_export_names_the_users_whole_scope(known, django_capture_on_commit_callbacks):
    user = known.world.users["methodologist"]  # Turkistan city is their whole scope
    with django_capture_on_commit_callbacks(execute=True):
        export = services.report_export_create(
            user=user, query="", file_format="xlsx", language="en"
        )
    export.refresh_from_db()
    city = name_in(known.world.city)
    assert f"_{city.replace(' ', '_')}_" in export.file.name
    with export.file.open("rb") as stream:
        cover = load_workbook(stream).worksheets[0]
    details = {row[0]: row[1] for row in cover.iter_rows(min_row=3, values_only=True) if row[1]}
    assert details["Scope"] == city


# Texts a spreadsheet would run: a provider's course title, an organisation's name.
FORMULAS = ['=HYPERLINK("https://example.com/x","Open")', "@SUM(1)", "+1", "-2"]


@pytest.fixture
def formulas(known):
    for title in FORMULAS:
        run = run_ending(CourseFactory(title_kk=title, title_ru=title), known.today)
        completed(run, known.world.teacher_b)
    school = known.world.school_b
    Organization.objects.filter(pk=school.pk).update(name_kk="=1+1", name_ru="=1+1")
    return school


def test_names_typed_as_formulas_stay_text_in_the_workbook(known, formulas):
    figures = figures_of(known, "ru", district=known.world.city.pk, organization=formulas.pk)
    workbook = load_workbook(io.BytesIO(render(figures, "xlsx", "ru")))
    cover = workbook.worksheets[0]
    scope = next(row[1] for row in cover.iter_rows(min_row=3) if row[1].value)
    assert scope.value.startswith("=1+1 (") and scope.data_type == "s"
    courses = workbook.worksheets[1 + SHEETS.index("courses")]
    cells = {row[0].value: row[0] for row in courses.iter_rows(min_row=HEADER_ROW + 1)}
    for title in FORMULAS:
        assert cells[title].data_type == "s", title
    assert courses["A2"].value.startswith("=1+1") and courses["A2"].data_type == "s"


def test_names_typed_as_formulas_are_escaped_in_the_csv(known, formulas):
    figures = figures_of(known, "ru", district=known.world.city.pk, organization=formulas.pk)
    blocks = csv_sections(render(figures, "csv", "ru"))
    with translation.override("ru"):
        title, scope = translation.gettext("HR report"), translation.gettext("Scope")
        completion = translation.gettext("Course completion")
    details = dict(row for row in blocks[title] if len(row) == 2)
    assert details[scope].startswith("'=1+1 (")
    courses = {row[0] for row in blocks[completion]}
    assert {f"'{title}" for title in FORMULAS} <= courses
    assert not set(FORMULAS) & courses
