"""The teacher export's cells: a text a spreadsheet would run as a formula stays text, and
the file still imports back with zero changes."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from apps.teachers.exports import write_csv, write_xlsx
from apps.teachers.imports import services
from apps.teachers.models import Teacher

# A text as someone may type it, and what Excel would do with it in a CSV: run it.
FORMULAS = ['=HYPERLINK("https://example.com/x","Open")', "@SUM(1)", "+1", "-2"]


def test_a_csv_cell_that_excel_would_run_is_written_as_text():
    stream = io.StringIO()
    write_csv(["A", "B"], [[text, "plain"] for text in FORMULAS], stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue().lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["A", "B"]
    assert rows[1:] == [[f"'{text}", "plain"] for text in FORMULAS]


def test_a_workbook_cell_that_starts_like_a_formula_is_a_string():
    stream = io.BytesIO()
    write_xlsx(["A", "B"], [[text, text] for text in FORMULAS], stream, text_columns=(1,))
    sheet = load_workbook(io.BytesIO(stream.getvalue())).active
    for row, text in enumerate(FORMULAS, 2):
        for cell in sheet[row]:
            assert (cell.value, cell.data_type) == (text, "s")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_texts_like_formulas_reimport_unchanged(client, world, fmt):
    Teacher.objects.filter(pk=world.teacher_a.pk).update(
        specialty="-2 физика", education_institution="=HYPERLINK(1)", phone="+77011234567"
    )
    Teacher.objects.filter(pk=world.teacher_b.pk).update(specialty="@SUM(1)")
    before = {t.pk: (t.specialty, t.education_institution, t.phone) for t in Teacher.objects.all()}
    client.force_login(world.users["region_admin"])
    response = client.get(reverse("teachers:export", args=[fmt]))
    if fmt == "csv":
        assert "'-2 физика" in response.content.decode("utf-8-sig")

    upload = SimpleUploadedFile(f"export.{fmt}", response.content)
    job = services.import_job_create(actor=None, uploaded_file=upload, organization=None)
    services.import_job_check(job_id=job.pk)
    job = services.import_job_apply(job_id=job.pk)

    assert not job.row_errors.exists()
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 3)
    after = {t.pk: (t.specialty, t.education_institution, t.phone) for t in Teacher.objects.all()}
    assert after == before
