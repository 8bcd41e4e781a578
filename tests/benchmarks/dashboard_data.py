"""Data for the dashboard benchmark: a year of a region's activity on top of `seed_demo`'s
registry, and a nation made of copies of the region.

`seed_demo` gives the region's 67,000 teachers but only the few hundred enrolments,
applications and candidates its services build. `ensure_region_activity()` adds the
volume of a real region (about 100,000 enrolments over three years of course runs,
13,000 attestation applications of the open cycle with their decisions, leaders
candidates, external certificates, the districts' PD plans), drawn from one seeded
generator and written with COPY (`apps.core.bulk`), so a run builds the same rows.

`add_nation()` turns the database into a country of 450,000 teachers: six more regions,
each a copy of the region's districts, organisations and a pseudo-random sample of its
teachers (with new valid IINs) and their activity, written with INSERT ... SELECT. Every
copied row's id is the original's plus `k * OFFSET` (k = 1..6), so the copies need no
mapping tables and `remove_nation()` finds them by id alone: the other benchmarks expect
the region only. The tables' sequences are left alone (far below OFFSET), so a row
written meanwhile never takes an id of the copies' range.
"""

import datetime as dt
import random
from collections import defaultdict

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

REGION_ENROLMENTS = 100_000
REGION_APPLICATIONS = 13_000
REGION_CANDIDATES = 3_000
REGION_EXTERNAL = 8_000
NATIONAL_TEACHERS = 450_000
COPIES = 6
OFFSET = 10_000_000  # far above any id of the region's own rows
SEED = "dashboard-bench"
RUN_CAPACITY = 30


def ensure_region_activity() -> bool:
    """Add the region's activity unless it is there; True if it was built now."""
    from apps.courses.models import Enrolment

    if Enrolment.objects.count() >= REGION_ENROLMENTS:
        return False
    rng = random.Random(SEED)
    today = timezone.localdate()
    with transaction.atomic():
        teachers = _region_teachers()
        _courses(rng, teachers, today)
        _external(rng, teachers, today)
        _applications(rng, teachers, today)
        _candidates(rng, teachers)
        _plans(teachers)
    _analyze()
    return True


def _region_teachers() -> list[tuple]:
    """(id, district, organisation, position, category, birth date) of every teacher."""
    from apps.teachers.models import Teacher

    return list(
        Teacher.objects.order_by("pk").values_list(
            "pk",
            "organization__district_id",
            "organization_id",
            "position_id",
            "category_id",
            "category_valid_until",
        )
    )


def _write(model, rows: list[dict]) -> list[dict]:
    from apps.core.bulk import allocate_ids, insert_rows

    for row, pk in zip(rows, allocate_ids(model, len(rows)), strict=True):
        row["id"] = pk
    insert_rows(model, rows)
    return rows


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


# --- courses ----------------------------------------------------------------------------------


def _courses(rng, teachers, today) -> None:
    """Runs of every catalogue course from January two years ago to two months ahead,
    ~27 of the region's teachers in each, with the statuses and events the run's dates
    call for: results recorded (completed, not completed, drop-outs), results pending,
    in progress, and still enrolling (requested, confirmed, waitlisted)."""
    from apps.courses.models import Course, CourseRun, Enrolment, EnrolmentEvent

    courses = list(Course.objects.order_by("pk"))
    need = REGION_ENROLMENTS - Enrolment.objects.count()
    runs_needed = need // (RUN_CAPACITY - 3) + 1
    first, last = dt.date(today.year - 2, 1, 10), today + dt.timedelta(days=60)
    span = (last - first).days
    now = timezone.now()
    runs = []
    for n in range(runs_needed):
        course = courses[n % len(courses)]
        starts = first + dt.timedelta(days=n * span // runs_needed)
        ends = starts + dt.timedelta(days=max(course.hours // 6, 3))
        # Results are recorded within about two weeks of the last day.
        recorded = ends < today - dt.timedelta(days=rng.randint(3, 20))
        runs.append(
            {
                "course_id": course.pk,
                "code": f"B{starts:%Y%m%d}-{n:05d}",
                "starts_on": starts,
                "ends_on": ends,
                "enrolment_deadline": starts - dt.timedelta(days=5),
                "capacity": RUN_CAPACITY,
                "trainer_name": "",
                "completed_at": _at(ends + dt.timedelta(days=2)) if recorded else None,
                "created_at": now,
                "updated_at": now,
                "_course": course,
            }
        )
    _write(CourseRun, runs)
    enrolments, events, left = [], [], need
    for run in runs:
        take = min(left, rng.randint(RUN_CAPACITY - 6, RUN_CAPACITY))
        left -= take
        for teacher in rng.sample(teachers, take):
            enrolments.append(_enrolment(rng, run, teacher, today, now))
        if left <= 0:
            break
    _write(Enrolment, enrolments)
    for enrolment in enrolments:
        path = enrolment.pop("_path")
        for (from_status, to_status), day in path:
            events.append(
                {
                    "enrolment_id": enrolment["id"],
                    "from_status": from_status,
                    "to_status": to_status,
                    "at": _at(day),
                    "comment": "",
                }
            )
    _write(EnrolmentEvent, events)


def _enrolment(rng, run, teacher, today, now) -> dict:
    from apps.courses.models import Enrolment

    S = Enrolment.Status
    course, starts, ends = run["_course"], run["starts_on"], run["ends_on"]
    asked = starts - dt.timedelta(days=rng.randint(6, 40))
    roll = rng.random()
    row = {
        "run_id": run["id"],
        "teacher_id": teacher[0],
        "district_id": teacher[1],
        "hours_credited": 0,
        "created_at": now,
        "updated_at": now,
    }
    path = [(("", S.CONFIRMED), asked)]
    if run["completed_at"]:
        if roll < 0.82:
            status = S.COMPLETED
            row.update(
                completed_on=ends,
                hours_credited=course.hours,
                attendance_percent=rng.randint(80, 100),
                assessment_passed=True if course.assessment_required else None,
            )
            path += [((S.CONFIRMED, S.ATTENDED), starts), ((S.ATTENDED, status), ends)]
        elif roll < 0.91:
            status = S.NOT_COMPLETED
            row.update(attendance_percent=rng.randint(30, 79))
            path += [((S.CONFIRMED, S.ATTENDED), starts), ((S.ATTENDED, status), ends)]
        elif roll < 0.96:  # dropped out during the run
            status = S.CANCELLED
            path += [((S.CONFIRMED, S.ATTENDED), starts), ((S.ATTENDED, status), starts)]
        else:  # cancelled before the start: not a drop-out
            status = S.CANCELLED
            path += [((S.CONFIRMED, status), starts - dt.timedelta(days=2))]
    elif starts <= today:  # in progress, or over with the results pending
        status = S.ATTENDED if roll < 0.93 else S.CANCELLED
        path += [((S.CONFIRMED, S.ATTENDED), starts)]
        if status == S.CANCELLED:
            path += [((S.ATTENDED, status), starts)]
    elif roll < 0.7:
        status = S.CONFIRMED
    elif roll < 0.85:
        status = S.REQUESTED
        path = [(("", status), asked)]
    elif roll < 0.95:
        status = S.WAITLISTED
        row["waitlisted_at"] = _at(asked)
        path = [(("", status), asked)]
    else:
        status = S.CANCELLED
        path += [((S.CONFIRMED, status), min(today, starts - dt.timedelta(days=1)))]
    row["status"] = status
    row["_path"] = path
    return row


def _external(rng, teachers, today) -> None:
    """Certificates of PD taken elsewhere over the last four years, most confirmed."""
    from apps.courses.models import ExternalTraining

    T = ExternalTraining.Status
    now = timezone.now()
    rows = []
    for teacher in rng.sample(teachers, REGION_EXTERNAL):
        ends = today - dt.timedelta(days=rng.randint(5, 4 * 365))
        roll = rng.random()
        rows.append(
            {
                "teacher_id": teacher[0],
                "title": "External course",
                "provider_name": "Provider",
                "hours": rng.choice((16, 24, 36, 72, 80, 120)),
                "starts_on": ends - dt.timedelta(days=rng.randint(2, 20)),
                "ends_on": ends,
                "file": "bench/external.pdf",
                "file_type": "pdf",
                "status": T.CONFIRMED if roll < 0.75 else T.PENDING if roll < 0.9 else T.REJECTED,
                "created_at": now,
                "updated_at": now,
            }
        )
    _write(ExternalTraining, rows)


# --- attestation ------------------------------------------------------------------------------

# The rung a holder of each category claims next (None: the first rung of the ladder).
NEXT_RUNG = {
    None: "moderator",
    "intern": "teacher",
    "teacher": "moderator",
    "moderator": "expert",
    "expert": "researcher",
    "researcher": "master",
    "master": "master",
    "second": "moderator",
    "first": "expert",
    "highest": "researcher",
    "deputy-3": "deputy-2",
    "deputy-2": "deputy-1",
    "deputy-1": "deputy-1",
    "head-3": "head-2",
    "head-2": "head-1",
    "head-1": "head-1",
}
LEVEL_OF = {"teacher": "organization", "moderator": "organization", "expert": "district"}
# Application statuses of an open cycle a few weeks in, in per cent.
APPLICATION_STATUSES = (
    ("draft", 8),
    ("submitted", 20),
    ("accepted", 20),
    ("returned", 4),
    ("correction", 3),
    ("refused", 3),
    ("scheduled", 12),
    ("decided", 15),
    ("completed", 14),
    ("disqualified", 1),
)


def _applications(rng, teachers, today) -> None:
    """Applications of the region's open cycle by teachers not yet applying, at every
    status; decisions for those decided (some revised on appeal and decided again)."""
    from apps.attestation.models import Application, AttestationCycle, Decision
    from apps.teachers.models import QualificationCategory

    cycle = AttestationCycle.objects.order_by("-application_opens").first()
    taken = set(Application.objects.filter(cycle=cycle).values_list("teacher_id", flat=True))
    codes = dict(QualificationCategory.objects.values_list("pk", "code"))
    by_code = {code: pk for pk, code in codes.items()}
    statuses = [s for s, _w in APPLICATION_STATUSES]
    weights = [w for _s, w in APPLICATION_STATUSES]
    now = timezone.now()
    opens = cycle.application_opens
    candidates = [t for t in teachers if t[0] not in taken]
    apps, decisions = [], []
    for teacher in rng.sample(candidates, REGION_APPLICATIONS - len(taken)):
        status = rng.choices(statuses, weights)[0]
        claimed = NEXT_RUNG[codes.get(teacher[4])]
        submitted = opens + dt.timedelta(days=rng.randint(0, max((today - opens).days, 1)))
        row = {
            "cycle_id": cycle.pk,
            "teacher_id": teacher[0],
            "status": status,
            "organization_id": teacher[2],
            "position_id": teacher[3],
            "current_category_id": teacher[4],
            "current_valid_until": teacher[5],
            "claimed_category_id": by_code[claimed],
            "test_exemption": "",
            "essay_text": "",
            "essay_language": "kk",
            "level": LEVEL_OF.get(claimed, "region"),
            "early": False,
            "version": 0 if status == "draft" else 1,
            "submitted_at": None if status == "draft" else _at(submitted),
            "accept_due_on": submitted + dt.timedelta(days=rng.randint(-5, 20))
            if status != "draft"
            else None,
            "created_at": now,
            "updated_at": now,
        }
        apps.append(row)
    _write(Application, apps)
    for row in apps:
        if row["status"] not in ("decided", "completed"):
            continue
        if rng.random() < 0.03:  # an appeal upheld: the first decision revised
            decisions.append(_decision(rng, row, "keep", today, revised=True))
        roll = rng.random()
        outcome = "meets" if roll < 0.78 else "lower" if roll < 0.85 else "keep"
        if outcome == "lower" and row["current_category_id"] is None:
            outcome = "keep"
        decisions.append(_decision(rng, row, outcome, today))
    _write(Decision, decisions)


def _decision(rng, application, outcome, today, *, revised=False) -> dict:
    now = timezone.now()
    assigned = {
        "meets": application["claimed_category_id"],
        "lower": application["current_category_id"],
        "keep": None,
    }[outcome]
    return {
        "application_id": application["id"],
        "outcome": outcome,
        "current_category_id": application["current_category_id"],
        "claimed_category_id": application["claimed_category_id"],
        "assigned_category_id": assigned,
        "capped_by_test": False,
        "votes_for": rng.randint(3, 7),
        "votes_against": rng.randint(0, 2),
        "casting_vote": False,
        "decided_on": today - dt.timedelta(days=rng.randint(1, 10)),
        "body_kk": "Аттестаттау комиссиясы",
        "body_ru": "Аттестационная комиссия",
        "reasons": "",
        "revised_at": now if revised else None,
        "created_at": now,
        "updated_at": now,
    }


# --- leaders, plans -----------------------------------------------------------------------------


def _candidates(rng, teachers) -> None:
    """Candidates of the region's two intakes: last year's (finished: stopped at a stage,
    dropped out, in the reserve, appointed) and this year's (in selection)."""
    from apps.leaders.models import Candidate, Intake

    statuses = {
        "finished": (
            ("stopped", 55),
            ("withdrawn", 3),
            ("not_completed", 5),
            ("completed", 5),
            ("reserve", 19),
            ("appointed", 13),
        ),
    }
    in_selection = (("applied", 60), ("stopped", 35), ("withdrawn", 5))
    now = timezone.now()
    rows = []
    intakes = list(Intake.objects.order_by("year"))
    for intake in intakes:
        taken = set(intake.candidates.values_list("teacher_id", flat=True))
        pool = [t for t in teachers if t[0] not in taken]
        table = statuses.get(intake.status, in_selection)
        count = REGION_CANDIDATES // len(intakes) - len(taken)
        for teacher in rng.sample(pool, max(count, 0)):
            rows.append(
                {
                    "intake_id": intake.pk,
                    "teacher_id": teacher[0],
                    "organization_id": teacher[2],
                    "status": rng.choices([s for s, _w in table], [w for _s, w in table])[0],
                    "motivation": "",
                    "stop_reason": "",
                    "created_at": now,
                    "updated_at": now,
                }
            )
    _write(Candidate, rows)


def _plans(teachers) -> None:
    """Each district plans to train a third of its teachers this year (PD every 3 years)."""
    from apps.reports.models import PdPlan

    year = timezone.localdate().year
    staff = defaultdict(int)
    for teacher in teachers:
        staff[teacher[1]] += 1
    planned = set(PdPlan.objects.filter(year=year).values_list("district_id", flat=True))
    PdPlan.objects.bulk_create(
        PdPlan(year=year, district_id=district, planned_teachers=count // 3)
        for district, count in staff.items()
        if district not in planned
    )


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- the nation -------------------------------------------------------------------------------

# The tables copied, children first (the order of removal).
_COPIED = (
    "attestation_decision",
    "attestation_application",
    "attestation_attestationcycle",
    "leaders_candidate",
    "leaders_intake",
    "leaders_programme",
    "courses_enrolmentevent",
    "courses_enrolment",
    "courses_externaltraining",
    "reports_pdplan",
    "teachers_teacher",
    "organizations_organization",
    "organizations_district",
    "organizations_region",
)


def nation_exists() -> bool:
    from apps.organizations.models import Region

    return Region.objects.filter(pk__gte=OFFSET).exists()


def add_nation() -> None:
    """Six more regions copied from the region, 450,000 teachers in all."""
    from apps.teachers.models import Teacher

    region_teachers = Teacher.objects.filter(pk__lt=OFFSET).count()
    extra = NATIONAL_TEACHERS - region_teachers
    sizes = [extra // COPIES + (1 if k < extra % COPIES else 0) for k in range(COPIES)]
    with transaction.atomic(), connection.cursor() as cursor:
        for k, size in enumerate(sizes, start=1):
            _copy_region(cursor, k, size)
    cache.delete("scopes:all_region_ids")
    _analyze()


def remove_nation() -> None:
    """Delete every copied row (ids from OFFSET up): the database holds the region again,
    with its indexes rebuilt (the deleted rows' entries would otherwise bloat them several
    times over and make the next run's region figures slower than a real region's)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for table in _COPIED:
            cursor.execute(f"DELETE FROM {table} WHERE id >= %s", [OFFSET])  # noqa: S608
    with connection.cursor() as cursor:
        for table in _COPIED:
            cursor.execute(f"REINDEX TABLE {table}")
    cache.delete("scopes:all_region_ids")
    _analyze()


def _columns(table: str, cursor) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def _copy(cursor, table: str, alias: str, changes: dict[str, str], tail: str, params=()) -> None:
    """INSERT INTO table SELECT every column of the source rows (`tail`: FROM ... WHERE ...),
    with the expressions of `changes` in place of some."""
    columns = _columns(table, cursor)
    values = ", ".join(changes.get(c, f"{alias}.{c}") for c in columns)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} {tail}",
        params,
    )


def _copy_region(cursor, k: int, size: int) -> None:
    shift = k * OFFSET
    o = str(shift)
    _copy(
        cursor,
        "organizations_region",
        "r",
        {"id": f"r.id + {o}", "kato": f"'9{k}'", "name_en": f"r.name_en || ' (copy {k})'"},
        "FROM organizations_region r WHERE r.id < %s",
        [OFFSET],
    )
    _copy(
        cursor,
        "organizations_district",
        "d",
        {"id": f"d.id + {o}", "region_id": f"d.region_id + {o}", "kato": f"'9{k}' || d.kato"},
        "FROM organizations_district d WHERE d.id < %s",
        [OFFSET],
    )
    cursor.execute("SELECT id, bin FROM organizations_organization WHERE id < %s", [OFFSET])
    organizations = cursor.fetchall()
    cursor.execute("SELECT bin FROM organizations_organization")
    used_bins = {row[0] for row in cursor.fetchall()}
    cursor.execute(
        "CREATE TEMP TABLE bench_bin (id bigint PRIMARY KEY, bin varchar(12)) ON COMMIT DROP"
    )
    with cursor.cursor.copy("COPY bench_bin (id, bin) FROM STDIN") as copy:
        for pk, bin_ in organizations:
            copy.write_row((pk, _new_number(bin_, used_bins)))
    _copy(
        cursor,
        "organizations_organization",
        "g",
        {"id": f"g.id + {o}", "district_id": f"g.district_id + {o}", "bin": "b.bin"},
        "FROM organizations_organization g JOIN bench_bin b ON b.id = g.id",
    )
    cursor.execute("DROP TABLE bench_bin")
    # A pseudo-random sample of the region's teachers, each with a new IIN of the same
    # birth date and sex.
    cursor.execute(
        "SELECT id, iin FROM teachers_teacher WHERE id < %s "
        "ORDER BY (id * 2654435761 + %s) %% 4294967291 LIMIT %s",
        [OFFSET, k, size],
    )
    sample = cursor.fetchall()
    cursor.execute("SELECT iin FROM teachers_teacher")
    used = {row[0] for row in cursor.fetchall()}
    cursor.execute("CREATE TEMP TABLE bench_iin (id bigint PRIMARY KEY, iin varchar(12))")
    with cursor.cursor.copy("COPY bench_iin (id, iin) FROM STDIN") as copy:
        for pk, iin in sample:
            copy.write_row((pk, _new_iin(iin, used)))
    _copy(
        cursor,
        "teachers_teacher",
        "t",
        {
            "id": f"t.id + {o}",
            "iin": "n.iin",
            "organization_id": f"t.organization_id + {o}",
            "user_id": "NULL",
        },
        "FROM teachers_teacher t JOIN bench_iin n ON n.id = t.id",
    )
    cursor.execute("DROP TABLE bench_iin")
    copied = f"EXISTS (SELECT 1 FROM teachers_teacher c WHERE c.id = x.teacher_id + {o})"  # noqa: S608
    no_users = {"requested_by_id": "NULL"}
    _copy(
        cursor,
        "courses_enrolment",
        "x",
        {
            "id": f"x.id + {o}",
            "teacher_id": f"x.teacher_id + {o}",
            "district_id": f"x.district_id + {o}",
            **no_users,
        },
        f"FROM courses_enrolment x WHERE x.id < {OFFSET} AND {copied}",
    )
    _copy(
        cursor,
        "courses_enrolmentevent",
        "v",
        {"id": f"v.id + {o}", "enrolment_id": f"v.enrolment_id + {o}", "actor_id": "NULL"},
        f"FROM courses_enrolmentevent v JOIN courses_enrolment e ON e.id = v.enrolment_id + {o}"
        f" WHERE v.id < {OFFSET}",
    )
    _copy(
        cursor,
        "courses_externaltraining",
        "x",
        {
            "id": f"x.id + {o}",
            "teacher_id": f"x.teacher_id + {o}",
            "uploaded_by_id": "NULL",
            "reviewed_by_id": "NULL",
        },
        f"FROM courses_externaltraining x WHERE x.id < {OFFSET} AND {copied}",
    )
    _copy(
        cursor,
        "attestation_attestationcycle",
        "y",
        {"id": f"y.id + {o}", "region_id": f"y.region_id + {o}"},
        f"FROM attestation_attestationcycle y WHERE y.id < {OFFSET}",
    )
    _copy(
        cursor,
        "attestation_application",
        "x",
        {
            "id": f"x.id + {o}",
            "cycle_id": f"x.cycle_id + {o}",
            "teacher_id": f"x.teacher_id + {o}",
            "organization_id": f"x.organization_id + {o}",
            "routed_district_id": f"x.routed_district_id + {o}",
            "commission_id": "NULL",
            "test_result_id": "NULL",
            "created_by_id": "NULL",
        },
        f"FROM attestation_application x WHERE x.id < {OFFSET} AND {copied}",
    )
    _copy(
        cursor,
        "attestation_decision",
        "z",
        {
            "id": f"z.id + {o}",
            "application_id": f"z.application_id + {o}",
            "session_id": "NULL",
            "item_id": "NULL",
            "order_id": "NULL",
            "created_by_id": "NULL",
        },
        f"FROM attestation_decision z JOIN attestation_application a ON a.id = z.application_id"
        f" + {o} WHERE z.id < {OFFSET}",
    )
    _copy(
        cursor,
        "leaders_programme",
        "p",
        {"id": f"p.id + {o}", "region_id": f"p.region_id + {o}"},
        f"FROM leaders_programme p WHERE p.id < {OFFSET}",
    )
    _copy(
        cursor,
        "leaders_intake",
        "i",
        {"id": f"i.id + {o}", "programme_id": f"i.programme_id + {o}"},
        f"FROM leaders_intake i WHERE i.id < {OFFSET}",
    )
    _copy(
        cursor,
        "leaders_candidate",
        "x",
        {
            "id": f"x.id + {o}",
            "intake_id": f"x.intake_id + {o}",
            "teacher_id": f"x.teacher_id + {o}",
            "organization_id": f"x.organization_id + {o}",
            "stopped_at_id": "NULL",
        },
        f"FROM leaders_candidate x WHERE x.id < {OFFSET} AND {copied}",
    )
    _copy(
        cursor,
        "reports_pdplan",
        "p",
        {"id": f"p.id + {o}", "district_id": f"p.district_id + {o}", "created_by_id": "NULL"},
        f"FROM reports_pdplan p WHERE p.id < {OFFSET}",
    )


def _new_number(bin_: str, used: set) -> str:
    """An unused BIN near `bin_` (its next valid serial)."""
    from apps.core.identifiers import check_digit

    number = int(bin_[:11])
    while True:
        number = (number + 1) % 10**11
        digit = check_digit(f"{number:011d}")
        if digit is not None and (new := f"{number:011d}{digit}") not in used:
            used.add(new)
            return new


def _new_iin(iin: str, used: set) -> str:
    """An unused IIN with the birth date and sex of `iin` (a new serial)."""
    from apps.core.identifiers import check_digit

    head, serial = iin[:7], int(iin[7:11])
    while True:
        serial = (serial + 1) % 10_000
        first11 = f"{head}{serial:04d}"
        digit = check_digit(first11)
        if digit is not None and (new := f"{first11}{digit}") not in used:
            used.add(new)
            return new
