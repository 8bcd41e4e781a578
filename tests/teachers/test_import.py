"""Bulk import of teacher records: rules, idempotency, resuming, scope, error file, export."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from apps.teachers.imports import services
from apps.teachers.models import ImportJob, Teacher
from tests.factories import next_iin

HEADER_RU = [
    "ИИН",
    "Фамилия",
    "Имя",
    "Отчество",
    "БИН организации",
    "Должность",
    "Предмет",
    "Категория",
    "Дата присвоения категории",
    "Категория действительна до",
]


def _row(iin, last, school, *, first="Айгерім", category="педагог-модератор", subject="математика"):
    return [
        iin,
        last,
        first,
        "Бауыржанқызы",
        school.bin,
        "учитель",
        subject,
        category,
        "01.06.2024",
        "01.06.2029",
    ]


def csv_upload(rows, header=HEADER_RU, *, name="teachers.csv", delimiter=";", encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), "text/csv")


def xlsx_upload(rows, header=HEADER_RU, *, name="teachers.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def run(upload, *, actor=None, organization=None, apply=True) -> ImportJob:
    job = services.import_job_create(actor=actor, uploaded_file=upload, organization=organization)
    job = services.import_job_check(job_id=job.pk)
    if apply:
        job = services.import_job_apply(job_id=job.pk)
    return job


def _counts(job):
    return (job.created_count, job.updated_count, job.unchanged_count, job.rejected_count)


def _errors(job):
    return {e.row_number: e.messages for e in job.row_errors.all()}


@pytest.fixture
def iins():
    return [next_iin(dt.date(1980 + n, 1 + n, 10), "F") for n in range(6)]


def test_dry_run_writes_nothing_then_apply_creates_with_history(world, iins):
    upload = csv_upload(
        [_row(iins[0], "Серікова", world.school_a), _row(iins[1], "Әлиева", world.school_b)]
    )
    job = run(upload, apply=False)
    assert job.status == ImportJob.Status.CHECKED
    assert _counts(job) == (2, 0, 0, 0)
    assert not Teacher.objects.filter(iin__in=iins[:2]).exists()

    job = services.import_job_apply(job_id=job.pk)
    assert job.status == ImportJob.Status.DONE
    assert _counts(job) == (2, 0, 0, 0)
    teacher = Teacher.objects.get(iin=iins[1])
    assert teacher.last_name == "Әлиева"
    assert teacher.birth_date.year == 1981  # derived from the IIN
    assert teacher.category.code == "moderator"
    assert [s.code for s in teacher.subjects.all()] == ["mathematics"]
    assert teacher.search_text.startswith("алиева")  # Kazakh letters folded for search
    record = teacher.history.get()
    assert record.history_type == "+"
    assert str(job.pk) in record.history_change_reason
    assert job.original_name in record.history_change_reason
    assert list(record.subjects.values_list("subject__code", flat=True)) == ["mathematics"]


def test_known_iin_updates_only_changed_fields_and_reimport_changes_nothing(world, iins):
    rows = [_row(iins[0], "Серікова", world.school_a), _row(iins[1], "Әлиева", world.school_a)]
    run(csv_upload(rows))
    rows[1][1] = "Әлиева-Нұрланова"
    rows[1][6] = "физика"
    job = run(csv_upload(rows))
    assert _counts(job) == (0, 1, 1, 0)
    teacher = Teacher.objects.get(iin=iins[1])
    assert teacher.last_name == "Әлиева-Нұрланова"
    assert [s.code for s in teacher.subjects.all()] == ["physics"]
    assert teacher.history.count() == 2
    assert Teacher.objects.get(iin=iins[0]).history.count() == 1

    history_rows = Teacher.history.count()
    again = run(csv_upload(rows))
    assert _counts(again) == (0, 0, 2, 0)
    assert Teacher.history.count() == history_rows


def test_empty_cells_do_not_erase_stored_values(world):
    teacher = world.teacher_b
    teacher.specialty = "Математика"
    teacher.save()
    header = ["ИИН", "Специальность", "Телефон"]
    job = run(csv_upload([[teacher.iin, "", "8 701 123 45 67"]], header))
    assert _counts(job) == (0, 1, 0, 0)
    teacher.refresh_from_db()
    assert teacher.specialty == "Математика"
    assert teacher.phone.replace(" ", "").endswith("7011234567")


def test_bad_rows_are_reported_and_never_stop_the_good_ones(world, iins):
    bad_check_digit = iins[2][:11] + str((int(iins[2][11]) + 1) % 10)
    rows = [
        _row(iins[0], "Жақсыбекова", world.school_a),  # row 2: good
        _row(bad_check_digit, "Қате", world.school_a),  # row 3: IIN check digit
        _row(iins[3], "Екі", world.school_a),  # row 4: duplicate
        _row(iins[3], "Екі", world.school_b),  # row 5: duplicate
        [iins[4], "Белгісіз", "Ұйым", "", "111111111110", "учитель", "", "", "", ""],  # row 6
        _row(iins[5], "Категориясыз", world.school_a, category="жоғарғы шебер"),  # row 7
    ]
    job = run(csv_upload(rows))
    assert _counts(job) == (1, 0, 0, 5)
    errors = _errors(job)
    assert set(errors) == {3, 4, 5, 6, 7}
    assert errors[3][0][0] == "ИИН"
    assert "4" in errors[5][0][1] and "5" in errors[5][0][1]
    assert errors[6][0][0] == "БИН организации"
    assert errors[7][0][0] == "Категория"
    assert Teacher.objects.filter(iin=iins[0]).exists()
    assert not Teacher.objects.filter(iin=iins[3]).exists()


def test_new_teacher_needs_the_required_fields_and_the_registry_rules(world, iins):
    header = ["ИИН", "ФИО", "Дата рождения", "Должность", "БИН"]
    rows = [
        [iins[0], "Нұрланова Айгүл Серікқызы", "10.01.1980", "", world.school_a.bin],
        [iins[1], "Нұрланова Айгүл", "11.01.1970", "учитель", world.school_a.bin],
    ]
    job = run(csv_upload(rows, header))
    errors = _errors(job)
    assert errors[2] == [["Должность", errors[2][0][1]]]
    assert errors[3][0][0] == "Дата рождения"  # does not match the IIN
    assert job.created_count == 0


def test_error_file_has_the_rejected_rows_and_an_error_column(client, world, iins):
    bad = _row(iins[0][:11] + "X", "Қате", world.school_a)
    job = run(
        csv_upload([bad, _row(iins[1], "Дұрыс", world.school_a)]),
        actor=world.users["methodologist"],
    )
    client.force_login(world.users["methodologist"])
    response = client.get(reverse("teachers:import_errors", args=[job.pk, "xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][-1] in ("error", "қате", "ошибка")
    assert values[0][:-1] == tuple(HEADER_RU)
    assert values[1][1] == "Қате"
    assert "ИИН" in values[1][-1]
    response = client.get(reverse("teachers:import_errors", args=[job.pk, "csv"]))
    text = response.content.decode("utf-8-sig")
    assert "Қате" in text and len(text.strip().splitlines()) == 2


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "empty.csv"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "photo.csv"),
        (b"IIN;Name\n900101300007;X\n", "fake.xlsx"),
        ("ИИН;Фамилия\n".encode(), "header-only.csv"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_message(db, content, name):
    with pytest.raises(ValidationError) as exc:
        services.import_job_create(actor=None, uploaded_file=SimpleUploadedFile(name, content))
    assert exc.value.messages[0]
    assert not ImportJob.objects.exists()


def test_a_file_without_an_iin_column_cannot_be_checked(db):
    job = services.import_job_create(
        actor=None, uploaded_file=csv_upload([["a", "b"]], ["Фамилия", "Имя"])
    )
    with pytest.raises(ValidationError):
        services.import_job_configure(job=job, actor=None, mapping={1: "first_name"})


def test_a_killed_worker_leaves_consistent_data_and_the_rerun_completes(world, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    iins = [next_iin(dt.date(1975, 5, 1 + n), "F") for n in range(7)]
    rows = [_row(iin, "Оқытушы-" + "әбвгдеж"[n], world.school_a) for n, iin in enumerate(iins)]
    job = run(csv_upload(rows), apply=False)

    real_write = services._write
    calls = {"n": 0}

    def dying_write(job, plan):
        calls["n"] += 1
        real_write(job, plan)
        if calls["n"] == 2:
            raise SystemExit("worker killed")  # after the batch's writes, before its commit

    monkeypatch.setattr(services, "_write", dying_write)
    with pytest.raises(SystemExit):
        services.import_job_apply(job_id=job.pk)
    job.refresh_from_db()
    assert job.processed_rows == 2  # only the first batch committed
    assert Teacher.objects.filter(iin__in=iins).count() == 2
    assert Teacher.history.filter(iin__in=iins).count() == 2

    monkeypatch.setattr(services, "_write", real_write)
    job = services.import_job_apply(job_id=job.pk)
    assert job.status == ImportJob.Status.DONE
    assert _counts(job) == (7, 0, 0, 0)
    assert Teacher.objects.filter(iin__in=iins).count() == 7
    assert Teacher.history.filter(iin__in=iins).count() == 7


def test_a_school_admin_imports_only_into_their_school(world, iins):
    admin = world.users["school_admin"]
    rows = [
        _row(iins[0], "Өзіміздікі", world.school_a),
        _row(iins[1], "Бөгде", world.school_b),
        [world.teacher_c.iin, "Өзгерту", "", "", "", "", "", "", "", ""],
    ]
    job = run(csv_upload(rows), actor=admin, organization=world.school_a)
    assert _counts(job) == (1, 0, 0, 2)
    errors = _errors(job)
    assert set(errors) == {3, 4}
    world.teacher_c.refresh_from_db()
    assert world.teacher_c.last_name != "Өзгерту"


def test_rows_without_a_bin_go_to_the_chosen_organisation(world, iins):
    header = ["ЖСН", "Тегі", "Аты", "Лауазымы"]
    job = run(
        csv_upload([[iins[0], "Бекова", "Дана", "мұғалім"]], header), organization=world.school_b
    )
    assert job.created_count == 1
    assert Teacher.objects.get(iin=iins[0]).organization == world.school_b


def test_xlsx_with_numeric_iins_and_real_dates(world):
    iin = next_iin(dt.date(2001, 2, 3), "M")  # starts with 0: Excel drops the zero
    header = ["IIN", "Last name", "First name", "Organisation BIN", "Position", "Birth date"]
    rows = [
        [int(iin), "Omarov", "Daniyar", int(world.school_a.bin), "teacher", dt.datetime(2001, 2, 3)]
    ]
    job = run(xlsx_upload(rows, header))
    assert _counts(job) == (1, 0, 0, 0), _errors(job)
    assert Teacher.objects.get(iin=iin).last_name == "Omarov"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_reimports_with_zero_changes(client, world, fmt):
    world.teacher_a.subjects.add(
        *world.teacher_a.subjects.model.objects.filter(code__in=["physics", "english"])
    )
    client.force_login(world.users["region_admin"])
    response = client.get(reverse("teachers:export", args=[fmt]))
    assert response.status_code == 200
    upload = SimpleUploadedFile(f"export.{fmt}", response.content)
    job = run(upload)
    assert _counts(job) == (0, 0, 3, 0), _errors(job)


def test_export_respects_the_scope_and_the_filters(client, world):
    client.force_login(world.users["school_admin"])
    response = client.get(reverse("teachers:export", args=["csv"]))
    text = response.content.decode("utf-8-sig")
    assert world.teacher_a.iin in text
    assert world.teacher_b.iin not in text
    client.force_login(world.users["region_admin"])
    response = client.get(reverse("teachers:export", args=["csv"]), {"district": world.sairam.pk})
    text = response.content.decode("utf-8-sig")
    assert world.teacher_c.iin in text and world.teacher_a.iin not in text


def test_large_export_runs_on_the_worker(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.TEACHER_EXPORT_INLINE_ROWS = 1
    client.force_login(world.users["region_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("teachers:export", args=["xlsx"]))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    job = page.context["job"]
    assert job.status == "done" and job.total_rows == job.processed_rows == 3
    download = client.get(reverse("teachers:export_download", args=[job.pk]))
    assert (
        len(list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.values))
        == 4
    )
    client.force_login(world.users["hr_analyst"])
    assert client.get(reverse("teachers:export_download", args=[job.pk])).status_code == 404


def test_upload_map_check_and_apply_through_the_pages(
    client, world, iins, settings, django_capture_on_commit_callbacks
):
    client.force_login(world.users["methodologist"])
    upload = csv_upload([_row(iins[0], "Бетбеттен", world.school_b)])
    response = client.post(reverse("teachers:import_upload"), {"file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"])
    form = page.context["form"]
    assert form["column_0"].initial == "iin"
    assert form["column_4"].initial == "organization_bin"
    data = {f"column_{i}": form[f"column_{i}"].initial for i in range(len(HEADER_RU))}
    settings.TEACHER_IMPORT_INLINE_BYTES = 10  # go through the worker path
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response["Location"], data)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CHECKED and job.created_count == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("teachers:import_apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Teacher.objects.filter(iin=iins[0]).exists()
    # The progress fragment reloads the page once the job is done.
    fragment = client.get(reverse("teachers:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true"
    listing = client.get(reverse("teachers:import_list"))
    assert job in listing.context["page"].object_list
    # Someone else's import is not visible to a school administrator of another school.
    client.force_login(world.users["school_admin"])
    assert client.get(reverse("teachers:import_detail", args=[job.pk])).status_code == 404


def test_commands_import_and_export(world, iins, tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(csv_upload([_row(iins[0], "Командова", world.school_a)]).read())
    out = io.StringIO()
    call_command("import_teachers", str(path), stdout=out)
    assert not Teacher.objects.filter(iin=iins[0]).exists()
    call_command("import_teachers", str(path), "--apply", stdout=out)
    assert Teacher.objects.filter(iin=iins[0]).exists()
    assert "1" in out.getvalue()
    export = tmp_path / "all.xlsx"
    call_command("export_teachers", str(export), stdout=out)
    call_command("import_teachers", str(export), "--apply", stdout=out)
    assert ImportJob.objects.order_by("-pk").first().unchanged_count == 4


def _queries_to_reimport(world, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    header = [*HEADER_RU, "Язык обучения"]
    rows = [
        [
            *_row(
                next_iin(dt.date(1960 + n % 40, 1 + n % 12, 1 + n % 28), "F"),
                "Сапарова",
                world.school_a,
            ),
            "казахский язык",
        ]
        for n in range(count)
    ]
    rows[0][1] = "Бірінші"
    run(csv_upload(rows, header))
    rows[0][1] = "Өзгерген"  # one update, the rest unchanged
    with CaptureQueriesContext(connection) as ctx:
        job = run(csv_upload(rows, header))
    assert _counts(job) == (0, 1, count - 1, 0)
    return len(ctx.captured_queries)


def test_import_queries_do_not_grow_with_the_rows_of_a_batch(world):
    assert _queries_to_reimport(world, 3) == _queries_to_reimport(world, 40)
