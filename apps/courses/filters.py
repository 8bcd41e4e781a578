"""The catalogue's filters (django-filter) over course runs, each a condition in the database."""

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.widgets import FastSelect
from apps.organizations.models import InstructionLanguage
from apps.teachers.forms import DateInput
from apps.teachers.models import Position, Subject, Teacher

from .models import Course, CourseRun, Provider
from .selectors import runs_with_counts

SUBJECTS = Course.target_subjects.through
POSITIONS = Course.target_positions.through


def courses_for_user(user):
    """Courses meant for the user's teacher record: each target list (subjects, positions)
    is empty or names one of theirs."""
    teacher = Teacher.objects.filter(user_id=user.pk)
    subject_ids = Teacher.subjects.through.objects.filter(teacher__in=teacher).values("subject_id")
    own_subjects = SUBJECTS.objects.filter(course_id=OuterRef("pk"))
    own_positions = POSITIONS.objects.filter(course_id=OuterRef("pk"))
    return Course.objects.filter(
        ~Exists(own_subjects) | Exists(own_subjects.filter(subject_id__in=subject_ids)),
        ~Exists(own_positions)
        | Exists(own_positions.filter(position_id__in=teacher.values("position_id"))),
    )


class RunFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Course or provider"), method="filter_search", max_length=100
    )
    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[
            ("open", pgettext_lazy("run state", "open for enrolment")),
            ("upcoming", pgettext_lazy("run state", "upcoming")),
            ("in_progress", pgettext_lazy("run state", "in progress")),
            ("finished", pgettext_lazy("run state", "finished")),
            ("cancelled", pgettext_lazy("run state", "cancelled")),
        ],
        empty_label=_("Any state"),
        method="filter_state",
    )
    provider = django_filters.ModelChoiceFilter(
        label=_("Provider"),
        field_name="course__provider",
        queryset=Provider.objects.filter(is_active=True),
        empty_label=_("All providers"),
    )
    format = django_filters.ChoiceFilter(
        label=_("Format"),
        field_name="course__format",
        choices=Course.Format.choices,
        empty_label=_("Any format"),
    )
    language = django_filters.ModelChoiceFilter(
        label=_("Language of instruction"),
        field_name="course__language",
        queryset=InstructionLanguage.objects.all(),
        empty_label=_("Any language"),
    )
    subject = django_filters.ModelChoiceFilter(
        label=_("For teachers of"),
        queryset=Subject.objects.all(),
        empty_label=_("Any subject"),
        method="filter_subject",
    )
    position = django_filters.ModelChoiceFilter(
        label=_("For position"),
        queryset=Position.objects.all(),
        empty_label=_("Any position"),
        method="filter_position",
    )
    starts_from = django_filters.DateFilter(
        label=_("Starts from"),
        field_name="starts_on",
        lookup_expr="gte",
        widget=DateInput(),
    )
    starts_to = django_filters.DateFilter(
        label=_("Starts by"),
        field_name="starts_on",
        lookup_expr="lte",
        widget=DateInput(),
    )
    for_me = django_filters.BooleanFilter(
        label=_("Only courses for my subjects and position"),
        method="filter_for_me",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = CourseRun
        fields = []

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data is not None else None
        # With nothing chosen, the catalogue shows what can still be joined.
        if data is not None and "state" not in data:
            data["state"] = "upcoming"
        super().__init__(data, *args, **kwargs)
        self.user = user
        if not user.has_perm("courses.enrol_self"):
            del self.filters["for_me"]
        for field in self.form.fields.values():
            if type(field.widget) is forms.Select:
                field.widget = FastSelect(attrs=field.widget.attrs, choices=field.choices)

    def filter_search(self, queryset, name, value):
        for word in value.split()[:4]:
            queryset = queryset.filter(
                Q(course__title_kk__icontains=word)
                | Q(course__title_ru__icontains=word)
                | Q(course__title_en__icontains=word)
                | Q(course__provider__name_kk__icontains=word)
                | Q(course__provider__name_ru__icontains=word)
                | Q(course__provider__code__iexact=word)
            )
        return queryset

    def filter_state(self, queryset, name, value):
        today = timezone.localdate()
        live = Q(cancelled_at__isnull=True, completed_at__isnull=True)
        if value == "open":
            # Seats left and the deadline not passed: counted in the same query.
            return runs_with_counts(
                queryset.filter(live, enrolment_deadline__gte=today, starts_on__gt=today)
            ).filter(confirmed__lt=F("capacity"))
        if value == "upcoming":
            return queryset.filter(live, starts_on__gt=today)
        if value == "in_progress":
            return queryset.filter(live, starts_on__lte=today, ends_on__gte=today)
        if value == "finished":
            return queryset.filter(
                Q(cancelled_at__isnull=True)
                & (Q(completed_at__isnull=False) | Q(ends_on__lt=today))
            )
        return queryset.filter(cancelled_at__isnull=False)

    def filter_subject(self, queryset, name, value):
        return queryset.filter(course__in=SUBJECTS.objects.filter(subject=value).values("course"))

    def filter_position(self, queryset, name, value):
        return queryset.filter(course__in=POSITIONS.objects.filter(position=value).values("course"))

    def filter_for_me(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(course__in=courses_for_user(self.user))

    @property
    def qs(self):
        queryset = super().qs
        data = self.form.cleaned_data if self.form.is_valid() else {}
        if data.get("state") in ("finished", "cancelled"):
            return queryset.order_by("-starts_on", "-pk")
        return queryset.order_by("starts_on", "pk")
