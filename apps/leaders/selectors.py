"""Reads of the "1000 leaders" programme: intakes with their counts, candidates in the
user's scope with their stage results, a stage's ranking and a candidate's path."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from apps.accounts.scopes import STAFF_READ_ROLES, read_scope, write_scope
from apps.organizations.models import District
from apps.teachers.models import Teacher

from . import services
from .models import (
    Appointment,
    Candidate,
    CandidateEvent,
    Intake,
    Internship,
    Level,
    MentorMeeting,
    Mentorship,
    Module,
    ModuleAttendance,
    Programme,
    ReflectiveReport,
    ReportReview,
    Stage,
    StageResult,
    Vacancy,
)

C = Candidate.Status
# From admission on, the candidate has a training part (and a page for it).
ADMITTED_OR_LATER = (C.ADMITTED, C.NOT_COMPLETED, C.COMPLETED, C.RESERVE, C.APPOINTED)

# --- intakes ----------------------------------------------------------------------------------


def programmes(user) -> QuerySet[Programme]:
    """The programmes new intakes are made for (every signed-in user sees the programme)."""
    return Programme.objects.select_related("region").order_by("pk")


def intake_list(user) -> QuerySet[Intake]:
    """Every intake, newest first, with its counts of candidates (the programme is public
    to everyone signed in; candidates' names are not part of it)."""
    return (
        Intake.objects.select_related("programme")
        .prefetch_related("positions", "categories")
        .annotate(
            candidate_count=Count("candidates"),
            in_selection_count=Count("candidates", filter=Q(candidates__status=C.APPLIED)),
            admitted_count=Count("candidates", filter=Q(candidates__status__in=ADMITTED_OR_LATER)),
        )
        .order_by("-year", "-pk")
    )


def intake_get(*, user, pk) -> Intake:
    """An intake with its eligibility lists (raises Intake.DoesNotExist)."""
    return (
        Intake.objects.select_related("programme")
        .prefetch_related("positions", "categories")
        .get(pk=pk)
    )


def intake_status_counts(intake: Intake) -> list[tuple[str, int]]:
    """(status label, how many) for every candidate status the intake has."""
    counts = dict(
        Candidate.objects.filter(intake=intake)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [(status.label, counts[status]) for status in C if counts.get(status)]


def intake_stages(intake: Intake) -> QuerySet[Stage]:
    """The intake's stages in order, with how many results each holds."""
    return intake.stages.annotate(result_count=Count("results")).order_by("order")


def own_teacher(user) -> Teacher | None:
    return Teacher.objects.filter(user_id=user.pk).select_related("position", "category").first()


def own_candidacy(*, user, intake: Intake) -> Candidate | None:
    return Candidate.objects.filter(intake=intake, teacher__user_id=user.pk).first()


# --- candidates -------------------------------------------------------------------------------


def visible_candidates(user) -> QuerySet[Candidate]:
    """The one scoping of candidates for staff: by the organisation they applied from."""
    scope = read_scope(user)
    return Candidate.objects.filter(
        scope.q(
            organization="organization",
            district="organization__district",
            region="organization__district__region",
        )
    )


def candidate_list(user, intake: Intake) -> QuerySet[Candidate]:
    """The intake's candidates the user may see, with their teacher, organisation and
    results (for the per-stage columns), by name."""
    return (
        visible_candidates(user)
        .filter(intake=intake)
        .select_related("teacher", "organization__district", "stopped_at")
        .prefetch_related(Prefetch("results", queryset=StageResult.objects.order_by("stage_id")))
        .order_by("teacher__last_name", "teacher__first_name", "pk")
    )


def candidate_get(*, user, pk) -> Candidate:
    """A candidate with what their page shows (raises Candidate.DoesNotExist); the view asks
    leaders.view_candidate, which also lets teachers see their own."""
    return Candidate.objects.select_related(
        "teacher__position",
        "organization__district",
        "intake__programme",
        "stopped_at",
    ).get(pk=pk)


def candidate_events(candidate: Candidate) -> QuerySet[CandidateEvent]:
    return candidate.events.select_related("actor").order_by("at", "pk")


def my_candidacies(user) -> list[Candidate]:
    """The user's own candidacies, newest intake first, each with `.path`."""
    candidates = list(
        Candidate.objects.filter(teacher__user_id=user.pk)
        .select_related("intake__programme", "stopped_at")
        .prefetch_related("results", Prefetch("intake__stages", to_attr="stage_list"))
        .order_by("-intake__year", "-pk")
    )
    for candidate in candidates:
        candidate.path = candidate_path(candidate, candidate.intake.stage_list)
    return candidates


@dataclass(frozen=True)
class PathStep:
    stage: Stage
    result: StageResult | None
    stopped_here: bool


def candidate_path(candidate: Candidate, stages) -> list[PathStep]:
    """Each stage of the intake with the candidate's result there (uses the prefetched
    results when there are)."""
    results = {r.stage_id: r for r in candidate.results.all()}
    return [
        PathStep(stage, results.get(stage.pk), candidate.stopped_at_id == stage.pk)
        for stage in stages
    ]


def stage_columns(candidates, stages) -> None:
    """Give each candidate `.stage_results`: their result (or None) under each stage."""
    for candidate in candidates:
        results = {r.stage_id: r for r in candidate.results.all()}
        candidate.stage_results = [results.get(stage.pk) for stage in stages]


# --- stages -----------------------------------------------------------------------------------


def stage_get(*, user, pk) -> Stage:
    return Stage.objects.select_related("intake__programme").get(pk=pk)


def stage_waiting_for(stage: Stage) -> Stage | None:
    """The earlier stage still to be decided before this one can be worked on, if any."""
    return stage.intake.stages.filter(order__lt=stage.order, closed_at__isnull=True).first()


def stage_candidates(stage: Stage) -> QuerySet[Candidate]:
    """The candidates still in selection, with their score at the stage (for the grid)."""
    return (
        Candidate.objects.filter(intake_id=stage.intake_id, status=C.APPLIED)
        .select_related("teacher", "organization")
        .prefetch_related(Prefetch("results", queryset=StageResult.objects.filter(stage=stage)))
        .order_by("teacher__last_name", "teacher__first_name", "pk")
    )


@dataclass(frozen=True)
class RankingRow:
    candidate: Candidate
    score: Decimal | None
    rank: int | None
    passed: bool
    first_below_cut: bool  # the cut-off line is drawn above this row


def stage_ranking(stage: Stage, *, user) -> list[RankingRow]:
    """The stage's ranking, best first, with the pass rule applied: as decided once the
    stage is, or as deciding it now would (those without a score last: they would stop).
    Ranks are over all candidates; the rows are those the user may see."""
    results = StageResult.objects.filter(stage=stage)
    if not stage.closed_at:
        results = results.filter(candidate__status=C.APPLIED)
    results = list(results)
    if stage.closed_at:
        scored = [(r.candidate_id, r.score, r.rank, bool(r.passed)) for r in results]
    else:
        ranks = services.rank([(r.candidate_id, r.score) for r in results])
        scored = [
            (
                r.candidate_id,
                r.score,
                ranks[r.candidate_id],
                services.passes(stage, r.score, ranks[r.candidate_id]),
            )
            for r in results
        ]
    scored.sort(key=lambda item: (item[2] is None, item[2] or 0, item[0]))
    unscored = []
    if not stage.closed_at:
        have = {item[0] for item in scored}
        unscored = [
            (pk, None, None, False)
            for pk in Candidate.objects.filter(intake_id=stage.intake_id, status=C.APPLIED)
            .exclude(pk__in=have)
            .values_list("pk", flat=True)
        ]
    candidates = candidate_list(user, stage.intake).in_bulk([item[0] for item in scored + unscored])
    rows, cut_drawn = [], False
    for pk, score, rank_, passed in scored + unscored:
        below = not passed and not cut_drawn
        cut_drawn = cut_drawn or below
        if pk in candidates:
            rows.append(RankingRow(candidates[pk], score, rank_, passed, below))
        elif below:
            cut_drawn = False  # draw the line above the next row the user sees
    return rows


# --- reserve, vacancies and outcomes --------------------------------------------------------

IN_RESERVE = (C.RESERVE, C.APPOINTED)  # entered the reserve (and may have been appointed)
COMPLETED_OR_LATER = (C.COMPLETED, C.RESERVE, C.APPOINTED)
FUNNEL = ("applicants", "admitted", "completed", "reserve", "appointed")


def outcome_intakes(user) -> QuerySet[Intake]:
    """The intakes with candidates the user may see, newest first (for the filters)."""
    return (
        Intake.objects.filter(pk__in=visible_candidates(user).values("intake_id"))
        .select_related("programme")
        .order_by("-year", "-pk")
    )


def reserve_list(user, *, intake=None, district=None) -> QuerySet[Candidate]:
    """Reservists (also those appointed since) the user may see, with their appointments."""
    candidates = visible_candidates(user).filter(status__in=IN_RESERVE)
    if intake is not None:
        candidates = candidates.filter(intake=intake)
    if district is not None:
        candidates = candidates.filter(organization__district=district)
    return (
        candidates.select_related("teacher", "organization__district", "intake__programme")
        .prefetch_related(
            Prefetch(
                "appointments",
                queryset=Appointment.objects.select_related("organization").order_by(
                    "appointed_on", "pk"
                ),
            )
        )
        .order_by("organization__district__kato", "teacher__last_name", "teacher__first_name", "pk")
    )


def reservist_get(*, user, pk) -> Candidate:
    """A reservist the user may see (raises Candidate.DoesNotExist)."""
    return (
        visible_candidates(user)
        .filter(status__in=IN_RESERVE)
        .select_related("teacher", "organization__district", "intake__programme")
        .get(pk=pk)
    )


def _term_not_over(today: dt.date) -> Q:
    return Q(reserve_until__isnull=True) | Q(reserve_until__gte=today)


def open_vacancies(user, *, writable: bool = False) -> QuerySet[Vacancy]:
    """Vacancies not yet filled in the user's read scope (or write scope)."""
    scope = write_scope(user) if writable else read_scope(user)
    return Vacancy.objects.filter(
        scope.q(
            organization="organization_id",
            district="organization__district_id",
            region="organization__district__region_id",
        ),
        filled_by__isnull=True,
    ).select_related("organization__district")


@dataclass(frozen=True)
class VacancyMatch:
    vacancy: Vacancy
    reservists: list[Candidate]


@dataclass(frozen=True)
class VacancyDistrict:
    district: District
    vacancies: list[VacancyMatch]


def vacancy_board(user, *, today: dt.date | None = None) -> list[VacancyDistrict]:
    """Open vacancies by district, each with the reservists of that district (those who
    applied from one of its organisations, still in the reserve, term not over): two
    queries whatever the number of vacancies."""
    today = today or timezone.localdate()
    vacancies = list(
        open_vacancies(user).order_by("organization__district__kato", "opened_on", "pk")
    )
    district_ids = {v.organization.district_id for v in vacancies}
    reservists = defaultdict(list)
    for candidate in (
        visible_candidates(user)
        .filter(_term_not_over(today), status=C.RESERVE, organization__district_id__in=district_ids)
        .select_related("teacher", "organization__district", "intake__programme")
        .order_by("reserve_from", "teacher__last_name", "teacher__first_name", "pk")
    ):
        reservists[candidate.organization.district_id].append(candidate)
    board: dict[int, VacancyDistrict] = {}
    for vacancy in vacancies:
        district = vacancy.organization.district
        group = board.setdefault(district.pk, VacancyDistrict(district, []))
        group.vacancies.append(VacancyMatch(vacancy, reservists[district.pk]))
    return list(board.values())


@dataclass(frozen=True)
class OutcomeRow:
    """The funnel of one intake in one district (district None: the intake's total)."""

    intake: Intake
    district: District | None
    applicants: int
    admitted: int
    completed: int
    reserve: int
    appointed: int
    median_days: float | None  # from entering the reserve to the first appointment

    @property
    def funnel(self) -> list[int]:
        return [getattr(self, name) for name in FUNNEL]

    @property
    def appointment_rate(self) -> float | None:
        """Appointed of those who entered the reserve (None: nobody entered it)."""
        return self.appointed / self.reserve if self.reserve else None


@dataclass(frozen=True)
class IntakeOutcomes:
    intake: Intake
    districts: list[OutcomeRow]
    total: OutcomeRow


class _Median(Aggregate):
    """PostgreSQL's ordered-set aggregate percentile_cont(0.5): the median, the mean of the
    middle two for an even count; NULLs (never appointed) are left out."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _days_to_first_appointment() -> Func:
    """(first appointment) - reserve_from; PostgreSQL subtracts dates to whole days."""
    first = Appointment.objects.filter(candidate=OuterRef("pk")).order_by("appointed_on")
    return Func(
        Subquery(first.values("appointed_on")[:1]),
        F("reserve_from"),
        template="(%(expressions)s)",
        arg_joiner=" - ",
        output_field=IntegerField(),
    )


def _funnel_aggregates(*, median_in_database: bool) -> dict:
    # Counted by status group (a participant who leaves the training has not completed it).
    aggregates = {
        "applicants": Count("pk"),
        "admitted": Count("pk", filter=Q(status__in=ADMITTED_OR_LATER)),
        "completed": Count("pk", filter=Q(status__in=COMPLETED_OR_LATER)),
        "reserve": Count("pk", filter=Q(status__in=IN_RESERVE)),
        "appointed": Count("pk", filter=Q(status=C.APPOINTED)),
    }
    if median_in_database:
        aggregates["median_days"] = _Median(_days_to_first_appointment())
    return aggregates


def _python_medians(candidates: QuerySet[Candidate]) -> tuple[dict, dict]:
    """SQLite has no percentile function: the medians by (intake, district) and by intake,
    from the (small) list of day differences of the appointed, in one query."""
    by_district, by_intake = defaultdict(list), defaultdict(list)
    rows = (
        candidates.filter(status=C.APPOINTED, reserve_from__isnull=False)
        .values("pk", "intake_id", "organization__district_id", "reserve_from")
        .annotate(first=Min("appointments__appointed_on"))
        .values_list("intake_id", "organization__district_id", "reserve_from", "first")
        .order_by()
    )
    for intake_id, district_id, reserve_from, first in rows:
        days = (first - reserve_from).days
        by_district[intake_id, district_id].append(days)
        by_intake[intake_id].append(days)
    return (
        {key: float(median(days)) for key, days in by_district.items()},
        {key: float(median(days)) for key, days in by_intake.items()},
    )


def outcomes_by_intake(user, *, intake=None, district=None) -> list[IntakeOutcomes]:
    """Per intake (newest first) and per district (by KATO) the funnel applicants ->
    admitted -> completed -> in the reserve -> appointed, the appointment rate and the
    median days to the first appointment, over the candidates the user may see (by the
    organisation they applied from). Counted by the database in a fixed number of queries;
    the median by PostgreSQL's percentile_cont, on SQLite in Python (see _python_medians)."""
    candidates = visible_candidates(user)
    if intake is not None:
        candidates = candidates.filter(intake=intake)
    if district is not None:
        candidates = candidates.filter(organization__district=district)
    in_database = connection.vendor == "postgresql"
    aggregates = _funnel_aggregates(median_in_database=in_database)
    per_district = list(
        candidates.values("intake_id", "organization__district_id")
        .annotate(**aggregates)
        .order_by()
    )
    per_intake = list(candidates.values("intake_id").annotate(**aggregates).order_by())
    if not in_database:
        district_medians, intake_medians = _python_medians(candidates)
        for row in per_district:
            key = (row["intake_id"], row["organization__district_id"])
            row["median_days"] = district_medians.get(key)
        for row in per_intake:
            row["median_days"] = intake_medians.get(row["intake_id"])
    intakes = Intake.objects.select_related("programme").in_bulk(
        [row["intake_id"] for row in per_intake]
    )
    districts = District.objects.in_bulk({row["organization__district_id"] for row in per_district})

    def outcome(row, district) -> OutcomeRow:
        return OutcomeRow(
            intake=intakes[row["intake_id"]],
            district=district,
            **{name: row[name] for name in (*FUNNEL, "median_days")},
        )

    rows_of = defaultdict(list)
    for row in per_district:
        rows_of[row["intake_id"]].append(outcome(row, districts[row["organization__district_id"]]))
    groups = [
        IntakeOutcomes(
            intake=intakes[row["intake_id"]],
            districts=sorted(rows_of[row["intake_id"]], key=lambda r: r.district.kato),
            total=outcome(row, None),
        )
        for row in per_intake
    ]
    return sorted(groups, key=lambda g: (-g.intake.year, -g.intake.pk))


# --- training and progress -------------------------------------------------------------------


def training_candidates() -> QuerySet[Candidate]:
    """Candidates with what the training pages and the permission rules read of them."""
    return Candidate.objects.select_related(
        "intake__programme",
        "teacher",
        "organization__district",
        "internship__host",
        "mentorship__mentor",
        "reflective_report",
    )


def mentor_choices() -> QuerySet:
    """Staff accounts that can be chosen as a mentor (by e-mail)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__role__in=STAFF_READ_ROLES)
        .distinct()
        .order_by("email")
    )


@dataclass(frozen=True)
class ModuleSheetRow:
    candidate: Candidate
    present: bool | None  # None: not marked yet


def module_sheet(module: Module) -> list[ModuleSheetRow]:
    """The participants in training of the module's intake with their mark: two queries."""
    marks = dict(
        ModuleAttendance.objects.filter(module=module).values_list("candidate_id", "present")
    )
    participants = (
        Candidate.objects.filter(intake_id=module.intake_id, status=C.ADMITTED)
        .select_related("teacher", "organization")
        .order_by("teacher__last_name", "teacher__first_name", "pk")
    )
    return [ModuleSheetRow(candidate, marks.get(candidate.pk)) for candidate in participants]


@dataclass(frozen=True)
class CohortRow:
    candidate: Candidate
    marks: list[bool | None]  # one per module of the intake, in order; None: not marked
    progress: services.Progress
    completes: bool
    missing: list[str]


@dataclass(frozen=True)
class Cohort:
    modules: list[Module]
    rows: list[CohortRow]

    @property
    def completing(self) -> int:
        return sum(1 for row in self.rows if row.completes)

    @property
    def not_completing(self) -> int:
        return len(self.rows) - self.completing


def cohort_rows(user, intake: Intake, *, in_training_only: bool = False) -> Cohort:
    """Everyone admitted to the intake's training whom the user may see, with their
    progress by the rule of services.progress: five queries however many there are."""
    modules = list(Module.objects.filter(intake=intake))
    statuses = (C.ADMITTED,) if in_training_only else ADMITTED_OR_LATER
    candidates = list(
        visible_candidates(user)
        .filter(intake=intake, status__in=statuses)
        .select_related(
            "teacher", "organization", "internship__host", "mentorship__mentor", "reflective_report"
        )
        .order_by("teacher__last_name", "teacher__first_name", "pk")
    )
    ids = [candidate.pk for candidate in candidates]
    marks = {
        (candidate_id, module_id): present
        for candidate_id, module_id, present in ModuleAttendance.objects.filter(
            candidate_id__in=ids
        ).values_list("candidate_id", "module_id", "present")
    }
    meetings = dict(
        MentorMeeting.objects.filter(mentorship__candidate_id__in=ids)
        .values("mentorship__candidate_id")
        .annotate(n=Count("pk"))
        .values_list("mentorship__candidate_id", "n")
    )
    reviews = {
        row["report__candidate_id"]: row
        for row in ReportReview.objects.filter(report__candidate_id__in=ids)
        .values("report__candidate_id")
        .annotate(n=Count("pk"), mean=Avg("score"))
    }
    rows = []
    for candidate in candidates:
        ticks = [marks.get((candidate.pk, module.pk)) for module in modules]
        attended = sum(1 for present in ticks if present)
        internship = getattr(candidate, "internship", None)
        scored = reviews.get(candidate.pk, {"n": 0, "mean": None})
        progress = services.Progress(
            modules=len(modules),
            attended=attended,
            internship_report=bool(internship and internship.report_submitted_at),
            mentor_meetings=meetings.get(candidate.pk, 0),
            report_reviews=scored["n"],
            report_score=services.Progress.mean_score(scored["mean"]),
        )
        ok, missing = progress.completes(intake)
        rows.append(CohortRow(candidate, ticks, progress, ok, missing))
    return Cohort(modules=modules, rows=rows)


def report_queue(user) -> list[ReflectiveReport]:
    """Reports of participants in training that the user may score and has not scored
    yet, oldest first: one query (the permission reads only what it selects)."""
    reports = (
        ReflectiveReport.objects.filter(
            candidate__in=visible_candidates(user).filter(status=C.ADMITTED).values("pk")
        )
        .exclude(reviews__reviewer=user)
        .select_related(
            "candidate__teacher", "candidate__organization__district", "candidate__intake"
        )
        .annotate(review_count=Count("reviews"))
        .order_by("submitted_at", "pk")
    )
    return [r for r in reports if user.has_perm("leaders.review_reports", r.candidate)]


def mentor_meetings(mentorship: Mentorship) -> list[MentorMeeting]:
    return list(mentorship.meetings.select_related("recorded_by"))


@dataclass(frozen=True)
class ReportReviews:
    reviews: list[ReportReview]
    mean: Decimal | None


def report_reviews(report: ReflectiveReport) -> ReportReviews:
    """The report's reviews, and their mean as the completion rule counts it."""
    reviews = list(report.reviews.select_related("reviewer").order_by("pk"))
    mean = ReportReview.objects.filter(report=report).aggregate(mean=Avg("score"))["mean"]
    return ReportReviews(reviews=reviews, mean=services.Progress.mean_score(mean))


@dataclass(frozen=True)
class ModuleMark:
    module: Module
    present: bool | None  # None: not marked (yet)


@dataclass(frozen=True)
class LevelModules:
    level: str
    label: str
    modules: list[ModuleMark]


@dataclass(frozen=True)
class CandidateTraining:
    progress: services.Progress
    completes: bool
    missing: list[str]
    levels: list[LevelModules]
    internship: Internship | None
    mentorship: Mentorship | None
    meetings: list[MentorMeeting]
    report: ReflectiveReport | None
    reviews: ReportReviews | None


def candidate_training(candidate: Candidate) -> CandidateTraining:
    """A participant's path through training: modules by level with their marks, the
    internship, the mentor and meetings, the reflective report with its reviews, and what
    the completion rule still misses."""
    marks = dict(
        ModuleAttendance.objects.filter(candidate=candidate).values_list("module_id", "present")
    )
    modules = list(Module.objects.filter(intake_id=candidate.intake_id))
    internship = Internship.objects.filter(candidate=candidate).select_related("host").first()
    mentorship = Mentorship.objects.filter(candidate=candidate).select_related("mentor").first()
    report = ReflectiveReport.objects.filter(candidate=candidate).first()
    progress = services.progress(candidate)
    ok, missing = progress.completes(candidate.intake)
    levels = [
        LevelModules(
            level,
            label,
            [ModuleMark(m, marks.get(m.pk)) for m in modules if m.level == level],
        )
        for level, label in Level.choices
    ]
    return CandidateTraining(
        progress=progress,
        completes=ok,
        missing=missing,
        levels=[level for level in levels if level.modules],
        internship=internship,
        mentorship=mentorship,
        meetings=mentor_meetings(mentorship) if mentorship else [],
        report=report,
        reviews=report_reviews(report) if report else None,
    )
