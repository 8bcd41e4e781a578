"""The HR dashboard (reports:dashboard) at region and at national size: server time
(median and p95 of 20 requests after a warm-up) and query count, beside the naive way.

- region: the region's 67,000 teachers with a year of activity (tests/benchmarks/
  dashboard_data.py: ~100,000 enrolments, 13,000 applications, leaders candidates), as the
  region's HR analyst; the district drill-down as the same user with ?district=, and as
  the district's methodologist;
- national: 450,000 teachers in seven regions (six copies of the region, added for this
  benchmark and removed after it), as a superuser; the region's HR analyst is measured
  again in it (the region is then one of several);
- the naive way: the same figures computed in Python from every row of the scope
  (teachers, enrolments, events, certificates, applications, decisions, candidates, loaded
  with only the fields needed); it must agree with the dashboard.
  `dashboard_vs_naive` is the naive way's time over our figures' at region size, in the
  same run: the same work on both sides, the selector `dashboard()` (median of 20 calls)
  against the naive figures, without the page around them (the naive way has no
  drill-down table, charts, form or template); `dashboard_page_vs_naive` divides by the
  whole page's median instead, a lower bound of the ratio.
The figures must take the same number of queries at every level (a region, a district, a
district's methodologist, the nation) and size (`dashboard_figure_queries`); the page its
same number at every size (`dashboard_queries`, the region's analyst in the region and in
the nation), its count at each level printed too.
"""

import datetime as dt
import statistics
import time
from collections import Counter, defaultdict
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from .support import (
    count_queries,
    ensure_region_data,
    ensure_superuser,
    percentile,
    sample_ms,
    signed_in_client,
)

REQUESTS = 20
NAIVE_ROUNDS = 3
HR = "hr@demo.ustaz.kz"
METHODOLOGIST = "methodologist@demo.ustaz.kz"
SUPERUSER = "bench-superuser@demo.ustaz.kz"


def run(report) -> None:
    from django.urls import reverse

    from apps.accounts.models import User
    from apps.reports.selectors import ReportFilters

    from . import dashboard_data

    page = reverse("reports:dashboard")
    if dashboard_data.nation_exists():  # left over by an interrupted run
        dashboard_data.remove_nation()
    ensure_region_data()
    start = time.perf_counter()
    built = dashboard_data.ensure_region_activity()
    report("dashboard_region_data_s", time.perf_counter() - start if built else 0, "s")
    ensure_superuser(SUPERUSER)
    methodologist = User.objects.get(email=METHODOLOGIST)
    district = methodologist.role_assignments.get(role="methodologist").district_id
    queries, page_queries = {}, {}

    def measure(name: str, email: str, **drill) -> float:
        client = signed_in_client(email)
        url = f"{page}?{urlencode(drill)}"
        times = sample_ms(client, [url] * REQUESTS, warmup=3)
        report(f"dashboard_{name}_median_ms", statistics.median(times), "ms")
        report(f"dashboard_{name}_p95_ms", percentile(times, 95), "ms")
        page_queries[name] = count_queries(client, url)
        queries[name] = _figure_queries(User.objects.get(email=email), ReportFilters(**drill))
        return statistics.median(times)

    ours = measure("region", HR)
    measure("district", HR, district=district)
    measure("district_methodologist", METHODOLOGIST)
    naive = _naive_time(User.objects.get(email=HR))
    figures = _figures_time(User.objects.get(email=HR))
    report("dashboard_figures_region_median_ms", figures, "ms")
    report("dashboard_naive_region_median_ms", naive, "ms")
    report("dashboard_vs_naive", naive / figures, "x")
    report("dashboard_page_vs_naive", naive / ours, "x")

    start = time.perf_counter()
    dashboard_data.add_nation()
    report("dashboard_national_data_s", time.perf_counter() - start, "s")
    try:
        national = measure("national", SUPERUSER)
        measure("region_in_national", HR)
        naive = _naive_time(User.objects.get(email=SUPERUSER))
        figures = _figures_time(User.objects.get(email=SUPERUSER))
        report("dashboard_figures_national_median_ms", figures, "ms")
        report("dashboard_naive_national_median_ms", naive, "ms")
        report("dashboard_national_vs_naive", naive / figures, "x")
        report("dashboard_national_page_vs_naive", naive / national, "x")
    finally:
        dashboard_data.remove_nation()
    for name, count in page_queries.items():
        report(f"dashboard_page_queries_{name}", count, "queries")
    assert len(set(queries.values())) == 1, f"the figures' query count varies: {queries}"
    report("dashboard_figure_queries", queries["region"], "queries")
    # The page's count differs between users and levels by the filters form alone (a unit
    # asked for is looked up, a district's organisations are listed, a superuser's roles
    # are not read); for the same user and level it must not grow with the data.
    sizes = (page_queries["region"], page_queries["region_in_national"])
    assert sizes[0] == sizes[1], f"the page's query count grows with the data: {page_queries}"
    report("dashboard_queries", page_queries["region"], "queries")


def _figure_queries(user, filters) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.reports.selectors import dashboard

    dashboard(user, filters)  # the user's roles and the region ids, loaded once
    with CaptureQueriesContext(connection) as ctx:
        dashboard(user, filters)
    return len(ctx.captured_queries)


def _figures_time(user) -> float:
    """Median time of our figures alone (apps.reports.selectors.dashboard), the naive way's
    like: the page adds the drill-down table, the charts' data and the template."""
    from apps.reports.selectors import ReportFilters, dashboard

    dashboard(user, ReportFilters())
    times = []
    for _round in range(REQUESTS):
        start = time.perf_counter()
        dashboard(user, ReportFilters())
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _naive_time(user) -> float:
    """Median time of the naive figures (after checking them against the dashboard's)."""
    from apps.reports.selectors import ReportFilters, dashboard

    filters = ReportFilters()
    ours = dashboard(user, filters)
    times, figures = [], None
    for _round in range(NAIVE_ROUNDS):
        start = time.perf_counter()
        figures = naive_figures(user, filters)
        times.append((time.perf_counter() - start) * 1000)
    _check(ours, figures)
    return statistics.median(times)


def _check(ours, naive: dict) -> None:
    """The naive way computes the same numbers: it is a reference, not a straw man."""
    got = {
        "teachers": ours.teachers,
        "by_category": {row.key: row.count for row in ours.by_category.rows},
        "by_position": {row.key: row.count for row in ours.by_position.rows},
        "expiring": [row.count for row in ours.expiring.rows],
        "age": [row.count for row in ours.staff.age.rows],
        "experience": [row.count for row in ours.staff.experience.rows],
        "sex": [row.count for row in ours.staff.sex.rows],
        "language": {row.key: row.count for row in ours.staff.language.rows},
        "trained": ours.pd.trained.count,
        "fact": ours.pd.fact.count,
        "hours": ours.pd.period_hours,
        "courses": {
            row.key: (row.completed, row.not_completed, row.dropped, row.awaiting)
            for row in ours.courses.by_course
        },
        "stages": {row.key: row.count for row in ours.attestation.stages},
        "overdue": ours.attestation.overdue,
        "decided": (ours.attestation.overall.decided, ours.attestation.overall.met),
        "leaders": {row.key: row.count for row in ours.leaders.statuses},
    }
    for name, value in got.items():
        assert naive[name] == value, (name, naive[name], value)


def naive_figures(user, filters) -> dict:
    """The dashboard's figures from every row of the user's scope, counted in Python."""
    from apps.attestation.models import Application, AttestationCycle, Decision
    from apps.core.dates import add_years
    from apps.courses.models import Enrolment, EnrolmentEvent, ExternalTraining
    from apps.courses.selectors import pd_period_start
    from apps.leaders.models import Candidate, Intake
    from apps.organizations.models import InstructionLanguage
    from apps.reports.selectors.base import report_regions
    from apps.teachers.filters import AGE_BANDS, EXPERIENCE_BANDS
    from apps.teachers.models import Position, QualificationCategory, Teacher
    from apps.teachers.selectors import visible_teachers

    today = timezone.localdate()
    teachers = list(
        visible_teachers(user).values_list(
            "pk",
            "category_id",
            "position_id",
            "category_valid_until",
            "birth_date",
            "experience_start",
            "sex",
            "teaching_language_id",
            "organization__district_id",
        )
    )
    ids = {t[0] for t in teachers}
    district_of = {t[0]: t[8] for t in teachers}
    categories = {c.pk: c.code for c in QualificationCategory.objects.all()}
    positions = {p.pk: p.code for p in Position.objects.all()}
    languages = {x.pk: x.code for x in InstructionLanguage.objects.all()}
    figures: dict = {"teachers": len(teachers)}
    figures["by_category"] = dict(Counter(categories[t[1]] if t[1] else "none" for t in teachers))
    figures["by_position"] = dict(Counter(positions[t[2]] for t in teachers))
    figures["language"] = dict(Counter(languages[t[7]] if t[7] else "unknown" for t in teachers))
    windows = [today + relativedelta(months=m) for m in (3, 6, 12)]
    figures["expiring"] = [
        sum(1 for t in teachers if t[3] and t[3] < today),
        *(sum(1 for t in teachers if t[3] and today <= t[3] <= end) for end in windows),
    ]

    def band_counts(index, bands, unknown=False):
        counts = []
        for key, (_label, low, high) in bands.items():
            if unknown and key == "unknown":
                counts.append(sum(1 for t in teachers if t[index] is None))
                continue
            top = add_years(today, -low) if low is not None else None
            bottom = add_years(today, -high) if high is not None else None
            counts.append(
                sum(
                    1
                    for t in teachers
                    if t[index] is not None
                    and (top is None or t[index] <= top)
                    and (bottom is None or t[index] > bottom)
                )
            )
        return counts

    figures["age"] = band_counts(4, AGE_BANDS)
    figures["experience"] = band_counts(5, EXPERIENCE_BANDS, unknown=True)
    figures["sex"] = [sum(1 for t in teachers if t[6] == sex) for sex in Teacher.Sex.values]

    # PD: every enrolment and certificate, filtered here.
    since = pd_period_start(today)
    year_start, year_end = dt.date(filters.plan_year, 1, 1), dt.date(filters.plan_year, 12, 31)
    period = (filters.period_start, filters.period_end)
    last_day = min(filters.period_end, today)
    enrolments = list(
        Enrolment.objects.values_list(
            "pk",
            "teacher_id",
            "status",
            "completed_on",
            "hours_credited",
            "run__ends_on",
            "run__starts_on",
            "run__course_id",
        )
    )
    external = list(
        ExternalTraining.objects.values_list("teacher_id", "status", "ends_on", "hours")
    )
    trained, fact, hours = set(), set(), 0
    for _pk, teacher, status, completed_on, credited, *_rest in enrolments:
        if teacher not in ids or status != "completed":
            continue
        if completed_on >= since:
            trained.add(teacher)
        if year_start <= completed_on <= year_end:
            fact.add(teacher)
        if period[0] <= completed_on <= period[1]:
            hours += credited
    for teacher, status, ends_on, credited in external:
        if teacher in ids and status == "confirmed":
            if ends_on >= since:
                trained.add(teacher)
            if period[0] <= ends_on <= period[1]:
                hours += credited
    figures.update(trained=len(trained), fact=len(fact), hours=hours)

    starts = {}
    cancelled = {}
    for pk, teacher, status, _c, _h, ends_on, starts_on, course in enrolments:
        if teacher in ids and period[0] <= ends_on <= last_day:
            starts[pk] = starts_on
            cancelled[pk] = (status, course)
    dropped = set()
    for enrolment, from_status, to_status, at in EnrolmentEvent.objects.values_list(
        "enrolment_id", "from_status", "to_status", "at"
    ):
        if (
            enrolment in starts
            and to_status == "cancelled"
            and from_status in ("confirmed", "attended")
            and timezone.localtime(at).date() >= starts[enrolment]
        ):
            dropped.add(enrolment)
    courses = defaultdict(lambda: [0, 0, 0, 0])
    for pk, (status, course) in cancelled.items():
        if status == "completed":
            courses[course][0] += 1
        elif status == "not_completed":
            courses[course][1] += 1
        elif status == "cancelled" and pk in dropped:
            courses[course][2] += 1
        elif status in ("confirmed", "attended"):
            courses[course][3] += 1
    figures["courses"] = {str(k): tuple(v) for k, v in courses.items()}

    regions = set(report_regions(user, filters).values_list("pk", flat=True))
    cycles = {
        pk
        for pk, region, opens in AttestationCycle.objects.values_list(
            "pk", "region_id", "application_opens"
        )
        if region in regions and period[0] <= opens <= period[1]
    }
    applications = {
        pk: (status, due, claimed, teacher)
        for pk, cycle, teacher, status, due, claimed in Application.objects.values_list(
            "pk", "cycle_id", "teacher_id", "status", "accept_due_on", "claimed_category_id"
        )
        if cycle in cycles and teacher in ids
    }
    stages = Counter(status for status, *_rest in applications.values())
    figures["stages"] = {status: stages.get(status, 0) for status in Application.Status.values}
    figures["overdue"] = sum(
        1 for status, due, *_r in applications.values() if status == "submitted" and due < today
    )
    decided = met = 0
    by_group = defaultdict(lambda: [0, 0])
    for application, outcome, revised in Decision.objects.values_list(
        "application_id", "outcome", "revised_at"
    ):
        if application in applications and revised is None:
            _s, _d, claimed, teacher = applications[application]
            group = by_group[claimed, district_of[teacher]]
            group[0] += 1
            decided += 1
            if outcome == "meets":
                group[1] += 1
                met += 1
    figures["decided"] = (decided, met)

    intakes = {
        pk
        for pk, region, year in Intake.objects.values_list("pk", "programme__region_id", "year")
        if region in regions and period[0].year <= year <= period[1].year
    }
    statuses = Counter(
        status
        for intake, teacher, status in Candidate.objects.values_list(
            "intake_id", "teacher_id", "status"
        )
        if intake in intakes and teacher in ids
    )
    figures["leaders"] = {status: statuses.get(status, 0) for status in Candidate.Status.values}
    return figures
