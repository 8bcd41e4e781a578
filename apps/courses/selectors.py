"""Reads of the courses app: the catalogue, rosters, a teacher's PD record and hours."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.accounts.scopes import read_scope
from apps.teachers.models import Teacher

from .models import CourseRun, Enrolment, ExternalTraining
from .services import SEAT_HOLDING

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
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - PD_PERIOD_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - PD_PERIOD_YEARS, day=28)


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
