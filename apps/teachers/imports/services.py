"""Teacher import: an upload becomes a job, which is checked (a dry run) and then applied.

The IIN is the key: a new IIN creates a teacher, a known one updates only the fields that
changed (an empty cell changes nothing), each change with a history row naming the import.
Bad rows never stop good ones; each is kept with its reasons for the report and the error
file. Applying goes in batches, each committed together with the job's progress and
counts, so a run killed half way resumes where it stopped, and applying a file twice
changes nothing the second time.
"""

import datetime as dt
from collections import defaultdict
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.bulk import allocate_ids, insert_rows

from ..models import ImportJob, ImportRowError, Teacher, teacher_history
from ..selectors import editable_organizations
from ..services import EDITABLE_FIELDS, teacher_rule_errors, teacher_search_text
from .columns import FIELDS, guess_mapping
from .readers import ImportFileError, open_table
from .rows import Lookups, RowBuilder, RowValues

Status = ImportJob.Status
# The job's state machine: the only transitions `_set_status` performs.
TRANSITIONS = {
    Status.UPLOADED: {Status.CHECKING},
    Status.CHECKING: {Status.CHECKED, Status.FAILED},
    Status.CHECKED: {Status.CHECKING, Status.APPLYING},
    Status.APPLYING: {Status.DONE, Status.FAILED},
    Status.FAILED: {Status.CHECKING, Status.APPLYING},
    Status.DONE: set(),
}
BATCH_SIZE = 1000
REQUIRED_FOR_NEW = ("last_name", "first_name", "organization", "position")
_TRACKED = [f.attname for f in teacher_history.fields_included(Teacher)]
_HistoricalTeacher = Teacher.history.model
_HistoricalSubjects = teacher_history.m2m_models[Teacher._meta.get_field("subjects")]
_Through = Teacher.subjects.through


def _set_status(job: ImportJob, status: str) -> None:
    if status not in TRANSITIONS[job.status]:
        raise ValidationError(
            _("This import cannot go from “%(old)s” to “%(new)s”.")
            % {"old": job.get_status_display(), "new": Status(status).label}
        )
    job.status = status


def import_job_create(*, actor, uploaded_file, organization=None) -> ImportJob:
    """Keep the upload privately, read its header and guess what each column holds."""
    if (
        organization is not None
        and actor is not None
        and not actor.has_perm("organizations.assign_teacher_to", organization)
    ):
        raise PermissionDenied(_("You cannot import teachers into this organisation."))
    max_bytes = settings.TEACHER_IMPORT_MAX_BYTES
    if uploaded_file.size > max_bytes:
        raise ValidationError(
            _("The file is too large: at most %(mb)d MB.") % {"mb": max_bytes // 2**20}
        )
    job = ImportJob(
        created_by=actor,
        organization=organization,
        original_name=Path(uploaded_file.name).name[:255],
    )
    job.file.save(uploaded_file.name, File(uploaded_file), save=False)
    try:
        _read_header(job, sheet=None)
    except ValidationError:
        job.file.delete(save=False)
        raise
    job.save()
    return job


def _read_header(job: ImportJob, *, sheet) -> None:
    try:
        table = open_table(
            Path(job.file.path),
            filename=job.original_name,
            sheet=sheet,
            max_bytes=settings.TEACHER_IMPORT_MAX_BYTES,
        )
    except ImportFileError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    with table:
        job.file_format = table.format
        job.sheet_names = table.sheet_names
        job.sheet = table.sheet or ""
        job.header = [str(h) for h in table.header]
        job.header_row = table.header_row
        job.mapping = {str(i): name for i, name in guess_mapping(job.header).items()}
        # Kept for the column-mapping page, so that it never re-reads a large workbook.
        job.preview = [[_jsonable(c) for c in cells] for _n, cells in islice(table.rows, 5)]


def import_job_configure(*, job: ImportJob, actor, mapping: dict, sheet: str = "") -> ImportJob:
    """Confirm (or correct) which column holds what; a new sheet re-reads the header."""
    _check_actor(job, actor)
    if job.is_running:
        raise ValidationError(_("This import is running; wait until it finishes."))
    if job.status == Status.DONE:
        raise ValidationError(_("This import has been applied already."))
    if sheet and sheet != job.sheet:
        _read_header(job, sheet=sheet)
    else:
        used = [name for name in mapping.values() if name]
        duplicates = sorted({n for n in used if used.count(n) > 1})
        if duplicates:
            raise ValidationError(
                _("Each field can come from one column only: %(fields)s.")
                % {"fields": ", ".join(str(FIELDS[n].label) for n in duplicates)}
            )
        job.mapping = {str(i): name for i, name in mapping.items() if name}
    if "iin" not in job.mapping.values():
        raise ValidationError(_("Choose the column that holds the IIN: it is the key."))
    job.save()
    return job


def import_job_request_check(*, job: ImportJob, actor) -> ImportJob:
    """Start the dry run: inline for a small file, else on the worker (the page polls)."""
    from ..tasks import import_job_check_task

    _check_actor(job, actor)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        _set_status(job, Status.CHECKING)
        _start_phase(job, "check")
        if job.file.size > settings.TEACHER_IMPORT_INLINE_BYTES:
            import_job_check_task.delay_on_commit(job.pk)
            return job
    return import_job_check(job_id=job.pk)


def import_job_request_apply(*, job: ImportJob, actor) -> ImportJob:
    """Start (or resume) applying: inline for a small file, else on the worker."""
    from ..tasks import import_job_apply_task

    _check_actor(job, actor)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        _begin_apply(job)
        if job.file.size > settings.TEACHER_IMPORT_INLINE_BYTES:
            import_job_apply_task.delay_on_commit(job.pk)
            return job
    return import_job_apply(job_id=job.pk)


def _check_actor(job: ImportJob, actor) -> None:
    if actor is not None and not actor.has_perm("teachers.change_import", job):
        raise PermissionDenied


def import_job_check(*, job_id: int) -> ImportJob:
    """The dry run: classify every row as it would be applied, without writing teachers."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status == Status.CHECKED:
            return job
        if job.status != Status.CHECKING:
            _set_status(job, Status.CHECKING)
        _start_phase(job, "check")  # a check is cheap to redo from the start
    try:
        rows, builder, duplicates = _prepare(job)
        job.total_rows = len(rows)
        job.save(update_fields=["total_rows"])
        for start in range(0, len(rows), BATCH_SIZE):
            plan = _plan_batch(job, rows[start : start + BATCH_SIZE], builder, duplicates)
            ImportRowError.objects.bulk_create(plan.errors)
            _count(job, plan)
            job.processed_rows = start + len(plan.rows)
            job.save()
    except Exception as exc:
        _fail(job, exc)
        raise
    job.finished_at = timezone.now()
    _set_status(job, Status.CHECKED)
    job.save()
    return job


def import_job_apply(*, job_id: int, actor=None) -> ImportJob:
    """Write the rows in batches; resumes after the last committed batch if re-run."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if actor is not None:
            _check_actor(job, actor)
        if job.status == Status.DONE:
            return job
        _begin_apply(job)
    try:
        rows, builder, duplicates = _prepare(job)
        if job.total_rows != len(rows):
            job.total_rows = len(rows)
            job.save(update_fields=["total_rows"])
        for start in range(job.processed_rows, len(rows), BATCH_SIZE):
            if not _apply_batch(
                job.pk, start, rows[start : start + BATCH_SIZE], builder, duplicates
            ):
                return ImportJob.objects.get(pk=job.pk)  # another worker has moved on
    except Exception as exc:
        _fail(ImportJob.objects.get(pk=job.pk), exc)
        raise
    job = ImportJob.objects.get(pk=job.pk)
    job.finished_at = timezone.now()
    _set_status(job, Status.DONE)
    job.save()
    return job


def _apply_batch(job_id, start, batch, builder, duplicates) -> bool:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != Status.APPLYING or job.processed_rows != start:
            return False
        plan = _plan_batch(job, batch, builder, duplicates)
        _write(job, plan)
        ImportRowError.objects.bulk_create(plan.errors)
        _count(job, plan)
        job.processed_rows = start + len(batch)
        job.save()
    return True


def _begin_apply(job: ImportJob) -> None:
    """Enter the apply step; after a failure or a kill, carry on from the last batch."""
    resuming = job.phase == "apply" and job.status in (Status.APPLYING, Status.FAILED)
    if job.status != Status.APPLYING:
        _set_status(job, Status.APPLYING)
    if resuming:
        job.failure = ""
        job.finished_at = None
        job.save()
    else:
        _start_phase(job, "apply")


def _start_phase(job: ImportJob, phase: str) -> None:
    job.phase = phase
    job.row_errors.all().delete()
    job.processed_rows = job.created_count = job.updated_count = 0
    job.unchanged_count = job.rejected_count = 0
    job.phase_started_at = timezone.now()
    job.finished_at = None
    job.failure = ""
    job.save()


def _fail(job: ImportJob, exc: Exception) -> None:
    job.status = Status.FAILED  # any state may fail; recorded for the page and a retry
    job.failure = str(exc)[:2000]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "failure", "finished_at", "updated_at"])


def _count(job: ImportJob, plan) -> None:
    job.created_count += len(plan.creates)
    job.updated_count += len(plan.updates)
    job.unchanged_count += plan.unchanged
    job.rejected_count += len(plan.errors)


def _prepare(job: ImportJob):
    """All data rows of the file, the reference look-ups and the IINs seen more than once."""
    table = open_table(Path(job.file.path), filename=job.original_name, sheet=job.sheet or None)
    with table:
        rows = list(table.rows)
    actor = job.created_by
    writable = None
    if actor is not None and not actor.is_superuser:
        writable = set(editable_organizations(actor).values_list("pk", flat=True))
    lookups = Lookups.load(
        writable_organization_ids=writable,
        default_organization=job.organization,
        today=timezone.localdate(),
    )
    mapping = {int(i): name for i, name in job.mapping.items()}
    iin_column = next(i for i, name in mapping.items() if name == "iin")
    seen: dict[str, list[int]] = defaultdict(list)
    for number, cells in rows:
        raw = cells[iin_column] if iin_column < len(cells) else None
        key = _iin_key(raw)
        if key:
            seen[key].append(number)
    duplicates = {key: numbers for key, numbers in seen.items() if len(numbers) > 1}
    return rows, RowBuilder(mapping, job.header, lookups), duplicates


def _iin_key(raw) -> str:
    from .cleaning import CellError, clean_iin

    if raw is None:
        return ""
    try:
        return clean_iin(raw)
    except CellError:
        return ""


class _Plan:
    __slots__ = ("creates", "errors", "rows", "unchanged", "updates")

    def __init__(self, rows):
        self.rows = rows
        self.creates: list[RowValues] = []
        self.updates: list[tuple[Teacher, dict, list | None]] = []
        self.unchanged = 0
        self.errors: list[ImportRowError] = []


def _plan_batch(job: ImportJob, batch, builder: RowBuilder, duplicates) -> _Plan:
    plan = _Plan(batch)
    lookups, columns = builder.lookups, builder.columns
    built = [(number, cells, *builder.build(cells)) for number, cells in batch]
    iins = [values.iin for _n, _c, values, errors in built if values.iin and not errors]
    existing = {
        t.iin: t
        for t in Teacher.objects.filter(iin__in=iins).select_related(
            "organization__district", "position", "category", "teaching_language"
        )
    }
    subjects = defaultdict(set)
    for teacher_id, subject_id in _Through.objects.filter(
        teacher__in=existing.values()
    ).values_list("teacher_id", "subject_id"):
        subjects[teacher_id].add(subject_id)

    for number, cells, values, errors in built:
        if values.iin in duplicates:
            errors.append(
                (
                    columns.get("iin", ""),
                    _("This IIN is in the file more than once (rows %(rows)s).")
                    % {"rows": ", ".join(str(n) for n in duplicates[values.iin])},
                )
            )
        teacher = existing.get(values.iin) if not errors else None
        if not errors:
            if teacher is None:
                _check_new(values, columns, errors, lookups)
            else:
                change = _changes(teacher, values, subjects[teacher.pk], columns, errors, lookups)
        if errors:
            plan.errors.append(
                ImportRowError(
                    job=job,
                    row_number=number,
                    cells=[_jsonable(c) for c in cells],
                    messages=[[str(c), str(m)] for c, m in errors],
                )
            )
        elif teacher is None:
            plan.creates.append(values)
        elif change[0] or change[1] is not None:
            plan.updates.append((teacher, *change))
        else:
            plan.unchanged += 1
    return plan


def _check_new(values: RowValues, columns, errors, lookups: Lookups) -> None:
    for name in REQUIRED_FOR_NEW:
        if getattr(values, name) in (None, ""):
            errors.append(
                (columns.get(name, str(_field_label(name))), _("Required for a new teacher."))
            )
    if errors:
        return
    for name in (
        "middle_name",
        "education",
        "education_institution",
        "specialty",
        "phone",
        "email",
    ):
        if getattr(values, name) is None:
            setattr(values, name, "")
    _rule_errors(values, columns, errors, lookups)


def _changes(teacher: Teacher, values: RowValues, subject_ids, columns, errors, lookups):
    """(changed fields, new subjects or None) of an existing teacher, or rule errors."""
    if lookups.writable_organization_ids is not None and (
        teacher.organization_id not in lookups.writable_organization_ids
    ):
        errors.append(
            (
                columns.get("iin", ""),
                _("This teacher is registered in an organisation outside your scope."),
            )
        )
        return {}, None
    merged = RowValues()
    for name in EDITABLE_FIELDS:
        setattr(
            merged,
            name,
            getattr(values, name) if name in values.present else getattr(teacher, name),
        )
    _rule_errors(merged, columns, errors, lookups)
    changed = {
        name: getattr(merged, name)
        for name in EDITABLE_FIELDS
        if name in values.present and getattr(merged, name) != getattr(teacher, name)
    }
    new_subjects = None
    if "subjects" in values.present and {s.pk for s in values.subjects} != subject_ids:
        new_subjects = values.subjects
    return changed, new_subjects


def _rule_errors(values, columns, errors, lookups: Lookups) -> None:
    for name, messages in teacher_rule_errors(
        values, today=lookups.today, iin_checked=True
    ).items():
        column = columns.get(name, str(_field_label(name)))
        errors.extend((column, message) for message in messages)


def _field_label(name: str):
    if name in FIELDS:
        return FIELDS[name].label
    if name == "organization":
        return FIELDS["organization_bin"].label
    return Teacher._meta.get_field(name).verbose_name


def _jsonable(cell):
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()
    return cell


def _write(job: ImportJob, plan: _Plan) -> None:
    """Write one batch: new teachers, changed teachers, their subjects and history rows."""
    now = timezone.now()
    reason = _("Import #%(id)s: %(name)s") % {"id": job.pk, "name": job.original_name}
    teacher_rows = []  # {attname: value} of each written teacher, as the history records it
    subjects_by_teacher: dict[int, list[int]] = {}
    new_ids = allocate_ids(Teacher, len(plan.creates))
    for teacher_id, values in zip(new_ids, plan.creates, strict=True):
        row = {
            f"{name}_id" if name in _FOREIGN_KEYS else name: _key(getattr(values, name))
            for name in EDITABLE_FIELDS
        }
        row.update(
            id=teacher_id, created_at=now, updated_at=now, search_text=teacher_search_text(values)
        )
        teacher_rows.append(("+", row))
        subjects_by_teacher[teacher_id] = [s.pk for s in values.subjects or ()]
    insert_rows(Teacher, [row for _kind, row in teacher_rows])

    updated, update_fields, replaced = [], {"search_text", "updated_at"}, []
    for teacher, changed, new_subjects in plan.updates:
        for name, value in changed.items():
            setattr(teacher, name, value)
        update_fields.update(changed)
        teacher.search_text = teacher_search_text(teacher)
        teacher.updated_at = now
        updated.append(teacher)
        teacher_rows.append(("~", {name: getattr(teacher, name) for name in _TRACKED}))
        if new_subjects is not None:
            replaced.append(teacher.pk)
            subjects_by_teacher[teacher.pk] = [s.pk for s in new_subjects]
    if updated:
        Teacher.objects.bulk_update(updated, sorted(update_fields), batch_size=500)
    if replaced:
        _Through.objects.filter(teacher_id__in=replaced).delete()
    links = [(t, s) for t, subject_ids in subjects_by_teacher.items() for s in subject_ids]
    insert_rows(
        _Through,
        [
            {"id": link_id, "teacher_id": t, "subject_id": s}
            for link_id, (t, s) in zip(allocate_ids(_Through, len(links)), links, strict=True)
        ],
    )
    _write_history(teacher_rows, now, job.created_by_id, reason)


_FOREIGN_KEYS = {"organization", "position", "teaching_language", "category"}


def _key(value):
    return value.pk if hasattr(value, "pk") else value


def _write_history(teacher_rows, when, actor_id, reason) -> None:
    """One history row per written teacher, with the subjects it has now (as simple-history
    records them on save)."""
    if not teacher_rows:
        return
    history_ids = allocate_ids(_HistoricalTeacher, len(teacher_rows))
    history_by_teacher = {}
    records = []
    for history_id, (kind, row) in zip(history_ids, teacher_rows, strict=True):
        history_by_teacher[row["id"]] = history_id
        records.append(
            {
                **{name: row.get(name) for name in _TRACKED},
                "history_id": history_id,
                "history_date": when,
                "history_type": kind,
                "history_user_id": actor_id,
                "history_change_reason": reason,
            }
        )
    insert_rows(_HistoricalTeacher, records)
    links = list(
        _Through.objects.filter(teacher_id__in=history_by_teacher).values_list(
            "id", "teacher_id", "subject_id"
        )
    )
    insert_rows(
        _HistoricalSubjects,
        [
            {
                "m2m_history_id": m2m_id,
                "id": link_id,
                "teacher_id": teacher_id,
                "subject_id": subject_id,
                "history_id": history_by_teacher[teacher_id],
            }
            for m2m_id, (link_id, teacher_id, subject_id) in zip(
                allocate_ids(_HistoricalSubjects, len(links)), links, strict=True
            )
        ],
    )


def import_job_error_rows(job: ImportJob):
    """(header, rows): the rejected rows as uploaded, each with a last "error" column."""
    header = [*job.header, _("error")]
    rows = []
    for error in job.row_errors.order_by("row_number").iterator(chunk_size=2000):
        reasons = "; ".join(
            f"{column}: {message}" if column else message for column, message in error.messages
        )
        cells = list(error.cells) + [None] * (len(job.header) - len(error.cells))
        rows.append([*cells[: len(job.header)], reasons])
    return header, rows
