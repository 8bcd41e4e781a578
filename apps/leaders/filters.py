"""The candidate list's filters (django-filter), limited to what the user may see."""

import django_filters
from django.utils.translation import gettext_lazy as _

from apps.core.text import normalize_search
from apps.teachers.selectors import visible_districts

from .models import Candidate, Stage


class CandidateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or IIN"), method="filter_search", max_length=100)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Candidate.Status.choices, empty_label=_("Any status")
    )
    district = django_filters.ModelChoiceFilter(
        label=_("District or city"),
        field_name="organization__district",
        queryset=None,
        empty_label=_("All districts"),
    )
    stage = django_filters.ModelChoiceFilter(
        label=_("Stage reached"),
        queryset=None,
        method="filter_stage",
        empty_label=_("Any stage"),
    )

    class Meta:
        model = Candidate
        fields = []

    def __init__(self, data=None, *args, user, intake, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["district"].queryset = visible_districts(user).order_by("kato")
        self.filters["stage"].queryset = intake.stages.order_by("order")

    def filter_search(self, queryset, name, value):
        value = normalize_search(value)
        compact = value.replace(" ", "")
        if compact.isdigit():
            return queryset.filter(teacher__iin__startswith=compact)
        for word in value.split(" ")[:4]:
            queryset = queryset.filter(teacher__search_text__contains=word)
        return queryset

    def filter_stage(self, queryset, name, stage: Stage | None):
        """Who reached the stage: everyone for the first one, else those who passed the
        stage before it."""
        if stage is None:
            return queryset
        previous = stage.intake.stages.filter(order__lt=stage.order).order_by("-order").first()
        if previous is None:
            return queryset
        return queryset.filter(results__stage=previous, results__passed=True)
