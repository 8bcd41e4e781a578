"""Reads of the courses app: the catalogue, rosters, a teacher's PD record and hours."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.scopes import read_scope, user_provider_ids, write_scope
from apps.core.dates import add_years
from apps.organizations.models import District
from apps.teachers.models import Teacher

from .models import (
    Attendance,
    Course,
    CourseRun,
    DistrictQuota,
    Enrolment,
    EnrolmentEvent,
    ExternalTraining,
    Provider,
    RunSession,
)
from .services import SEAT_HOLDING, TRANSITIONS, CompletionCheck, completion_check

User = get_user_model()
S = Enrolment.Status
# The legal minimum: every teacher takes PD at least once in this many years.
PD_PERIOD_YEARS = 3


def runs_with_counts(queryset=None):
    """Runs annotated with `confirmed` (seats taken) and `waitlisted` counts."""
    queryset = CourseRun.objects.all() if queryset is None else queryset
    return queryset.annotate(
        confirmed=Count("enrolments", filter=Q(enrolments__status__in=SEAT_HOLDING)),
        waitlisted=Count("enrolments", filter=Q(enrolments__status=S.WAITLISTED)),
    )


@dataclass(frozen=True)
class PdHours:
    courses: int
    external: int

    @property
    def total(self) -> int:
        return self.courses + self.external


def pd_hours(*, teacher_ids, since: dt.date | None = None, until: dt.date | None = None) -> dict:
    """PD hours per teacher id: completed runs of our catalogue plus confirmed external
    certificates, counted by the date the course ended, within [since, until]."""
    course_filter = Q(teacher_id__in=teacher_ids, status=S.COMPLETED)
    external_filter = Q(teacher_id__in=teacher_ids, status=ExternalTraining.Status.CONFIRMED)
    if since:
        course_filter &= Q(completed_on__gte=since)
        external_filter &= Q(ends_on__gte=since)
    if until:
        course_filter &= Q(completed_on__lte=until)
        external_filter &= Q(ends_on__lte=until)
    courses = dict(
        Enrolment.objects.filter(course_filter)
        .values_list("teacher_id")
        .annotate(h=Sum("hours_credited"))
        .order_by()
    )
    external = dict(
        ExternalTraining.objects.filter(external_filter)
        .values_list("teacher_id")
        .annotate(h=Sum("hours"))
        .order_by()
    )
    return {
        pk: PdHours(courses=courses.get(pk, 0) or 0, external=external.get(pk, 0) or 0)
        for pk in teacher_ids
    }


def pd_period_start(today: dt.date | None = None) -> dt.date:
    return add_years(today or timezone.localdate(), -PD_PERIOD_YEARS)


def teacher_enrolments(*, teacher: Teacher):
    return (
        Enrolment.objects.filter(teacher=teacher)
        .select_related("run__course__provider")
        .order_by("-run__starts_on", "-pk")
    )


def teacher_external_trainings(*, teacher: Teacher):
    return ExternalTraining.objects.filter(teacher=teacher).select_related("reviewed_by")


def scoped_enrolments(*, user, run: CourseRun):
    """The run's enrolments whose teacher is in the user's read scope (the whole roster
    for the provider, trainer or regional administrator: callers check `view_roster`)."""
    queryset = Enrolment.objects.filter(run=run)
    if not user.has_perm("courses.view_roster", run):
        queryset = queryset.filter(
            read_scope(user).q(
                organization="teacher__organization",
                district="teacher__organization__district",
                region="teacher__organization__district__region",
            )
        )
    return queryset.select_related("teacher__organization", "district")


# --- attendance and results of a run ---------------------------------------------------------


@dataclass(frozen=True)
class SheetCell:
    session: RunSession
    present: bool | None  # None: not marked yet
    open: bool  # the day has begun, so it can be marked


@dataclass(frozen=True)
class SheetRow:
    enrolment: Enrolment
    cells: list[SheetCell]
    present: int
    check: CompletionCheck


@dataclass(frozen=True)
class RunSheet:
    sessions: list[RunSession]
    open_sessions: list[RunSession]
    rows: list[SheetRow]


def run_sheet(*, run: CourseRun, today: dt.date | None = None) -> RunSheet:
    """The run's participants (its seat holders, by name) with their attendance on every
    session day and the course's completion rule applied to what is recorded so far, in
    three queries whatever the size of the group. `run.course` should be loaded."""
    today = today or timezone.localdate()
    sessions = list(RunSession.objects.filter(run=run))
    enrolments = (
        Enrolment.objects.filter(run=run, status__in=SEAT_HOLDING)
        .select_related("teacher__organization")
        .order_by("teacher__last_name", "teacher__first_name", "pk")
    )
    marks = {
        (session_id, enrolment_id): present
        for session_id, enrolment_id, present in Attendance.objects.filter(
            session__run=run
        ).values_list("session_id", "enrolment_id", "present")
    }
    rows = []
    for enrolment in enrolments:
        cells = [
            SheetCell(
                session=session,
                present=marks.get((session.pk, enrolment.pk)),
                open=session.date <= today,
            )
            for session in sessions
        ]
        present = sum(1 for cell in cells if cell.present)
        check = completion_check(
            course=run.course,
            sessions=len(sessions),
            present=present,
            passed=enrolment.assessment_passed,
        )
        rows.append(SheetRow(enrolment=enrolment, cells=cells, present=present, check=check))
    return RunSheet(
        sessions=sessions,
        open_sessions=[session for session in sessions if session.date <= today],
        rows=rows,
    )


# --- external PD certificates --------------------------------------------------------------

_EXTERNAL_SCOPE_PATHS = {
    "organization": "teacher__organization",
    "district": "teacher__organization__district",
    "region": "teacher__organization__district__region",
}


def external_trainings_for_review(user):
    """External PD uploads of the teachers in the reviewer's write scope, oldest first (the
    order in which they wait); callers check `courses.review_external_trainings`."""
    return (
        ExternalTraining.objects.filter(write_scope(user).q(**_EXTERNAL_SCOPE_PATHS))
        .select_related("teacher__organization")
        .order_by("created_at", "pk")
    )


def external_review_counts(user) -> list[tuple[str, str, int]]:
    """(status, label, count) of the reviewer's queue, for its tabs."""
    counts = dict(
        external_trainings_for_review(user).order_by().values_list("status").annotate(n=Count("pk"))
    )
    return [
        (value, label, counts.get(value, 0)) for value, label in ExternalTraining.Status.choices
    ]


def external_training_get(*, user, pk: int) -> ExternalTraining:
    """One upload the user may see: their own, or a teacher's in their read scope (raises
    ExternalTraining.DoesNotExist otherwise, so that ids cannot be probed)."""
    queryset = ExternalTraining.objects.select_related(
        "teacher__organization__district", "teacher__user", "reviewed_by"
    )
    scope = read_scope(user)
    if not scope.everything:
        queryset = queryset.filter(scope.q(**_EXTERNAL_SCOPE_PATHS) | Q(teacher__user=user))
    return queryset.get(pk=pk)


# --- the catalogue and the run page -----------------------------------------------------------


def manages_catalogue(user) -> bool:
    """May change every provider's courses and runs (a regional administrator): without an
    object, the rule holds only for them, not for a provider's own staff."""
    return user.has_perm("courses.change_course")


def catalogue_runs(user):
    """The runs the catalogue lists: those of active courses of active providers, and for
    provider staff and regional administrators also their inactive ones."""
    if manages_catalogue(user):
        return CourseRun.objects.all()
    visible = Q(course__is_active=True, course__provider__is_active=True)
    provider_ids = user_provider_ids(user)
    if provider_ids:
        visible |= Q(course__provider_id__in=provider_ids)
    return CourseRun.objects.filter(visible)


def _with_state(run: CourseRun, today: dt.date) -> CourseRun:
    run.current_state = CourseRun.State(run.state(today=today, confirmed=run.confirmed))
    run.seats_left = max(run.capacity - run.confirmed, 0)
    return run


def catalogue_rows(ids, *, user) -> list[CourseRun]:
    """The runs of one catalogue page with their seat counts, state and the user's own
    enrolment (`my_enrolment`): two queries whatever the page size."""
    runs = list(
        runs_with_counts(CourseRun.objects.filter(pk__in=ids)).select_related(
            "course__provider", "course__language"
        )
    )
    mine = {
        e.run_id: e
        for e in Enrolment.objects.filter(run_id__in=ids, teacher__user_id=user.pk).only(
            "pk", "run_id", "status"
        )
    }
    today = timezone.localdate()
    for run in runs:
        _with_state(run, today)
        run.my_enrolment = mine.get(run.pk)
    return runs


def course_get(*, user, pk) -> Course:
    """A course for its page; raises Course.DoesNotExist for a course taken out of the
    catalogue, unless the user manages it."""
    course = (
        Course.objects.select_related("provider", "language")
        .prefetch_related("target_subjects", "target_positions", "prerequisites")
        .get(pk=pk)
    )
    if not (course.is_active and course.provider.is_active) and not user.has_perm(
        "courses.change_course", course
    ):
        raise Course.DoesNotExist
    return course


def course_runs(*, course: Course) -> tuple[list[CourseRun], list[CourseRun]]:
    """The course's runs with counts and state: (current and upcoming, soonest first;
    past, latest first)."""
    today = timezone.localdate()
    runs = [_with_state(r, today) for r in runs_with_counts(course.runs.all())]
    upcoming = [r for r in runs if r.ends_on >= today]
    past = sorted((r for r in runs if r.ends_on < today), key=lambda r: r.starts_on, reverse=True)
    return upcoming, past


def run_get(*, user, pk) -> CourseRun:
    """A run with its seat counts and state; raises CourseRun.DoesNotExist for a run the
    user does not see in the catalogue."""
    run = (
        runs_with_counts(catalogue_runs(user))
        .select_related("course__provider", "course__language", "trainer")
        .get(pk=pk)
    )
    return _with_state(run, timezone.localdate())


def with_waitlist_position(queryset):
    """Enrolments annotated with `waitlist_position`: 1 for the next to get a seat, counted
    in the order the waitlist is served (meaningful only for those on the waitlist)."""
    ahead = (
        Enrolment.objects.filter(run_id=OuterRef("run_id"), status=S.WAITLISTED)
        .filter(
            Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
            | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lt=OuterRef("pk"))
        )
        .values("run_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        waitlist_position=Coalesce(Subquery(ahead, output_field=IntegerField()), 0) + 1
    )


def own_enrolment(*, user, run: CourseRun) -> Enrolment | None:
    """The user's own enrolment in the run (through their teacher record), if any, with
    its waitlist place and what the user may do with it."""
    if not user.is_authenticated:
        return None
    enrolment = (
        with_waitlist_position(Enrolment.objects.filter(run=run, teacher__user_id=user.pk))
        .select_related("teacher__organization__district")
        .first()
    )
    if enrolment is not None:
        enrolment.run = run
        enrolment_actions(user=user, enrolment=enrolment)
    return enrolment


@dataclass(frozen=True)
class QuotaUse:
    district: District
    seats: int
    taken: int


def run_quota_use(run: CourseRun) -> list[QuotaUse]:
    """Each district quota of the run with the seats its district's teachers hold."""
    taken = dict(
        Enrolment.objects.filter(run=run, status__in=SEAT_HOLDING)
        .values_list("district_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        QuotaUse(district=q.district, seats=q.seats, taken=taken.get(q.district_id, 0))
        for q in DistrictQuota.objects.filter(run=run).select_related("district")
    ]


def enrolment_actions(*, user, enrolment: Enrolment) -> Enrolment:
    """Mark what the user may do with the enrolment now: `can_cancel`, `can_approve`."""
    enrolment.can_cancel = S.CANCELLED in TRANSITIONS[enrolment.status] and user.has_perm(
        "courses.change_enrolment", enrolment
    )
    enrolment.can_approve = enrolment.status == S.REQUESTED and user.has_perm(
        "courses.approve_enrolment", enrolment
    )
    enrolment.can_view = user.has_perm("courses.view_enrolment", enrolment)
    return enrolment


@dataclass
class Roster:
    participants: list[Enrolment]
    waitlist: list[Enrolment]
    cancelled: list[Enrolment]
    full: bool


def run_roster(*, user, run: CourseRun) -> Roster | None:
    """The run's enrolments the user may see (all for the run's managers and trainer,
    their scope's for staff readers), split into participants, the ordered waitlist and
    the cancelled; None for users who see no roster."""
    full = user.has_perm("courses.view_roster", run)
    if not full and not user.has_perm("courses.view_scoped_roster"):
        return None
    enrolments = (
        scoped_enrolments(user=user, run=run)
        .select_related("teacher__organization__district")
        .order_by("teacher__last_name", "teacher__first_name", "pk")
    )
    roster = Roster(participants=[], waitlist=[], cancelled=[], full=full)
    for enrolment in enrolments:
        enrolment.run = run  # the rules read the provider through it
        enrolment_actions(user=user, enrolment=enrolment)
        if enrolment.status == S.WAITLISTED:
            roster.waitlist.append(enrolment)
        elif enrolment.status == S.CANCELLED:
            roster.cancelled.append(enrolment)
        else:
            roster.participants.append(enrolment)
    roster.waitlist.sort(key=lambda e: (e.waitlisted_at, e.pk))
    return roster


def quota_districts():
    """The districts and cities a run's seats can be divided between."""
    return District.objects.order_by("region__kato", "kato")


# --- management --------------------------------------------------------------------------


def managed_providers(user):
    """Providers the user keeps: all for a regional administrator, else their own."""
    if user.has_perm("courses.add_provider"):
        return Provider.objects.all()
    return Provider.objects.filter(pk__in=user_provider_ids(user))


def course_providers(user):
    """Providers whose courses the user may create or change (active ones only)."""
    return managed_providers(user).filter(is_active=True)


def provider_staff_candidates(provider: Provider | None):
    """Accounts that can be made provider staff: active accounts that are not a teacher's
    own (keeps the list short), plus whoever is staff already."""
    candidates = Q(is_active=True, teacher__isnull=True)
    if provider is not None and provider.pk:
        candidates |= Q(provider_memberships=provider)
    return User.objects.filter(candidates).distinct().order_by("email")


# --- enrolment ------------------------------------------------------------------------------


def enrollable_teachers(user):
    """Teachers the user may enrol in courses: those in their write scope."""
    scope = write_scope(user)
    if scope.everything:
        return Teacher.objects.all()
    return Teacher.objects.filter(
        scope.q(
            organization="organization_id",
            district="organization__district_id",
            region="organization__district__region_id",
        )
    )


def live_enrolments_of(*, run: CourseRun, teacher_ids) -> dict[int, Enrolment]:
    """{teacher id: enrolment} of these teachers' enrolments in the run that are not
    cancelled."""
    return {
        e.teacher_id: e
        for e in Enrolment.objects.filter(run=run, teacher_id__in=teacher_ids)
        .exclude(status=S.CANCELLED)
        .only("pk", "teacher_id", "status")
    }


def enrolment_get(*, user, pk) -> Enrolment:
    """One enrolment with its run, teacher, history and waitlist place; raises
    Enrolment.DoesNotExist unless the user may see it."""
    enrolment = (
        with_waitlist_position(Enrolment.objects.all())
        .select_related(
            "run__course__provider",
            "teacher__organization__district",
            "teacher__user",
            "district",
            "requested_by",
        )
        .prefetch_related(
            Prefetch("events", queryset=EnrolmentEvent.objects.select_related("actor"))
        )
        .get(pk=pk)
    )
    if not user.has_perm("courses.view_enrolment", enrolment):
        raise Enrolment.DoesNotExist
    return enrolment


@dataclass(frozen=True)
class AttendanceSummary:
    present: int
    marked: int
    sessions: int


def enrolment_attendance(enrolment: Enrolment) -> AttendanceSummary:
    """Days present, days marked and session days of the enrolment's run."""
    marks = Attendance.objects.filter(enrolment=enrolment).aggregate(
        present=Count("pk", filter=Q(present=True)), marked=Count("pk")
    )
    return AttendanceSummary(
        present=marks["present"],
        marked=marks["marked"],
        sessions=RunSession.objects.filter(run_id=enrolment.run_id).count(),
    )


@dataclass
class TeacherCourses:
    current: list[Enrolment]
    waiting: list[Enrolment]
    past: list[Enrolment]


def teacher_courses(*, teacher: Teacher) -> TeacherCourses:
    """A teacher's enrolments for "my courses": current and upcoming (soonest first), on
    the waitlist or waiting for approval, and past (with the results)."""
    today = timezone.localdate()
    groups = TeacherCourses(current=[], waiting=[], past=[])
    for enrolment in with_waitlist_position(teacher_enrolments(teacher=teacher)):
        run = enrolment.run
        if enrolment.status in (S.REQUESTED, S.WAITLISTED):
            groups.waiting.append(enrolment)
        elif (
            enrolment.status in (S.CONFIRMED, S.ATTENDED)
            and run.ends_on >= today
            and not run.cancelled_at
        ):
            groups.current.append(enrolment)
        else:
            groups.past.append(enrolment)
    groups.current.reverse()
    groups.waiting.reverse()
    return groups
