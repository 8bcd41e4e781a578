"""The conditions behind the reports' figures that read the records of the apps above the
registry (PD taken, attestation applications and decisions, the leaders programme), and
the teacher-list filters made of them: a figure and the list it links to count with the
same condition, so they always agree."""

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django_filters.constants import EMPTY_VALUES

from apps.attestation.models import Application, AttestationCycle, Decision
from apps.courses.models import Enrolment, ExternalTraining
from apps.courses.selectors import PD_PERIOD_YEARS, pd_period_start
from apps.leaders.models import Candidate, Intake
from apps.leaders.selectors import ADMITTED_OR_LATER, COMPLETED_OR_LATER, IN_RESERVE
from apps.teachers.filters import register_filter
from apps.teachers.models import QualificationCategory

# The leaders funnel: each stage counts the candidates who reached it (None: everyone).
LEADERS_STAGES = {
    "applied": (pgettext_lazy("leaders funnel", "applied"), None),
    "admitted": (pgettext_lazy("leaders funnel", "admitted to the training"), ADMITTED_OR_LATER),
    "completed": (pgettext_lazy("leaders funnel", "completed the training"), COMPLETED_OR_LATER),
    "reserve": (pgettext_lazy("leaders funnel", "entered the reserve"), IN_RESERVE),
    "appointed": (pgettext_lazy("leaders funnel", "appointed"), (Candidate.Status.APPOINTED,)),
}
ATTESTATION_RESULTS = {
    "decided": _("decided (the decision in force)"),
    "met": _("met the claimed category"),
}


def _pd_taken(since: dt.date, of: Q) -> tuple[QuerySet, QuerySet]:
    """The completed runs of the catalogue (completed on the run's last day) and the
    confirmed external certificates ending on or after `since`, of the teachers `of`
    selects (a condition on the rows' `teacher`)."""
    courses = Enrolment.objects.filter(
        of, status=Enrolment.Status.COMPLETED, completed_on__gte=since
    )
    external = ExternalTraining.objects.filter(
        of, status=ExternalTraining.Status.CONFIRMED, ends_on__gte=since
    )
    return courses, external


def pd_takers(since: dt.date, of: Q | None = None) -> QuerySet:
    """Ids of the teachers (of those `of` selects) who took PD ending on or after `since`
    (trained_q), each once: a UNION the database counts from the enrolments' side."""
    courses, external = _pd_taken(since, of or Q())
    return courses.order_by().values("teacher_id").union(external.order_by().values("teacher_id"))


def _of_teacher(rows: QuerySet) -> Exists:
    """Whether the outer query's teacher has one of `rows`.

    EXISTS, not IN: PostgreSQL looks an IN list up in a hash table only while the table
    fits in work_mem and otherwise scans the list for every teacher (at a nation's size,
    minutes); an EXISTS falls back to an index look-up per teacher instead."""
    return Exists(rows.filter(teacher=OuterRef("pk")))


def trained_q(since: dt.date) -> Q:
    """Took PD ending on or after `since`: a completed run of the catalogue or an external
    certificate a methodologist confirmed."""
    courses, external = _pd_taken(since, Q())
    return Q(_of_teacher(courses)) | Q(_of_teacher(external))


def course_completers(start: dt.date, end: dt.date, of: Q | None = None) -> QuerySet:
    """Enrolments completing a run of the catalogue that ended between the two days (both
    included), of the teachers `of` selects (course_completed_q)."""
    return Enrolment.objects.filter(
        of or Q(), status=Enrolment.Status.COMPLETED, completed_on__range=(start, end)
    )


def course_completed_q(start: dt.date, end: dt.date) -> Q:
    """Completed a run of the catalogue that ended between the two days (both included)."""
    return Q(_of_teacher(course_completers(start, end)))


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def applied_q(*, cycle=None, status=None, claimed=None) -> Q:
    """Has an application (of the cycle, at the status, claiming the category, as given)."""
    conditions = {"cycle": cycle, "status": status, "claimed_category": claimed}
    applications = Application.objects.filter(
        **{name: value for name, value in conditions.items() if value is not None}
    )
    return Q(pk__in=applications.values("teacher_id"))


def decided_q(*, cycle=None, claimed=None, met: bool = False) -> Q:
    """Has a decision in force on an application (of the cycle, claiming the category), one
    that the claimed category is met if `met`."""
    decisions = Decision.objects.filter(revised_at__isnull=True)
    if cycle is not None:
        decisions = decisions.filter(application__cycle=cycle)
    if claimed is not None:
        decisions = decisions.filter(application__claimed_category=claimed)
    if met:
        decisions = decisions.filter(outcome=Decision.Outcome.MEETS)
    return Q(pk__in=decisions.values("application__teacher_id"))


def candidate_q(*, intake=None, statuses=None) -> Q:
    """Is a candidate of the leaders programme (of the intake, at one of the statuses)."""
    candidates = Candidate.objects.all()
    if intake is not None:
        candidates = candidates.filter(intake=intake)
    if statuses is not None:
        candidates = candidates.filter(status__in=statuses)
    return Q(pk__in=candidates.values("teacher_id"))


# --- the list filters -------------------------------------------------------------------------


class _Linked:
    """A list filter whose condition may read the other filters' values (a status within
    the chosen cycle): `apply(queryset, value, cleaned_data)`."""

    def __init__(self, *args, apply, **kwargs):
        super().__init__(*args, **kwargs)
        self.apply = apply

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return self.apply(qs, value, self.parent.form.cleaned_data)


class LinkedChoiceFilter(_Linked, django_filters.ChoiceFilter):
    pass


class LinkedModelChoiceFilter(_Linked, django_filters.ModelChoiceFilter):
    pass


class LinkedNumberFilter(_Linked, django_filters.NumberFilter):
    pass


def pd_within_label() -> str:
    """“PD within the last 3 years”, in the active language."""
    return ngettext(
        "PD within the last %(years)d year",
        "PD within the last %(years)d years",
        PD_PERIOD_YEARS,
    ) % {"years": PD_PERIOD_YEARS}


def _trained(queryset, value, data):
    condition = trained_q(pd_period_start())
    return queryset.filter(condition) if value == "yes" else queryset.exclude(condition)


def _completed_year(queryset, value, data):
    return queryset.filter(course_completed_q(*year_bounds(int(value))))


def _cycle(queryset, value, data):
    return queryset.filter(applied_q(cycle=value))


def _application_status(queryset, value, data):
    return queryset.filter(applied_q(cycle=data.get("attestation_cycle"), status=value))


def _claimed(queryset, value, data):
    return queryset.filter(applied_q(cycle=data.get("attestation_cycle"), claimed=value))


def _result(queryset, value, data):
    return queryset.filter(
        decided_q(
            cycle=data.get("attestation_cycle"),
            claimed=data.get("attestation_claimed"),
            met=value == "met",
        )
    )


def _intake(queryset, value, data):
    return queryset.filter(candidate_q(intake=value))


def _leaders_stage(queryset, value, data):
    statuses = LEADERS_STAGES[value][1]
    return queryset.filter(candidate_q(intake=data.get("leaders_intake"), statuses=statuses))


def _leaders_status(queryset, value, data):
    return queryset.filter(candidate_q(intake=data.get("leaders_intake"), statuses=(value,)))


def register() -> None:
    """Give the teacher list the filters the report figures link with."""
    filters = {
        "trained": LinkedChoiceFilter(
            label=lazy(pd_within_label, str)(),
            choices=[
                ("yes", pgettext_lazy("PD", "taken")),
                ("no", pgettext_lazy("PD", "not taken")),
            ],
            empty_label=pgettext_lazy("PD", "Any"),
            apply=_trained,
        ),
        "course_completed_year": LinkedNumberFilter(
            label=_("Completed a course in (year)"),
            min_value=2000,
            max_value=2100,
            decimal_places=0,
            apply=_completed_year,
        ),
        "attestation_cycle": LinkedModelChoiceFilter(
            label=_("Applied for attestation in"),
            queryset=AttestationCycle.objects.all(),
            empty_label=_("Any cycle"),
            apply=_cycle,
        ),
        "attestation_status": LinkedChoiceFilter(
            label=_("Attestation application"),
            choices=Application.Status.choices,
            empty_label=_("Any status"),
            apply=_application_status,
        ),
        "attestation_claimed": LinkedModelChoiceFilter(
            label=_("Claimed category"),
            queryset=QualificationCategory.objects.all(),
            empty_label=_("Any category"),
            apply=_claimed,
        ),
        "attestation_result": LinkedChoiceFilter(
            label=_("Attestation decision"),
            choices=list(ATTESTATION_RESULTS.items()),
            empty_label=_("Any decision"),
            apply=_result,
        ),
        "leaders_intake": LinkedModelChoiceFilter(
            label=_("Leaders programme intake"),
            queryset=Intake.objects.select_related("programme"),
            empty_label=_("Any intake"),
            apply=_intake,
        ),
        "leaders_stage": LinkedChoiceFilter(
            label=_("Leaders programme: reached"),
            choices=[(key, label) for key, (label, _statuses) in LEADERS_STAGES.items()],
            empty_label=_("Any stage"),
            apply=_leaders_stage,
        ),
        "leaders_status": LinkedChoiceFilter(
            label=_("Leaders programme: status"),
            choices=Candidate.Status.choices,
            empty_label=_("Any status"),
            apply=_leaders_status,
        ),
    }
    for name, list_filter in filters.items():
        register_filter(name, list_filter)
