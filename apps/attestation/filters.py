"""The staff queue's filters (django-filter), limited to what the user may see."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.scopes import read_scope
from apps.core.text import normalize_search
from apps.core.widgets import FastSelect
from apps.teachers.models import QualificationCategory
from apps.teachers.selectors import visible_districts, visible_organizations

from .models import Application
from .selectors import QUEUE_ORDERING, overdue_q, visible_cycles

# Filters that pick the stage: the counts per stage are taken before them.
STAGE_FILTERS = ("status", "overdue")


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Teacher's name or IIN"), method="filter_search", max_length=100
    )
    cycle = django_filters.ModelChoiceFilter(
        label=_("Cycle"), queryset=None, empty_label=_("All cycles")
    )
    status = django_filters.ChoiceFilter(
        label=_("Stage"), choices=Application.Status.choices, empty_label=_("Any stage")
    )
    claimed_category = django_filters.ModelChoiceFilter(
        label=_("Claimed category"),
        queryset=QualificationCategory.objects.all(),
        empty_label=_("Any category"),
    )
    district = django_filters.ModelChoiceFilter(
        label=_("District or city"),
        field_name="organization__district",
        queryset=None,
        empty_label=_("All districts"),
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=None, empty_label=_("All organisations")
    )
    overdue = django_filters.BooleanFilter(
        label=_("Only answers past their due date"),
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Application
        fields = []

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data is not None else None
        cycles = visible_cycles(user)
        # With nothing chosen, the queue shows what waits for an answer in the latest cycle.
        if data is not None and "status" not in data:
            data["status"] = Application.Status.SUBMITTED
        if data is not None and "cycle" not in data:
            latest = cycles.order_by("-application_opens").values_list("pk", flat=True).first()
            data["cycle"] = latest or ""
        super().__init__(data, *args, **kwargs)
        self.filters["cycle"].queryset = cycles
        self.filters["district"].queryset = visible_districts(user)
        organizations = visible_organizations(user).order_by("name_ru")
        district_id = self.data.get("district") if self.data else None
        if district_id and str(district_id).isdigit():
            organizations = organizations.filter(district_id=district_id)
        self.filters["organization"].queryset = organizations
        # A region-wide user would get a thousand organisations: those wait for a district.
        scope = read_scope(user)
        self.organization_needs_district = not district_id and (
            scope.everything or bool(scope.region_ids)
        )
        for field in self.form.fields.values():
            if type(field.widget) is forms.Select:
                field.widget = FastSelect(attrs=field.widget.attrs, choices=field.choices)
        if self.organization_needs_district:
            self.form.fields["organization"].widget = forms.HiddenInput()

    def filter_search(self, queryset, name, value):
        value = normalize_search(value)
        compact = value.replace(" ", "")
        if compact.isdigit():
            if len(compact) < 12:
                return queryset.filter(teacher__iin__startswith=compact)
            return queryset.filter(teacher__iin=compact)
        for word in value.split(" ")[:4]:
            queryset = queryset.filter(teacher__search_text__contains=word)
        return queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q(timezone.localdate())) if value else queryset

    def filter_queryset(self, queryset):
        """Filter in two steps, keeping the rows before the stage is picked for the counts."""
        data = self.form.cleaned_data
        for name, value in data.items():
            if name not in STAGE_FILTERS:
                queryset = self.filters[name].filter(queryset, value)
        self.before_stage = queryset
        for name in STAGE_FILTERS:
            queryset = self.filters[name].filter(queryset, data.get(name))
        return queryset.order_by(*QUEUE_ORDERING)
