"""Knowledge-test (ОЗП) results from a spreadsheet of the testing centre (XLSX or CSV, headers
in Kazakh, Russian or English): every row is checked first and the outcome shown (to add,
already there, rejected with row, column and reason); applying then adds the good rows only.

Nothing is half-imported. A file of up to INLINE_ROWS rows is applied in the request, in one
transaction. A larger one is applied by the worker in batches, each committed together with
the job's progress and counts, so that the page shows a progress bar and a run that stopped
resumes after its last batch; every row is checked again as it is written, so a second run
adds nothing twice.
"""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.organizations.models import InstructionLanguage
from apps.teachers.imports.cleaning import CellError, clean_date, clean_iin
from apps.teachers.imports.columns import ColumnSet, NamedColumn, normalize_header
from apps.teachers.imports.readers import ImportFileError, open_table
from apps.teachers.models import Teacher

from .models import TestResult, TestResultImport, TestResultImportError

Status = TestResultImport.Status
# Up to this many rows the apply runs in the request (a second or two); more go to the worker.
INLINE_ROWS = 3000
BATCH_SIZE = 500
# The languages the test is taken in.
TEST_LANGUAGES = ("kk", "ru")
_CENT = Decimal("0.01")
_MAX_NUMBER = Decimal("9999.99")  # what the score columns hold (6 digits, 2 decimals)


# The columns of the file, in the order of the error file; every one is required.
COLUMNS = ColumnSet(
    {
        "iin": NamedColumn(
            gettext_lazy("IIN"), ("ИИН", "ЖСН", "IIN", "ИИН педагога", "Педагогтің ЖСН")
        ),
        "taken_on": NamedColumn(
            TestResult._meta.get_field("taken_on").verbose_name,
            (
                "Дата тестирования",
                "Дата теста",
                "Дата сдачи",
                "Дата",
                "Тестілеу күні",
                "Тестілеу күні мен уақыты",
                "Тест тапсырған күні",
                "Күні",
                "Test date",
                "Date",
            ),
        ),
        "language": NamedColumn(
            TestResult._meta.get_field("language").verbose_name,
            (
                "Язык",
                "Язык тестирования",
                "Язык теста",
                "Тіл",
                "Тілі",
                "Тестілеу тілі",
                "Language",
                "Test language",
            ),
        ),
        "score": NamedColumn(
            TestResult._meta.get_field("score").verbose_name,
            (
                "Балл",
                "Баллы",
                "Набранный балл",
                "Результат",
                "Жинаған балл",
                "Жинаған балы",
                "Нәтиже",
                "Score",
                "Points",
            ),
        ),
        "max_score": NamedColumn(
            TestResult._meta.get_field("max_score").verbose_name,
            (
                "Максимальный балл",
                "Макс балл",
                "Максимум",
                "Ең жоғары балл",
                "Максималды балл",
                "Max score",
                "Maximum",
            ),
        ),
        "certificate_number": NamedColumn(
            TestResult._meta.get_field("certificate_number").verbose_name,
            (
                "Номер сертификата",
                "Сертификат",
                "Сертификат номер",
                "Сертификат нөмірі",
                "Сертификаттың нөмірі",
                "Certificate",
                "Certificate No",
            ),
        ),
    }
)
# How people write the test's language, besides the names in the reference list.
_LANGUAGE_WORDS = {
    "kk": ("kk", "kz", "kaz", "каз", "қаз", "қазақ", "қазақша", "казахский", "kazakh"),
    "ru": ("ru", "rus", "рус", "орыс", "орысша", "русский", "russian"),
}


def column_label(name: str) -> str:
    return COLUMNS.label(name)


def map_columns(header: list[str]) -> dict[str, int]:
    return COLUMNS.map(header)


# --- reading cells ---------------------------------------------------------------------------


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _language_index() -> dict[str, InstructionLanguage]:
    languages = {lang.code: lang for lang in InstructionLanguage.objects.all()}
    index = {}
    for code, language in languages.items():
        for text in (code, language.name_kk, language.name_ru, language.name_en):
            if text:
                index[normalize_header(text)] = language
    for code, words in _LANGUAGE_WORDS.items():
        for word in words:
            index.setdefault(normalize_header(word), languages.get(code))
    return index


def _number(value) -> Decimal:
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, int | float):
        text = str(value)
    else:
        text = "".join(str(value).split()).replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    if number < 0:
        raise CellError(_("A score cannot be negative."))
    if number > _MAX_NUMBER:
        raise CellError(_("%(value)s is too large for a score.") % {"value": value})
    if number != number.quantize(_CENT):
        raise CellError(_("A score has at most two decimals."))
    return number.quantize(_CENT)


def _certificate_number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a cell Excel formats as a number
    return " ".join(str(value).split())


def _jsonable(value):
    """A cell as the error file shows it again (dates as the import reads them)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d.%m.%Y")
    return value


# --- checking rows ---------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    cells: dict  # column name -> the cell as found
    values: dict = field(default_factory=dict)  # column name -> clean value
    errors: list = field(default_factory=list)  # (column name, message)
    teacher: Teacher | None = None


@dataclass
class _Outcome:
    new: list[_Row] = field(default_factory=list)
    unchanged: list[_Row] = field(default_factory=list)
    rejected: list[_Row] = field(default_factory=list)


@dataclass
class _File:
    """What every batch needs: the file's rows and header, and look-ups made once."""

    header: list[str]
    columns: dict[str, int]
    rows: list[tuple[int, list]]
    duplicates: dict[str, list[int]]  # certificate number -> the rows that hold it
    languages: dict[str, InstructionLanguage]
    today: dt.date


def _read(job: TestResultImport) -> _File:
    try:
        table = open_table(
            Path(job.file.path),
            filename=job.original_name,
            max_bytes=settings.RESULTS_IMPORT_MAX_BYTES,
        )
        with table:
            header, rows = table.header, list(table.rows)
    except ImportFileError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    columns = map_columns(header)
    seen = defaultdict(list)
    position = columns["certificate_number"]
    for number, cells in rows:
        if not _is_empty(cells[position]):
            seen[_certificate_number(cells[position])].append(number)
    return _File(
        header=header,
        columns=columns,
        rows=rows,
        duplicates={key: numbers for key, numbers in seen.items() if len(numbers) > 1},
        languages=_language_index(),
        today=timezone.localdate(),
    )


def _clean_cells(row: _Row, file: _File) -> None:
    """Each cell on its own: required, and of the right kind."""
    for name, value in row.cells.items():
        if _is_empty(value):
            row.errors.append((name, _("Required.")))
            continue
        try:
            row.values[name] = _CLEANERS[name](value, file)
        except CellError as exc:
            row.errors.append((name, exc.message))


def _clean_taken_on(value, file: _File) -> dt.date:
    day = clean_date(value)
    if day > file.today:
        raise CellError(_("The test date cannot be in the future."))
    return day


def _clean_language(value, file: _File) -> InstructionLanguage:
    language = file.languages.get(normalize_header(str(value)))
    if language is None or language.code not in TEST_LANGUAGES:
        raise CellError(
            _("“%(value)s” is not a test language: write Kazakh (kk) or Russian (ru).")
            % {"value": value}
        )
    return language


def _clean_certificate_number(value, file: _File) -> str:
    number = _certificate_number(value)
    limit = TestResult._meta.get_field("certificate_number").max_length
    if len(number) > limit:
        raise CellError(
            _("A certificate number has at most %(limit)d characters.") % {"limit": limit}
        )
    if number in file.duplicates:
        raise CellError(
            _("This certificate number is in the file more than once (rows %(rows)s).")
            % {"rows": ", ".join(str(n) for n in file.duplicates[number])}
        )
    return number


_CLEANERS = {
    "iin": lambda value, file: clean_iin(value),
    "taken_on": _clean_taken_on,
    "language": _clean_language,
    "score": lambda value, file: _number(value),
    "max_score": lambda value, file: _number(value),
    "certificate_number": _clean_certificate_number,
}


def _same_result(existing: TestResult, row: _Row) -> bool:
    v = row.values
    return (
        existing.teacher_id == row.teacher.pk
        and existing.taken_on == v["taken_on"]
        and existing.language_id == v["language"].pk
        and existing.score == v["score"]
        and existing.max_score == v["max_score"]
    )


def _check(batch, file: _File, actor) -> _Outcome:
    """Sort a batch of rows into new, already there and rejected, with every reason."""
    rows = []
    for number, cells in batch:
        row = _Row(number, {name: cells[i] for name, i in file.columns.items()})
        _clean_cells(row, file)
        rows.append(row)
    teachers = Teacher.objects.select_related("organization__district").in_bulk(
        {r.values["iin"] for r in rows if "iin" in r.values}, field_name="iin"
    )
    recorded = TestResult.objects.in_bulk(
        {r.values["certificate_number"] for r in rows if "certificate_number" in r.values},
        field_name="certificate_number",
    )
    outcome = _Outcome()
    for row in rows:
        _check_against_records(row, teachers, actor)
        existing = recorded.get(row.values.get("certificate_number"))
        if not row.errors and existing is not None and not _same_result(existing, row):
            row.errors.append(
                (
                    "certificate_number",
                    _("A result with this certificate number is already recorded with other data."),
                )
            )
        if row.errors:
            outcome.rejected.append(row)
        elif existing is None:
            outcome.new.append(row)
        else:
            outcome.unchanged.append(row)
    return outcome


def _check_against_records(row: _Row, teachers: dict, actor) -> None:
    """The rules across cells and against the registry: the teacher exists and is the
    importer's to add results for, the score is within the maximum."""
    values = row.values
    if "iin" in values:
        row.teacher = teachers.get(values["iin"])
        if row.teacher is None:
            row.errors.append(("iin", _("No teacher with this IIN in the registry.")))
        elif actor is None or not actor.has_perm("attestation.add_test_result", row.teacher):
            row.errors.append(
                ("iin", _("This teacher works outside your scope: you cannot add their results."))
            )
    if "score" in values and "max_score" in values:
        if values["max_score"] <= 0:
            row.errors.append(("max_score", _("The maximum score must be above zero.")))
        elif values["score"] > values["max_score"]:
            row.errors.append(
                (
                    "score",
                    _("The score is above the maximum score (%(max)s).")
                    % {"max": values["max_score"]},
                )
            )


def _record(job: TestResultImport, outcome: _Outcome, file: _File) -> None:
    """Add the batch's rejected rows (one line per reason, under the file's own column
    heading) and its counts to the job."""
    TestResultImportError.objects.bulk_create(
        TestResultImportError(
            job=job,
            row_number=row.number,
            column=file.header[file.columns[name]][:100],
            message=str(message)[:500],
            values={key: _jsonable(value) for key, value in row.cells.items()},
        )
        for row in outcome.rejected
        for name, message in row.errors
    )
    job.created_rows += len(outcome.new)
    job.unchanged_rows += len(outcome.unchanged)
    job.rejected_rows += len(outcome.rejected)


def _batches(rows, start: int = 0):
    for offset in range(start, len(rows), BATCH_SIZE):
        yield offset, rows[offset : offset + BATCH_SIZE]


# --- the services ----------------------------------------------------------------------------


def _check_actor(actor) -> None:
    if not actor.has_perm("attestation.import_test_results"):
        raise PermissionDenied


def test_result_import_create(*, actor, file) -> TestResultImport:
    """Keep the upload privately and check every row (a dry run: no result is written).
    The job is saved CHECKED with its counts and rejected rows; a file that cannot be read
    at all raises ValidationError and leaves nothing behind."""
    _check_actor(actor)
    if file.size > settings.RESULTS_IMPORT_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s); at most %(max)s can be imported at once.")
            % {
                "size": filesizeformat(file.size),
                "max": filesizeformat(settings.RESULTS_IMPORT_MAX_BYTES),
            },
            code="too_large",
        )
    job = TestResultImport(
        created_by=actor, original_name=Path(file.name).name[:255], status=Status.CHECKED
    )
    # The stored name never reuses the uploaded one (it may hold anything).
    suffix = Path(file.name).suffix.lower()
    job.file.save(
        uuid.uuid4().hex + (suffix if suffix in (".xlsx", ".csv") else ""), File(file), save=False
    )
    try:
        content = _read(job)
        with transaction.atomic():
            job.total_rows = len(content.rows)
            job.save()
            for _start, batch in _batches(content.rows):
                _record(job, _check(batch, content, actor), content)
            job.processed_rows = job.total_rows
            job.finished_at = timezone.now()
            job.save()
    except BaseException:
        job.file.delete(save=False)
        raise
    return job


def test_result_import_apply(*, job: TestResultImport, actor) -> TestResultImport:
    """Add the good rows of a checked file (or resume one that stopped): at once for a
    small file, all or nothing; on the worker for a large one, while the page shows the
    progress."""
    from .tasks import test_result_import_apply_task

    _check_actor(actor)
    with transaction.atomic():
        job = TestResultImport.objects.select_for_update().get(pk=job.pk)
        _begin_apply(job)
        if job.total_rows > INLINE_ROWS:
            test_result_import_apply_task.delay_on_commit(job.pk)
            return job
    try:
        with transaction.atomic():
            return _apply(job.pk)
    except IntegrityError:
        # Someone recorded one of these certificates in the meantime; everything was rolled
        # back, and trying again sorts it among the results already there.
        failure = _("A certificate of this file was recorded meanwhile: nothing was imported.")
        _fail(job.pk, failure)
        return TestResultImport.objects.get(pk=job.pk)
    except Exception as exc:
        _fail(job.pk, _failure_text(exc))
        raise


def test_result_import_run(*, job_id: int) -> TestResultImport:
    """The worker's part: apply a job batch by batch from where it stopped. Safe to run
    twice: a finished job is left alone, and each batch checks its rows again."""
    try:
        return _apply(job_id)
    except Exception as exc:
        _fail(job_id, _failure_text(exc))
        raise


def _begin_apply(job: TestResultImport) -> None:
    if job.status == Status.APPLIED:
        raise ValidationError(_("This file has been imported already."), code="applied")
    if job.status == Status.APPLYING:
        raise ValidationError(_("This file is being imported; wait until it finishes."))
    if job.status == Status.CHECKED:
        if not job.created_rows:
            raise ValidationError(_("The file has no new results to add."), code="nothing")
        # The check's counts and reasons make way for those of the apply.
        job.errors.all().delete()
        job.processed_rows = job.created_rows = job.unchanged_rows = job.rejected_rows = 0
    job.status = Status.APPLYING
    job.failure = ""
    job.finished_at = None
    job.save()


def _apply(job_id: int) -> TestResultImport:
    with transaction.atomic():
        job = TestResultImport.objects.select_for_update().get(pk=job_id)
        if job.status == Status.FAILED:  # a retry of the worker resumes
            job.status, job.failure = Status.APPLYING, ""
            job.save(update_fields=["status", "failure", "updated_at"])
        elif job.status != Status.APPLYING:
            return job
    content = _read(job)
    for start, batch in _batches(content.rows, job.processed_rows):
        if not _apply_batch(job_id, start, batch, content):
            return TestResultImport.objects.get(pk=job_id)  # another run has moved on
    with transaction.atomic():
        job = TestResultImport.objects.select_for_update().get(pk=job_id)
        job.status = Status.APPLIED
        job.finished_at = timezone.now()
        job.save()
    return job


def _apply_batch(job_id: int, start: int, batch, content: _File) -> bool:
    with transaction.atomic():
        job = (
            TestResultImport.objects.select_for_update(of=("self",))
            .select_related("created_by")
            .get(pk=job_id)
        )
        if job.status != Status.APPLYING or job.processed_rows != start:
            return False
        outcome = _check(batch, content, job.created_by)
        TestResult.objects.bulk_create(
            TestResult(
                teacher=row.teacher,
                taken_on=row.values["taken_on"],
                language=row.values["language"],
                score=row.values["score"],
                max_score=row.values["max_score"],
                certificate_number=row.values["certificate_number"],
                source=TestResult.Source.IMPORT,
                created_by=job.created_by,
            )
            for row in outcome.new
        )
        _record(job, outcome, content)
        job.processed_rows = start + len(batch)
        job.save()
    return True


def _failure_text(exc: Exception) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _fail(job_id: int, failure: str) -> None:
    TestResultImport.objects.filter(pk=job_id).update(
        status=Status.FAILED, failure=failure[:2000], finished_at=timezone.now()
    )


def test_result_import_error_rows(job: TestResultImport) -> tuple[list[str], list[list]]:
    """(header, rows): each rejected row's cells under the import's own column headings,
    with a last "error" column, ready to fix and import again."""
    header = [column_label(name) for name in COLUMNS] + [capfirst(_("error"))]
    rows: dict[int, tuple[dict, list[str]]] = {}
    for error in job.errors.order_by("row_number", "pk").iterator(chunk_size=2000):
        _cells, reasons = rows.setdefault(error.row_number, (error.values, []))
        reasons.append(
            _("%(column)s: %(message)s") % {"column": error.column, "message": error.message}
            if error.column
            else error.message
        )
    return header, [
        [cells.get(name) for name in COLUMNS] + ["; ".join(reasons)]
        for cells, reasons in rows.values()
    ]
