"""Knowledge-test results through the client: the scoped list with its filters, typing a
result in, and importing a file: checked first, every bad row reported with its row,
column and reason, only good rows applied and never half, the rejected rows downloadable,
large files on the worker with a progress bar, resuming after a failure."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from apps.attestation import imports
from apps.attestation.models import TestResult, TestResultImport
from apps.organizations.models import InstructionLanguage
from tests.factories import TeacherFactory, next_iin

from .conftest import PDF

pytestmark = pytest.mark.usefixtures("english")

Job = TestResultImport.Status
HEADER_RU = ["ИИН", "Дата тестирования", "Язык", "Балл", "Максимальный балл", "Номер сертификата"]
HEADER_KK = ["ЖСН", "Тестілеу күні", "Тілі", "Жинаған балл", "Ең жоғары балл", "Сертификат нөмірі"]
HEADER_EN = ["IIN", "Test date", "Language", "Score", "Max score", "Certificate number"]


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def url(name, *args):
    return reverse(f"attestation:{name}", args=args)


def days_ago(n) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def ddmmyyyy(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def csv_upload(rows, header=HEADER_RU, *, name="results.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), "text/csv")


def xlsx_upload(rows, header=HEADER_KK, *, name="results.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def row(teacher_or_iin, number, *, taken_on=None, language="казахский", score="42,5", top="50"):
    iin = getattr(teacher_or_iin, "iin", teacher_or_iin)
    return [iin, ddmmyyyy(taken_on or days_ago(7)), language, score, top, number]


def recorded(teacher, number, *, score="42.5", top="50", taken_on=None, language="kk"):
    return TestResult.objects.create(
        teacher=teacher,
        taken_on=taken_on or days_ago(7),
        language=InstructionLanguage.objects.get(code=language),
        score=Decimal(score),
        max_score=Decimal(top),
        certificate_number=number,
        source=TestResult.Source.MANUAL,
    )


def upload(client, file) -> TestResultImport:
    response = client.post(url("test_result_import"), {"file": file})
    assert response.status_code == 302, response.content.decode()[:3000]
    return TestResultImport.objects.latest("pk")


def apply(client, job) -> TestResultImport:
    client.post(url("test_result_import_detail", job.pk))
    job.refresh_from_db()
    return job


def counts(job):
    return (job.created_rows, job.unchanged_rows, job.rejected_rows)


def reasons(job) -> dict:
    """{row: {(column, message), ...}}"""
    result = {}
    for error in job.errors.all():
        result.setdefault(error.row_number, set()).add((error.column, error.message))
    return result


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.users["school_admin"])
    return client


@pytest.fixture
def second_teacher(world):
    return TeacherFactory(organization=world.school_a)


# --- a good file -----------------------------------------------------------------------------


def test_a_good_csv_is_checked_then_applied(admin_client, world, second_teacher):
    file = csv_upload(
        [row(world.teacher_a, "OZP-001"), row(second_teacher, "OZP-002", language="русский")]
    )
    job = upload(admin_client, file)
    assert (job.status, job.total_rows, counts(job)) == (Job.CHECKED, 2, (2, 0, 0))
    assert not TestResult.objects.exists()  # the check writes nothing
    page = admin_client.get(url("test_result_import_detail", job.pk)).content.decode()
    assert "Add 2 results" in page

    job = apply(admin_client, job)
    assert (job.status, counts(job)) == (Job.APPLIED, (2, 0, 0))
    first = TestResult.objects.get(certificate_number="OZP-001")
    assert (first.teacher, first.taken_on, first.language.code) == (
        world.teacher_a,
        days_ago(7),
        "kk",
    )
    assert (first.score, first.max_score, first.percent) == (
        Decimal("42.50"),
        Decimal("50.00"),
        Decimal("85.00"),
    )
    assert (first.source, first.created_by) == (
        TestResult.Source.IMPORT,
        world.users["school_admin"],
    )
    assert TestResult.objects.get(certificate_number="OZP-002").language.code == "ru"

    # Applying again adds nothing; importing the same file again finds everything there.
    assert apply(admin_client, job).created_rows == 2
    assert TestResult.objects.count() == 2
    again = upload(admin_client, csv_upload([row(world.teacher_a, "OZP-001")]))
    assert counts(again) == (0, 1, 0)


@pytest.mark.parametrize("header", [HEADER_KK, HEADER_EN, HEADER_RU])
def test_an_xlsx_with_real_cells_and_headers_in_any_language(admin_client, world, header):
    cells = [int(world.teacher_a.iin), days_ago(30), "kk", 57, 60.0, 2026000123]
    job = upload(admin_client, xlsx_upload([cells], header))
    assert counts(job) == (1, 0, 0)
    apply(admin_client, job)
    result = TestResult.objects.get()
    assert (result.taken_on, result.score, result.certificate_number) == (
        days_ago(30),
        Decimal("57"),
        "2026000123",
    )


# --- bad rows ------------------------------------------------------------------------------


def test_every_bad_row_is_reported_and_only_good_rows_are_added(
    admin_client, world, second_teacher
):
    recorded(world.teacher_a, "SAME-1")
    recorded(world.teacher_a, "OTHER-1", score="30")
    rows = [
        row(world.teacher_a, "GOOD-1"),  # 2
        row("900101300001", "R3"),  # 3: wrong check digit
        row(next_iin(dt.date(1990, 1, 1), "M"), "R4"),  # 4: valid, not in the registry
        row(world.teacher_c, "R5"),  # 5: another district
        row(world.teacher_a, "R6", taken_on=timezone.localdate() + dt.timedelta(days=1)),  # 6
        row(world.teacher_a, "R7", language="узбекский"),  # 7
        row(world.teacher_a, "R8", score="60"),  # 8: above the maximum
        row(world.teacher_a, "R9", score="0", top="0"),  # 9
        row(world.teacher_a, ""),  # 10: no certificate number
        row(world.teacher_a, "DUP-1"),  # 11
        row(second_teacher, "DUP-1"),  # 12
        row(world.teacher_a, "R13", score="сорок"),  # 13
        [world.teacher_a.iin, "31.02.2025", "kk", "40", "50", "R14"],  # 14
        row(world.teacher_a, "SAME-1"),  # 15: already there, same data
        row(world.teacher_a, "OTHER-1"),  # 16: already there, other data
        row(second_teacher, "GOOD-2"),  # 17
    ]
    job = upload(admin_client, csv_upload(rows))
    assert counts(job) == (2, 1, 13)
    found = reasons(job)
    expected = {
        3: ("ИИН", "check digit"),
        4: ("ИИН", "No teacher with this IIN"),
        5: ("ИИН", "outside your scope"),
        6: ("Дата тестирования", "cannot be in the future"),
        7: ("Язык", "not a test language"),
        8: ("Балл", "above the maximum score (50.00)"),
        9: ("Максимальный балл", "above zero"),
        10: ("Номер сертификата", "Required"),
        11: ("Номер сертификата", "more than once (rows 11, 12)"),
        12: ("Номер сертификата", "more than once (rows 11, 12)"),
        13: ("Балл", "not a number"),
        14: ("Дата тестирования", "not a date"),
        16: ("Номер сертификата", "already recorded with other data"),
    }
    assert set(found) == set(expected)
    for number, (column, words) in expected.items():
        assert any(c == column and words in m for c, m in found[number]), (number, found[number])

    page = admin_client.get(url("test_result_import_detail", job.pk)).content.decode()
    assert "already recorded with other data" in page
    assert 'data-count="rejected">13<' in page

    job = apply(admin_client, job)
    assert (job.status, counts(job)) == (Job.APPLIED, (2, 1, 13))
    assert set(TestResult.objects.values_list("certificate_number", flat=True)) == {
        "SAME-1",
        "OTHER-1",
        "GOOD-1",
        "GOOD-2",
    }
    assert TestResult.objects.get(certificate_number="OTHER-1").score == Decimal("30")


def test_a_file_with_nothing_new_cannot_be_applied(admin_client, world):
    recorded(world.teacher_a, "SAME-1")
    job = upload(admin_client, csv_upload([row(world.teacher_a, "SAME-1")]))
    assert counts(job) == (0, 1, 0)
    response = admin_client.post(url("test_result_import_detail", job.pk), follow=True)
    assert "no new results to add" in response.content.decode()
    job.refresh_from_db()
    assert job.status == Job.CHECKED


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("results.xlsx", PDF), "a PDF document"),
        (SimpleUploadedFile("results.csv", b""), "empty"),
        (
            SimpleUploadedFile("results.csv", "ИИН;Балл\n900101300007;40\n".encode()),
            "Missing: Test date, Language, Maximum score, Certificate number",
        ),
    ],
)
def test_a_file_that_cannot_be_imported_is_explained(admin_client, file, message):
    response = admin_client.post(url("test_result_import"), {"file": file})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not TestResultImport.objects.exists()


# --- never half-imported -----------------------------------------------------------------


def test_a_failure_in_the_request_rolls_everything_back(admin_client, world, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_SIZE", 1)
    rows = [row(world.teacher_a, f"OZP-{n}") for n in range(3)]
    job = upload(admin_client, csv_upload(rows))
    real_check = imports._check

    def racing(batch, content, actor):
        """Someone records the last row's certificate while the import writes."""
        outcome = real_check(batch, content, actor)
        if batch[0][0] == 4:
            recorded(world.teacher_b, "OZP-2")
        return outcome

    monkeypatch.setattr(imports, "_check", racing)
    job = apply(admin_client, job)
    assert job.status == Job.FAILED
    assert "nothing was imported" in job.failure
    assert not TestResult.objects.exists()  # neither the first rows nor the racing one

    monkeypatch.setattr(imports, "_check", real_check)
    job = apply(admin_client, job)
    assert (job.status, counts(job)) == (Job.APPLIED, (3, 0, 0))


@pytest.fixture
def worker_sized(monkeypatch):
    """Files of more than 2 rows go to the worker, in batches of 2."""
    monkeypatch.setattr(imports, "INLINE_ROWS", 2)
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)


def test_a_large_file_goes_to_the_worker_with_a_progress_bar(
    admin_client, world, worker_sized, django_capture_on_commit_callbacks
):
    rows = [row(world.teacher_a, f"OZP-{n}") for n in range(5)]
    job = upload(admin_client, csv_upload(rows))
    with django_capture_on_commit_callbacks() as callbacks:
        job = apply(admin_client, job)
    assert job.status == Job.APPLYING
    assert not TestResult.objects.exists()
    page = admin_client.get(url("test_result_import_detail", job.pk)).content.decode()
    assert 'id="job-progress"' in page and "hx-get" in page
    poll = admin_client.get(url("test_result_import_detail", job.pk), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in poll
    assert 'role="progressbar"' in poll.content.decode()
    # A second click while it runs starts nothing.
    response = admin_client.post(url("test_result_import_detail", job.pk), follow=True)
    assert "being imported" in response.content.decode()

    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert (job.status, job.processed_rows, counts(job)) == (Job.APPLIED, 5, (5, 0, 0))
    assert TestResult.objects.count() == 5
    poll = admin_client.get(url("test_result_import_detail", job.pk), HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"


def test_a_stopped_worker_resumes_after_its_last_batch(
    admin_client, world, worker_sized, monkeypatch, django_capture_on_commit_callbacks
):
    rows = [row(world.teacher_a, f"OZP-{n}") for n in range(5)]
    job = upload(admin_client, csv_upload(rows))
    real_record = imports._record
    calls = []

    def dying(job, outcome, content):
        calls.append(1)
        if len(calls) == 2:
            raise ConnectionResetError("worker lost")
        real_record(job, outcome, content)

    monkeypatch.setattr(imports, "_record", dying)
    with pytest.raises(ConnectionResetError), django_capture_on_commit_callbacks(execute=True):
        apply(admin_client, job)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_rows) == (Job.FAILED, 2, 2)
    assert "worker lost" in job.failure
    assert TestResult.objects.count() == 2  # the committed batch, and nothing of the next
    page = admin_client.get(url("test_result_import_detail", job.pk)).content.decode()
    assert "Go on with the import" in page

    monkeypatch.setattr(imports, "_record", real_record)
    with django_capture_on_commit_callbacks(execute=True):
        apply(admin_client, job)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, counts(job)) == (Job.APPLIED, 5, (5, 0, 0))
    assert TestResult.objects.count() == 5


def test_the_task_is_safe_to_run_twice(admin_client, world, worker_sized):
    from apps.attestation.tasks import test_result_import_apply_task

    job = upload(admin_client, csv_upload([row(world.teacher_a, f"OZP-{n}") for n in range(3)]))
    test_result_import_apply_task(job.pk)  # not requested: nothing happens
    assert not TestResult.objects.exists()
    job = apply(admin_client, job)  # queued (the on-commit callback is not run here)
    test_result_import_apply_task(job.pk)
    test_result_import_apply_task(job.pk)
    job.refresh_from_db()
    assert (job.status, counts(job)) == (Job.APPLIED, (3, 0, 0))
    assert TestResult.objects.count() == 3


# --- the error file --------------------------------------------------------------------------


def _bad_rows(world):
    return [
        row(world.teacher_a, "GOOD-1"),
        row("061211600012", "R3"),  # valid IIN, born in 2006: not in the registry
        row(world.teacher_a, "R4", score="70"),
    ]


def test_rejected_rows_download_as_xlsx_with_an_error_column(admin_client, world):
    job = upload(admin_client, csv_upload(_bad_rows(world)))
    response = admin_client.get(url("test_result_import_errors", job.pk, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    lines = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert lines[0] == [
        "IIN",
        "Test date",
        "Language",
        "Score",
        "Maximum score",
        "Certificate number",
        "Error",
    ]
    assert lines[1][0] == "061211600012"  # text: the leading zero is kept
    assert lines[1][5] == "R3"
    assert "ИИН: No teacher with this IIN" in lines[1][6]
    assert lines[2][3] == "70" and "Балл: The score is above the maximum" in lines[2][6]
    assert len(lines) == 3


def test_the_csv_error_file_imports_again_once_fixed(admin_client, world):
    job = upload(admin_client, csv_upload(_bad_rows(world)))
    response = admin_client.get(url("test_result_import_errors", job.pk, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][-1] == "Error" and len(lines) == 3
    lines[2][3] = "45"  # the fix
    fixed = io.StringIO()
    csv.writer(fixed, delimiter=";").writerows(lines)
    again = upload(
        admin_client, SimpleUploadedFile("fixed.csv", fixed.getvalue().encode("utf-8-sig"))
    )
    assert counts(again) == (1, 0, 1)  # R4 now good; the unknown IIN still rejected


def test_the_error_file_asks_for_a_known_format(admin_client, world):
    job = upload(admin_client, csv_upload(_bad_rows(world)))
    assert admin_client.get(url("test_result_import_errors", job.pk, "pdf")).status_code == 404


# --- who imports what ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["teacher", "commission_member", "hr_analyst", "no_role"])
def test_only_staff_who_change_teachers_import_or_add(client, world, role):
    client.force_login(world.users[role])
    assert client.get(url("test_result_import")).status_code == 403
    assert client.get(url("test_result_create")).status_code == 403
    file = csv_upload([row(world.teacher_a, "X-1")])
    assert client.post(url("test_result_import"), {"file": file}).status_code == 403
    assert not TestResultImport.objects.exists()


def test_an_import_is_its_uploaders(client, world):
    client.force_login(world.users["school_admin"])
    job = upload(client, csv_upload(_bad_rows(world)))
    client.force_login(world.users["methodologist"])
    for name, args in (
        ("test_result_import_detail", (job.pk,)),
        ("test_result_import_errors", (job.pk, "csv")),
    ):
        assert client.get(url(name, *args)).status_code == 404
    assert client.post(url("test_result_import_detail", job.pk)).status_code == 404
    job.refresh_from_db()
    assert job.status == Job.CHECKED


def test_rows_are_checked_against_the_importers_scope(client, world):
    client.force_login(world.users["methodologist"])  # district 6110: schools A and B
    job = upload(
        client,
        csv_upload(
            [
                row(world.teacher_a, "A-1"),
                row(world.teacher_b, "B-1"),
                row(world.teacher_c, "C-1"),
            ]
        ),
    )
    assert counts(job) == (2, 0, 1)
    assert reasons(job)[4] == {
        ("ИИН", "This teacher works outside your scope: you cannot add their results.")
    }


# --- the list --------------------------------------------------------------------------------


@pytest.fixture
def results(world):
    """A result of each of the three teachers: 55%, 75%, 95%."""
    return {
        "a": recorded(world.teacher_a, "A-55", score="55", top="100", taken_on=days_ago(100)),
        "b": recorded(world.teacher_b, "B-75", score="75", top="100", taken_on=days_ago(50)),
        "c": recorded(world.teacher_c, "C-95", score="95", top="100", taken_on=days_ago(10)),
    }


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("teacher", {"a"}),  # their own
        ("school_admin", {"a"}),
        ("methodologist", {"a", "b"}),
        ("commission_member", {"a", "b"}),
        ("hr_analyst", {"a", "b", "c"}),
        ("region_admin", {"a", "b", "c"}),
        ("no_role", set()),
    ],
)
def test_the_list_shows_the_users_scope(client, world, results, role, visible):
    client.force_login(world.users[role])
    response = client.get(url("test_result_list"))
    assert response.status_code == 200
    shown = set(response.context["page"].object_list)
    assert shown == {results[key] for key in visible}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (lambda w: {"q": w.teacher_b.iin}, {"b"}),
        (lambda w: {"q": w.teacher_c.iin[:11]}, {"c"}),  # a prefix
        (lambda w: {"q": w.teacher_a.last_name.upper()}, {"a"}),
        (lambda w: {"taken_from": days_ago(60)}, {"b", "c"}),
        (lambda w: {"taken_until": days_ago(60)}, {"a"}),
        (lambda w: {"taken_from": days_ago(60), "taken_until": days_ago(20)}, {"b"}),
        (lambda w: {"min_percent": 75}, {"b", "c"}),  # the mark itself passes
        (lambda w: {"min_percent": 76}, {"c"}),
        (lambda w: {"min_percent": 0}, {"a", "b", "c"}),
    ],
)
def test_the_list_filters(client, world, results, query, expected):
    client.force_login(world.users["region_admin"])
    response = client.get(url("test_result_list"), query(world))
    assert set(response.context["page"].object_list) == {results[key] for key in expected}


def test_an_invalid_filter_shows_an_error_not_a_crash(client, world, results):
    client.force_login(world.users["region_admin"])
    response = client.get(url("test_result_list"), {"min_percent": "120", "taken_from": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize("count", [3, 40])
def test_the_list_pages_in_constant_queries(
    client, world, settings, count, django_assert_max_num_queries
):
    for n in range(count):
        teacher = TeacherFactory(organization=world.school_a if n % 2 else world.school_b)
        recorded(teacher, f"N-{n}")
    client.force_login(world.users["methodologist"])
    with django_assert_max_num_queries(9):
        response = client.get(url("test_result_list"))
    page = response.context["page"]
    assert len(page.object_list) == min(count, 25)
    assert page.paginator.count == count
    if count > 25:
        second = client.get(url("test_result_list"), {"page": 2})
        assert len(second.context["page"].object_list) == count - 25


# --- typing a result in ----------------------------------------------------------------------


def _form(teacher, **changes):
    data = {
        "iin": teacher.iin,
        "taken_on": days_ago(3).isoformat(),
        "language": InstructionLanguage.objects.get(code="kk").pk,
        "score": "41",
        "max_score": "50",
        "certificate_number": " OZP-777 ",
    }
    data.update(changes)
    return data


def test_staff_type_a_result_in(admin_client, world):
    response = admin_client.post(url("test_result_create"), _form(world.teacher_a))
    assert response.status_code == 302
    assert response["Location"] == f"{url('test_result_list')}?q={world.teacher_a.iin}"
    result = TestResult.objects.get()
    assert (result.teacher, result.certificate_number, result.percent) == (
        world.teacher_a,
        "OZP-777",
        Decimal("82.00"),
    )
    assert (result.source, result.created_by) == (
        TestResult.Source.MANUAL,
        world.users["school_admin"],
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"iin": "900101300001"}, "iin"),  # not an IIN
        ({"iin": "teacher_b"}, "iin"),  # not among the teachers the user sees
        ({"taken_on": "tomorrow"}, "taken_on"),
        ({"score": "51"}, None),
        ({"language": "uz"}, "language"),  # only the test's languages are offered
    ],
)
def test_typed_in_values_are_checked(admin_client, world, changes, field):
    changes = dict(changes)
    if changes.get("iin") == "teacher_b":
        changes["iin"] = world.teacher_b.iin
    if changes.get("taken_on") == "tomorrow":
        changes["taken_on"] = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    if changes.get("language") == "uz":
        changes["language"] = InstructionLanguage.objects.get(code="uz").pk
    response = admin_client.post(url("test_result_create"), _form(world.teacher_a, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors if field else errors
    assert not TestResult.objects.exists()


def test_a_result_for_a_teacher_seen_but_not_changed_is_refused(client, world):
    """A teacher the user sees (here as a commission member of another district) but may
    not change: the form finds them, the service refuses."""
    from apps.accounts.models import Role
    from apps.accounts.services import role_assignment_create

    user = world.users["methodologist"]
    role_assignment_create(user=user, role=Role.COMMISSION_MEMBER, district=world.sairam)
    client.force_login(user)
    response = client.post(url("test_result_create"), _form(world.teacher_c))
    assert response.status_code == 200
    assert "You cannot add results for this teacher." in response.context["form"].errors["iin"]
    assert not TestResult.objects.exists()
