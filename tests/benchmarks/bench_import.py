"""Importing the region's 67,000 teachers from a CSV file, beside two references.

The file is the demo region exported by our own export (so every value is realistic and
re-importable). Measured on PostgreSQL, each on an empty teacher table:
- ours: the apply step (it validates every row again and writes teachers, subjects and
  history); the dry run before it is printed too;
- a re-import of the same file with 5% of rows changed;
- django-import-export 4.x, same file, same model, its fastest documented set-up (bulk
  mode, batches of 1,000, no diffs, cached instance loader); bulk mode cannot write
  many-to-many fields, so it imports no subjects and, like any ModelResource, no history;
- the floor: a raw COPY of the same rows, values already resolved.
The registry is re-seeded at the end so the other benchmarks find the demo region.
"""

import csv
import datetime as dt
import io
import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

from django.core.files import File
from django.core.management import call_command
from django.db import connection, connections, transaction

from .support import REGION_TEACHERS, ensure_region_data


def run(report) -> None:
    from apps.teachers.imports import services
    from apps.teachers.models import ImportJob, Teacher

    ensure_region_data()
    workdir = Path(tempfile.mkdtemp(prefix="ustaz-bench-"))
    source = workdir / "teachers.csv"
    call_command("export_teachers", str(source), language="ru", stdout=io.StringIO())
    copy_rows = _copy_rows()
    rows = REGION_TEACHERS

    def import_file(path: Path) -> tuple[float, float, float, ImportJob]:
        """(check seconds, apply seconds, peak RSS in MB, job): the import runs in a forked
        child, as in a worker process, so that its peak memory is its own."""
        with path.open("rb") as handle:
            job = services.import_job_create(actor=None, uploaded_file=File(handle, name=path.name))

        def work():
            start = time.perf_counter()
            services.import_job_check(job_id=job.pk)
            check = time.perf_counter() - start
            start = time.perf_counter()
            services.import_job_apply(job_id=job.pk)
            return check, time.perf_counter() - start

        (check, apply), peak = _in_child(work)
        return check, apply, peak, ImportJob.objects.get(pk=job.pk)

    _wipe_teachers()
    check, ours, peak, job = import_file(source)
    assert job.created_count == rows and job.rejected_count == 0, (job.created_count, job.failure)
    report("import_check_rows_per_s", rows / check, "rows/s")
    report("import_rows_per_s", rows / ours, "rows/s")
    report("import_peak_rss_mb", peak, "MB")

    changed = workdir / "teachers-5pct.csv"
    _change_rows(source, changed, share=0.05)
    _check, reimport, _peak, job = import_file(changed)
    assert job.updated_count > 0.04 * rows, job.updated_count
    report("reimport_rows_per_s", rows / reimport, "rows/s")

    _wipe_teachers()
    theirs = _django_import_export(source)
    assert Teacher.objects.count() == rows
    report("django_import_export_rows_per_s", rows / theirs, "rows/s")
    report("import_vs_django_import_export", theirs / ours, "x")

    _wipe_teachers()
    floor = _copy(copy_rows)
    report("copy_floor_rows_per_s", rows / floor, "rows/s")
    report("import_vs_copy_floor", ours / floor, "x")

    ensure_region_data(force=True)


def _in_child(work):
    """Run work() in a forked process; (its result, the child's peak RSS in MB)."""
    connections.close_all()  # the child opens its own connection
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        try:
            payload = json.dumps({"result": work()})
        except BaseException as exc:  # reported by the parent
            payload = json.dumps({"error": repr(exc)})
        with os.fdopen(write_end, "w") as out:
            out.write(payload)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        message = json.loads(pipe.read() or '{"error": "the child died"}')
    os.waitpid(pid, 0)
    if "error" in message:
        raise RuntimeError(message["error"])
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: kilobytes
    return message["result"], peak_kb / 1024


def _wipe_teachers() -> None:
    from apps.demo.attestation import demo_attestation_delete
    from apps.demo.courses import demo_courses_delete
    from apps.demo.leaders import demo_leaders_delete
    from apps.teachers.models import ImportJob, Teacher, teacher_history

    with transaction.atomic():
        # What is built on the teachers goes first (the demo's courses, attestation, leaders).
        demo_leaders_delete()
        demo_attestation_delete()
        demo_courses_delete()
        ImportJob.objects.all().delete()
        subjects = teacher_history.m2m_models[Teacher._meta.get_field("subjects")]
        for model in (subjects, Teacher.history.model, Teacher.subjects.through):
            model.objects.all()._raw_delete(connection.alias)
        Teacher.objects.all()._raw_delete(connection.alias)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE teachers_teacher")


def _change_rows(source: Path, target: Path, *, share: float) -> None:
    """Copy the file, changing the phone number (its last digit) in `share` of its rows."""
    rng = random.Random(5)
    text = source.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text), delimiter=";")
    header = next(reader)
    phone = header.index(next(h for h in header if h.lower().startswith("телефон")))
    with target.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(header)
        for row in reader:
            if rng.random() < share:
                number = row[phone] or "+77000000000"
                row[phone] = number[:-1] + str((int(number[-1]) + 1) % 10)
            writer.writerow(row)


def _copy_rows() -> list[tuple]:
    """The teacher rows as they stand, values resolved, ready for COPY."""
    from apps.teachers.models import Teacher

    fields = [f for f in Teacher._meta.concrete_fields if f.attname != "id"]
    columns = [f.column for f in fields]
    rows = list(Teacher.objects.values_list(*[f.attname for f in fields]))
    return columns, rows


def _copy(copy_rows) -> float:
    columns, rows = copy_rows
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        sql = f"COPY teachers_teacher ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    return time.perf_counter() - start


def _django_import_export(source: Path) -> float:
    import tablib
    from import_export import fields, resources, widgets
    from import_export.instance_loaders import CachedInstanceLoader

    from apps.organizations.models import InstructionLanguage, Organization
    from apps.teachers.models import Position, QualificationCategory, Teacher

    text = source.read_text(encoding="utf-8-sig")
    dataset = tablib.Dataset().load(text, format="csv", delimiter=";")
    header = dataset.headers
    date = widgets.DateWidget(format="%d.%m.%Y")

    def column(name):
        return next(h for h in header if h.lower().startswith(name))

    sex = {"женский": "F", "мужской": "M"}
    education = {str(label).lower(): value for value, label in Teacher.Education.choices}

    class TeacherResource(resources.ModelResource):
        iin = fields.Field(attribute="iin", column_name=column("иин"))
        last_name = fields.Field(attribute="last_name", column_name=column("фамилия"))
        first_name = fields.Field(attribute="first_name", column_name=column("имя"))
        middle_name = fields.Field(attribute="middle_name", column_name=column("отчество"))
        birth_date = fields.Field(
            attribute="birth_date", column_name=column("дата рождения"), widget=date
        )
        organization = fields.Field(
            attribute="organization",
            column_name=header[6],
            widget=widgets.ForeignKeyWidget(Organization, "bin"),
        )
        position = fields.Field(
            attribute="position",
            column_name=column("должность"),
            widget=widgets.ForeignKeyWidget(Position, "name_ru"),
        )
        teaching_language = fields.Field(
            attribute="teaching_language",
            column_name=column("язык обучения"),
            widget=widgets.ForeignKeyWidget(InstructionLanguage, "name_ru"),
        )
        category = fields.Field(
            attribute="category",
            column_name=column("квалификационная"),
            widget=widgets.ForeignKeyWidget(QualificationCategory, "name_ru"),
        )
        experience_start = fields.Field(
            attribute="experience_start", column_name=column("педагогический стаж"), widget=date
        )
        category_awarded_on = fields.Field(
            attribute="category_awarded_on", column_name=column("дата присвоения"), widget=date
        )
        category_valid_until = fields.Field(
            attribute="category_valid_until",
            column_name=column("категория действительна"),
            widget=date,
        )
        education_institution = fields.Field(
            attribute="education_institution", column_name=column("учебное заведение")
        )
        specialty = fields.Field(attribute="specialty", column_name=column("специальность"))
        phone = fields.Field(attribute="phone", column_name=column("телефон"))
        email = fields.Field(attribute="email", column_name=column("электронная почта"))

        class Meta:
            model = Teacher
            fields = (
                "iin",
                "last_name",
                "first_name",
                "middle_name",
                "birth_date",
                "organization",
                "position",
                "teaching_language",
                "category",
                "experience_start",
                "category_awarded_on",
                "category_valid_until",
                "education_institution",
                "specialty",
                "phone",
                "email",
            )
            import_id_fields = ["iin"]
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            instance_loader_class = CachedInstanceLoader

        def before_import_row(self, row, **kwargs):
            # Values the model needs that no widget maps: choice labels to codes.
            row["_sex"] = sex.get(str(row[column("пол")]).lower(), "F")
            row["_education"] = education.get(str(row[column("образование")]).lower(), "")

        def import_instance(self, instance, row, **kwargs):
            super().import_instance(instance, row, **kwargs)
            instance.sex = row["_sex"]
            instance.education = row["_education"]
            instance.created_at = instance.updated_at = dt.datetime.now(dt.UTC)

    start = time.perf_counter()
    result = TeacherResource().import_data(dataset, dry_run=False, raise_errors=True)
    elapsed = time.perf_counter() - start
    assert not result.has_errors()
    return elapsed
