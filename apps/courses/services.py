"""Every write of the courses app: the catalogue, enrolment with exact seats and an ordered
waitlist, attendance, assessment, completion and external PD certificates.

Enrolment is a state machine: TRANSITIONS below is the one table of allowed moves and
`_transition` the one place that changes a status, writing an append-only EnrolmentEvent.
Seats are counted under a row lock on the run (`select_for_update`), so concurrent
enrolments never overbook a run or a district quota.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.dates import short_date
from apps.teachers.models import Teacher

from . import hooks
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

S = Enrolment.Status


# Allowed status changes; None is "no enrolment yet".
TRANSITIONS: dict = {
    None: {S.REQUESTED, S.CONFIRMED, S.WAITLISTED},
    S.REQUESTED: {S.CONFIRMED, S.WAITLISTED, S.CANCELLED},
    S.WAITLISTED: {S.CONFIRMED, S.CANCELLED},
    S.CONFIRMED: {S.ATTENDED, S.COMPLETED, S.NOT_COMPLETED, S.CANCELLED},
    S.ATTENDED: {S.COMPLETED, S.NOT_COMPLETED, S.CANCELLED},  # the run itself cancelled
    S.CANCELLED: {S.REQUESTED, S.CONFIRMED, S.WAITLISTED},
    S.COMPLETED: set(),
    S.NOT_COMPLETED: set(),
}
# Statuses that hold a seat of the run.
SEAT_HOLDING = (S.CONFIRMED, S.ATTENDED, S.COMPLETED, S.NOT_COMPLETED)
# Statuses of a live enrolment: the teacher is (or wants to be) on the course.
ACTIVE = (S.REQUESTED, S.CONFIRMED, S.WAITLISTED, S.ATTENDED)


class OverlapWarning(ValidationError):
    """The teacher is already on a run whose dates overlap; enrol again with allow_overlap."""

    def __init__(self, runs: list[CourseRun]):
        self.runs = runs
        names = "; ".join(
            _("%(course)s, %(start)s–%(end)s")
            % {
                "course": r.course.title,
                "start": short_date(r.starts_on),
                "end": short_date(r.ends_on),
            }
            for r in runs
        )
        super().__init__(
            _("The teacher is already enrolled in a course at the same time: %(runs)s.")
            % {"runs": names},
            code="overlap",
        )


# --- the state machine --------------------------------------------------------------------


def _transition(enrolment: Enrolment, to: str, *, actor, comment: str = "", **fields) -> None:
    current = enrolment.status or None
    if to not in TRANSITIONS[current]:
        raise ValidationError(
            _("An enrolment that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": S(current).label if current else "—",
                "to": S(to).label,
            },
            code="transition",
        )
    now = timezone.now()
    enrolment.status = to
    enrolment.waitlisted_at = now if to == S.WAITLISTED else None
    for name, value in fields.items():
        setattr(enrolment, name, value)
    if enrolment.pk is None:
        enrolment.save()
    else:
        enrolment.save(update_fields=["status", "waitlisted_at", "updated_at", *fields])
    EnrolmentEvent.objects.create(
        enrolment=enrolment,
        from_status=current or "",
        to_status=to,
        actor=actor if actor and actor.is_authenticated else None,
        comment=comment[:500],
    )


def _notify(enrolment: Enrolment, event: str) -> None:
    from .tasks import enrolment_notify_task

    enrolment_notify_task.delay_on_commit(enrolment.pk, event)


# --- seats ----------------------------------------------------------------------------------


def _locked_run(run: CourseRun) -> CourseRun:
    """The run, row-locked until the transaction ends: every seat decision takes this lock."""
    return CourseRun.objects.select_for_update(of=("self",)).select_related("course").get(pk=run.pk)


def _seat_counts(run: CourseRun) -> tuple[int, dict[int, int]]:
    """Seats taken in the run, and per district, counted under the run's lock."""
    rows = (
        Enrolment.objects.filter(run=run, status__in=SEAT_HOLDING)
        .values("district_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_district = {row["district_id"]: row["n"] for row in rows}
    return sum(per_district.values()), per_district


class _Seats:
    """Free seats of a locked run, overall and by district quota, kept up to date as
    enrolments are placed within one transaction."""

    def __init__(self, run: CourseRun):
        self.capacity = run.capacity
        self.taken, self.by_district = _seat_counts(run)
        self.quotas = dict(
            DistrictQuota.objects.filter(run=run).values_list("district_id", "seats")
        )

    def free_for(self, district_id: int) -> bool:
        if self.taken >= self.capacity:
            return False
        quota = self.quotas.get(district_id)
        return quota is None or self.by_district.get(district_id, 0) < quota

    def take(self, district_id: int) -> None:
        self.taken += 1
        self.by_district[district_id] = self.by_district.get(district_id, 0) + 1


def _place(enrolment: Enrolment, seats: _Seats, *, actor, comment: str = "") -> None:
    """Confirm the enrolment if a seat is free for its district, else put it on the waitlist."""
    if seats.free_for(enrolment.district_id):
        seats.take(enrolment.district_id)
        _transition(enrolment, S.CONFIRMED, actor=actor, comment=comment)
        _notify(enrolment, "confirmed")
    else:
        _transition(enrolment, S.WAITLISTED, actor=actor, comment=comment)


def _promote(run: CourseRun, seats: _Seats, *, actor) -> list[Enrolment]:
    """Fill free seats from the waitlist in order (skipping districts whose quota is full)."""
    promoted = []
    if run.cancelled_at or run.completed_at or timezone.localdate() > run.ends_on:
        return promoted
    waiting = Enrolment.objects.filter(run=run, status=S.WAITLISTED).order_by("waitlisted_at", "pk")
    for enrolment in waiting.select_for_update():
        if seats.taken >= seats.capacity:
            break
        if seats.free_for(enrolment.district_id):
            seats.take(enrolment.district_id)
            _transition(
                enrolment, S.CONFIRMED, actor=actor, comment=_("Promoted from the waitlist.")
            )
            _notify(enrolment, "promoted")
            promoted.append(enrolment)
    return promoted


# --- enrolment ------------------------------------------------------------------------------


def _check_can_enrol(*, run: CourseRun, teacher: Teacher, actor) -> bool:
    """Raise if the actor may not enrol this teacher now; return True for self-enrolment."""
    is_self = teacher.user_id is not None and teacher.user_id == actor.pk
    if is_self:
        if not actor.has_perm("courses.enrol_self"):
            raise PermissionDenied
    elif not actor.has_perm("courses.enrol_teacher", teacher):
        raise PermissionDenied
    today = timezone.localdate()
    if run.cancelled_at:
        raise ValidationError(_("This run has been cancelled."), code="cancelled")
    if run.completed_at or today > run.ends_on:
        raise ValidationError(_("This run has already finished."), code="finished")
    if not run.course.is_active:
        raise ValidationError(_("This course is no longer in the catalogue."), code="inactive")
    # Teachers enrol until the deadline; their school or a methodologist until the first day.
    last_day = run.enrolment_deadline if is_self else run.starts_on
    if today > last_day:
        raise ValidationError(
            _("Enrolment for this run closed on %(date)s.") % {"date": short_date(last_day)},
            code="deadline",
        )
    return is_self


def _check_prerequisites(*, run: CourseRun, teacher: Teacher) -> None:
    required = list(run.course.prerequisites.all())
    if not required:
        return
    done = set(
        Enrolment.objects.filter(
            teacher=teacher, status=S.COMPLETED, run__course__in=required
        ).values_list("run__course_id", flat=True)
    )
    missing = [c.title for c in required if c.pk not in done]
    if missing:
        raise ValidationError(
            _("First complete the prerequisite course(s): %(courses)s.")
            % {"courses": "; ".join(missing)},
            code="prerequisites",
        )


def overlapping_runs(*, run: CourseRun, teacher: Teacher) -> list[CourseRun]:
    """The teacher's other live runs whose dates overlap this run's."""
    return list(
        CourseRun.objects.filter(
            enrolments__teacher=teacher,
            enrolments__status__in=ACTIVE,
            starts_on__lte=run.ends_on,
            ends_on__gte=run.starts_on,
            cancelled_at__isnull=True,
        )
        .exclude(pk=run.pk)
        .select_related("course")
    )


def _enrol_locked(
    *, run: CourseRun, seats: _Seats, teacher: Teacher, actor, is_self: bool, allow_overlap: bool
) -> Enrolment:
    _check_prerequisites(run=run, teacher=teacher)
    if not allow_overlap:
        overlaps = overlapping_runs(run=run, teacher=teacher)
        if overlaps:
            raise OverlapWarning(overlaps)
    enrolment = Enrolment.objects.select_for_update().filter(run=run, teacher=teacher).first()
    if enrolment is not None and enrolment.status != S.CANCELLED:
        raise ValidationError(
            _("%(name)s is already on this run (%(status)s).")
            % {"name": teacher.full_name, "status": enrolment.get_status_display()},
            code="duplicate",
        )
    if enrolment is None:
        enrolment = Enrolment(run=run, teacher=teacher)
    # A fresh start, also for a teacher enrolling again after cancelling: today's district
    # (what the quotas count), who enrolled them, no marks from before.
    enrolment.district_id = teacher.organization.district_id
    enrolment.requested_by = actor
    enrolment.assessment_passed = enrolment.assessment_score = None
    if enrolment.pk is not None:
        enrolment.save(
            update_fields=[
                "district",
                "requested_by",
                "assessment_passed",
                "assessment_score",
                "updated_at",
            ]
        )
    if is_self and run.approval_required:
        _transition(enrolment, S.REQUESTED, actor=actor)
        return enrolment
    _place(enrolment, seats, actor=actor)
    return enrolment


def enrolment_create(
    *, run: CourseRun, teacher: Teacher, actor, allow_overlap: bool = False
) -> Enrolment:
    """Enrol a teacher in a run: confirmed while seats last, then on the waitlist; a
    teacher's own request waits for approval where the run asks for it."""
    with transaction.atomic():
        run = _locked_run(run)
        teacher = Teacher.objects.select_related("organization__district").get(pk=teacher.pk)
        is_self = _check_can_enrol(run=run, teacher=teacher, actor=actor)
        return _enrol_locked(
            run=run,
            seats=_Seats(run),
            teacher=teacher,
            actor=actor,
            is_self=is_self,
            allow_overlap=allow_overlap,
        )


@dataclass
class BulkEnrolment:
    confirmed: list[Enrolment] = field(default_factory=list)
    waitlisted: list[Enrolment] = field(default_factory=list)
    requested: list[Enrolment] = field(default_factory=list)
    # (teacher, message) for those not enrolled.
    skipped: list[tuple[Teacher, str]] = field(default_factory=list)


def enrolments_create(
    *, run: CourseRun, teachers, actor, allow_overlap: bool = False
) -> BulkEnrolment:
    """Enrol many teachers at once (in the given order) under one lock on the run; those
    that cannot be enrolled are reported with the reason, the others are enrolled."""
    result = BulkEnrolment()
    ids = [teacher.pk for teacher in teachers]
    loaded = Teacher.objects.select_related("organization__district").in_bulk(ids)
    with transaction.atomic():
        run = _locked_run(run)
        seats = _Seats(run)
        for teacher in (loaded[pk] for pk in ids if pk in loaded):
            try:
                with transaction.atomic():
                    is_self = _check_can_enrol(run=run, teacher=teacher, actor=actor)
                    enrolment = _enrol_locked(
                        run=run,
                        seats=seats,
                        teacher=teacher,
                        actor=actor,
                        is_self=is_self,
                        allow_overlap=allow_overlap,
                    )
            except PermissionDenied:
                result.skipped.append((teacher, _("not in your scope")))
            except ValidationError as exc:
                result.skipped.append((teacher, " ".join(exc.messages)))
            else:
                if enrolment.status == S.CONFIRMED:
                    result.confirmed.append(enrolment)
                elif enrolment.status == S.WAITLISTED:
                    result.waitlisted.append(enrolment)
                else:  # their own request, waiting for approval
                    result.requested.append(enrolment)
    return result


def enrolment_approve(*, enrolment: Enrolment, actor) -> Enrolment:
    """Approve a teacher's own request: a seat if one is free, else the waitlist."""
    if not actor.has_perm("courses.approve_enrolment", enrolment):
        raise PermissionDenied
    with transaction.atomic():
        run = _locked_run(enrolment.run)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status != S.REQUESTED:
            raise ValidationError(_("This request has already been handled."), code="handled")
        _place(enrolment, _Seats(run), actor=actor, comment=_("Request approved."))
    return enrolment


def enrolment_cancel(*, enrolment: Enrolment, actor, reason: str = "") -> list[Enrolment]:
    """Cancel (or decline a request); a freed seat goes to the next on the waitlist.
    Returns the enrolments promoted."""
    if not actor.has_perm("courses.change_enrolment", enrolment):
        raise PermissionDenied
    with transaction.atomic():
        run = _locked_run(enrolment.run)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        # Once attending, only the cancellation of the whole run ends an enrolment.
        if enrolment.status not in (S.REQUESTED, S.CONFIRMED, S.WAITLISTED):
            raise ValidationError(
                _("An enrolment that is “%(status)s” can no longer be cancelled.")
                % {"status": enrolment.get_status_display()},
                code="transition",
            )
        _transition(enrolment, S.CANCELLED, actor=actor, comment=reason)
        return _promote(run, _Seats(run), actor=actor)


# --- the catalogue ----------------------------------------------------------------------------


def _working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    from apps.core.calendar import is_working_day

    days, day = [], start
    while day <= end:
        if is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days or [start]


def run_save(*, run: CourseRun, actor, quotas: dict[int, int] | None = None) -> CourseRun:
    """Create or change a run (its session days follow its dates: the working days between
    them) and its district quotas; more seats or a bigger quota promote from the waitlist."""
    if not actor.has_perm("courses.change_course", run.course):
        raise PermissionDenied
    run.full_clean()
    if quotas and sum(quotas.values()) > run.capacity:
        raise ValidationError(
            {"capacity": _("The district quotas add up to more than the run's seats.")}
        )
    with transaction.atomic():
        is_new = run.pk is None
        if not is_new:
            # The form's copy may be older than the row: keep the row's own state.
            locked = _locked_run(run)
            if locked.cancelled_at or locked.completed_at:
                raise ValidationError(
                    _("A cancelled run, or one with recorded results, can no longer change."),
                    code="closed",
                )
            run.cancelled_at, run.completed_at = locked.cancelled_at, locked.completed_at
        run.save()
        if quotas is not None:
            DistrictQuota.objects.filter(run=run).exclude(district_id__in=quotas).delete()
            for district_id, seats in quotas.items():
                DistrictQuota.objects.update_or_create(
                    run=run, district_id=district_id, defaults={"seats": seats}
                )
        days = _working_days(run.starts_on, run.ends_on)
        marked = set(
            Attendance.objects.filter(session__run=run).values_list("session__date", flat=True)
        )
        RunSession.objects.filter(run=run).exclude(date__in=days).exclude(date__in=marked).delete()
        existing = set(RunSession.objects.filter(run=run).values_list("date", flat=True))
        RunSession.objects.bulk_create(
            [RunSession(run=run, date=day) for day in days if day not in existing]
        )
        if not is_new:
            _promote(run, _Seats(run), actor=actor)
    return run


def run_cancel(*, run: CourseRun, actor, reason: str) -> None:
    """Cancel a whole run: every live enrolment is cancelled with the reason."""
    if not actor.has_perm("courses.change_run", run):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for cancelling the run.")})
    with transaction.atomic():
        run = _locked_run(run)
        if run.cancelled_at:
            raise ValidationError(_("This run has already been cancelled."), code="cancelled")
        if run.completed_at:
            raise ValidationError(_("A run with recorded results cannot be cancelled."))
        run.cancelled_at = timezone.now()
        run.save(update_fields=["cancelled_at", "updated_at"])
        for enrolment in Enrolment.objects.select_for_update().filter(
            run=run, status__in=(S.REQUESTED, S.CONFIRMED, S.WAITLISTED, S.ATTENDED)
        ):
            _transition(enrolment, S.CANCELLED, actor=actor, comment=reason)
            _notify(enrolment, "run_cancelled")


# Fields of a provider that only a regional administrator sets: the register code starts
# every certificate number, and the BIN and the active flag are the region's to confirm.
PROVIDER_MANAGER_FIELDS = ("code", "bin", "is_active")


def provider_save(*, provider: Provider, actor, staff=None) -> Provider:
    """Create or change a PD provider and (if given) set its staff accounts. The provider's
    own staff may change it, but not its register code, BIN or active flag."""
    is_manager = actor.has_perm("courses.add_provider")
    if provider.pk is None:
        if not is_manager:
            raise PermissionDenied
    else:
        if not actor.has_perm("courses.change_provider", provider):
            raise PermissionDenied
        if not is_manager:
            stored = Provider.objects.values(*PROVIDER_MANAGER_FIELDS).get(pk=provider.pk)
            if any(stored[name] != getattr(provider, name) for name in PROVIDER_MANAGER_FIELDS):
                raise PermissionDenied
    provider.full_clean()
    with transaction.atomic():
        provider.save()
        if staff is not None:
            provider.staff.set(staff)
    return provider


def course_save(
    *,
    course: Course,
    actor,
    target_subjects=None,
    target_positions=None,
    prerequisites=None,
) -> Course:
    """Create or change a course (and, if given, its target subjects, positions and
    prerequisites), for a provider the actor manages."""
    if course.pk is None and not actor.has_perm("courses.add_course"):
        raise PermissionDenied
    if not actor.has_perm("courses.change_course", course):
        raise PermissionDenied
    if course.pk is not None:
        stored = Course.objects.only("pk", "provider_id").get(pk=course.pk)
        if stored.provider_id != course.provider_id and not actor.has_perm(
            "courses.change_course", stored
        ):
            raise PermissionDenied
    if prerequisites is not None and any(p.pk == course.pk for p in prerequisites):
        raise ValidationError({"prerequisites": _("A course cannot be its own prerequisite.")})
    course.full_clean()
    with transaction.atomic():
        course.save()
        if target_subjects is not None:
            course.target_subjects.set(target_subjects)
        if target_positions is not None:
            course.target_positions.set(target_positions)
        if prerequisites is not None:
            course.prerequisites.set(prerequisites)
    return course


# --- attendance, assessment and completion --------------------------------------------------


def _check_markable(run: CourseRun, actor) -> None:
    if not actor.has_perm("courses.mark_run", run):
        raise PermissionDenied
    if run.cancelled_at:
        raise ValidationError(_("This run has been cancelled."), code="cancelled")
    if run.completed_at:
        raise ValidationError(
            _("The results of this run have been recorded and can no longer change."),
            code="completed",
        )


def attendance_mark(*, run: CourseRun, present: set[tuple[int, int]], actor, dates=None) -> int:
    """Record attendance for the run's session days (all, or those in `dates`) that have
    begun: `present` holds the (session id, enrolment id) pairs ticked; every other seat
    holder is absent on those days. A confirmed participant marked present becomes
    "attending". Returns the number of marks written."""
    with transaction.atomic():
        run = _locked_run(run)
        _check_markable(run, actor)
        today = timezone.localdate()
        sessions = RunSession.objects.filter(run=run, date__lte=today)
        if dates is not None:
            sessions = sessions.filter(date__in=dates)
        sessions = list(sessions)
        enrolments = list(
            Enrolment.objects.select_for_update().filter(
                run=run, status__in=(S.CONFIRMED, S.ATTENDED)
            )
        )
        known = {(s.pk, e.pk) for s in sessions for e in enrolments}
        unknown = set(present) - known
        if unknown:
            raise ValidationError(_("Attendance can be marked only for this run's participants."))
        Attendance.objects.filter(session__in=sessions, enrolment__in=enrolments).delete()
        Attendance.objects.bulk_create(
            [
                Attendance(session_id=s, enrolment_id=e, present=(s, e) in present, marked_by=actor)
                for s, e in sorted(known)
            ]
        )
        attending = {e for _s, e in present}
        for enrolment in enrolments:
            if enrolment.status == S.CONFIRMED and enrolment.pk in attending:
                _transition(enrolment, S.ATTENDED, actor=actor)
    return len(known)


def assessment_record(*, enrolment: Enrolment, passed: bool | None, score, actor) -> Enrolment:
    """The final assessment of one participant: passed or not, with an optional score."""
    with transaction.atomic():
        run = _locked_run(enrolment.run)
        _check_markable(run, actor)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status not in (S.CONFIRMED, S.ATTENDED):
            raise ValidationError(_("Only participants of the run can be assessed."))
        if score is not None and not 0 <= score <= 100:
            raise ValidationError({"score": _("The score is a number from 0 to 100.")})
        enrolment.assessment_passed = passed
        enrolment.assessment_score = score
        enrolment.save(update_fields=["assessment_passed", "assessment_score", "updated_at"])
    return enrolment


@dataclass(frozen=True)
class CompletionCheck:
    attendance_percent: int
    attendance_ok: bool
    assessment_ok: bool

    @property
    def completed(self) -> bool:
        return self.attendance_ok and self.assessment_ok


def completion_check(
    *, course, sessions: int, present: int, passed: bool | None
) -> CompletionCheck:
    """The course's completion rule for one participant."""
    percent = present * 100 // sessions if sessions else 0
    return CompletionCheck(
        attendance_percent=percent,
        attendance_ok=percent >= course.min_attendance_percent,
        assessment_ok=bool(passed) or not course.assessment_required,
    )


def run_complete(*, run: CourseRun, actor) -> dict[str, int]:
    """Record the run's results once it has ended: each participant is completed (hours
    credited, certificate issued) or not completed, by the course's rules."""
    with transaction.atomic():
        run = _locked_run(run)
        _check_markable(run, actor)
        if timezone.localdate() < run.ends_on:
            raise ValidationError(
                _("Results can be recorded from the last day of the run (%(date)s).")
                % {"date": short_date(run.ends_on)}
            )
        sessions = RunSession.objects.filter(run=run).count()
        enrolments = list(
            Enrolment.objects.select_for_update().filter(
                run=run, status__in=(S.CONFIRMED, S.ATTENDED)
            )
        )
        # Counted apart: PostgreSQL refuses FOR UPDATE together with GROUP BY.
        present = dict(
            Attendance.objects.filter(enrolment__in=enrolments, present=True)
            .values_list("enrolment_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        completed = []
        for enrolment in enrolments:
            check = completion_check(
                course=run.course,
                sessions=sessions,
                present=present.get(enrolment.pk, 0),
                passed=enrolment.assessment_passed,
            )
            if check.completed:
                _transition(
                    enrolment,
                    S.COMPLETED,
                    actor=actor,
                    attendance_percent=check.attendance_percent,
                    hours_credited=run.course.hours,
                    completed_on=run.ends_on,
                )
                completed.append(enrolment.pk)
            else:
                reasons = []
                if not check.attendance_ok:
                    reasons.append(
                        _("attendance %(percent)s%% is below %(minimum)s%%")
                        % {
                            "percent": check.attendance_percent,
                            "minimum": run.course.min_attendance_percent,
                        }
                    )
                if not check.assessment_ok:
                    reasons.append(_("the final assessment is not passed"))
                _transition(
                    enrolment,
                    S.NOT_COMPLETED,
                    actor=actor,
                    comment="; ".join(reasons),
                    attendance_percent=check.attendance_percent,
                )
        run.completed_at = timezone.now()
        run.save(update_fields=["completed_at", "updated_at"])
        for enrolment in Enrolment.objects.select_for_update().filter(
            run=run, status__in=(S.REQUESTED, S.WAITLISTED)
        ):
            _transition(enrolment, S.CANCELLED, actor=actor, comment=_("The run has ended."))
        hooks.enrolments_completed(enrolment_ids=completed, actor=actor)
    return {"completed": len(completed), "not_completed": len(enrolments) - len(completed)}


# --- external PD certificates ------------------------------------------------------------------


def external_training_create(*, teacher: Teacher, actor, file, **values) -> ExternalTraining:
    """A teacher's upload of PD taken elsewhere, with a scan (PDF, JPEG or PNG by content)."""
    from apps.core.files import sniff_file_type

    if teacher.user_id != actor.pk or not actor.has_perm("courses.add_external_training"):
        raise PermissionDenied
    kind = sniff_file_type(file, allowed=("pdf", "jpeg", "png"))
    item = ExternalTraining(teacher=teacher, uploaded_by=actor, file=file, file_type=kind, **values)
    item.full_clean()
    if item.ends_on > timezone.localdate():
        raise ValidationError({"ends_on": _("The course cannot end in the future.")})
    item.save()
    return item


def external_training_review(
    *, item: ExternalTraining, actor, confirm: bool, comment: str = ""
) -> ExternalTraining:
    """A methodologist confirms (the hours then count) or rejects (with a reason) an upload."""
    if not actor.has_perm("courses.review_external_training", item):
        raise PermissionDenied
    if not confirm and not comment.strip():
        raise ValidationError({"comment": _("Say why the certificate is rejected.")})
    with transaction.atomic():
        item = ExternalTraining.objects.select_for_update().get(pk=item.pk)
        if item.status != ExternalTraining.Status.PENDING:
            raise ValidationError(_("This certificate has already been reviewed."))
        item.status = (
            ExternalTraining.Status.CONFIRMED if confirm else ExternalTraining.Status.REJECTED
        )
        item.reviewed_by = actor
        item.reviewed_at = timezone.now()
        item.review_comment = comment.strip()[:500]
        item.save()
    return item
