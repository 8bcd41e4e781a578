"""The teacher list's filters (django-filter), limited to what the user may see."""

from dataclasses import dataclass
from decimal import Decimal

import django_filters
from dateutil.relativedelta import relativedelta
from django import forms
from django.core.cache import cache
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.accounts.scopes import read_scope
from apps.core.dates import add_years
from apps.core.text import normalize_search
from apps.core.widgets import FastSelect
from apps.organizations.models import InstructionLanguage, Organization, Region

from .models import Position, QualificationCategory, Subject, Teacher
from .selectors import TEACHER_ORDERINGS, visible_districts, visible_organizations

# Filters over small reference lists that change about never: their options are cached
# (a minute, per language) instead of queried and built on every page.
REFERENCE_FILTERS = ("category", "subject", "position", "teaching_language")


# Bands of whole years (from, to), `to` excluded, None open ("unknown": no date recorded):
# the staff-composition report counts teachers by these, and links each count to the list
# filtered by the same band.
AGE_BANDS = {
    "under-30": (_("under 30"), None, 30),
    "30-39": (_("30–39"), 30, 40),
    "40-49": (_("40–49"), 40, 50),
    "50-59": (_("50–59"), 50, 60),
    "60-plus": (_("60 and over"), 60, None),
}
EXPERIENCE_BANDS = {
    "under-3": (_("under 3 years"), None, 3),
    "3-9": (_("3–9 years"), 3, 10),
    "10-19": (_("10–19 years"), 10, 20),
    "20-plus": (_("20 years and more"), 20, None),
    "unknown": (_("not recorded"), None, None),
}
# Category expiry windows of the list (and of the expiry report): 0 is "already expired".
EXPIRING_MONTHS = {
    "0": _("already expired"),
    "3": _("within 3 months"),
    "6": _("within 6 months"),
    "12": _("within 12 months"),
    "24": _("within 24 months"),
}


def _whole_years_q(field: str, band: tuple, today) -> Q:
    """`field` (a date) at least `from` and less than `to` whole years before today, the way
    a birthday counts: the day itself completes the year."""
    _label, low, high = band
    q = Q()
    if low is not None:
        q &= Q(**{f"{field}__lte": add_years(today, -low)})
    if high is not None:
        q &= Q(**{f"{field}__gt": add_years(today, -high)})
    return q


def age_band_q(band: str, today) -> Q:
    return _whole_years_q("birth_date", AGE_BANDS[band], today)


def experience_band_q(band: str, today) -> Q:
    """A start date in the future counts as under 3 years (as Teacher.experience_years)."""
    if band == "unknown":
        return Q(experience_start__isnull=True)
    return _whole_years_q("experience_start", EXPERIENCE_BANDS[band], today)


def expiring_q(months: int, today) -> Q:
    """Expired (months 0), or expiring from today to `months` months ahead, both included."""
    if months == 0:
        return Q(category_valid_until__lt=today)
    return Q(
        category_valid_until__gte=today,
        category_valid_until__lte=today + relativedelta(months=months),
    )


@dataclass(frozen=True)
class ActiveFilter:
    """A filter in force that the form does not show: its name and value as given, the
    filter's and the value's labels, the errors of a value refused, the list's query
    string without it, and whether the form needs a hidden input to keep it."""

    name: str
    value: str
    label: str
    value_label: str
    errors: list[str]
    query_without: str
    hidden_input: bool = True


def _reference_choices(name: str, field) -> list[tuple[str, str]]:
    key = f"teacher-filter-choices:{name}:{get_language()}"
    choices = cache.get(key)
    if choices is None:
        choices = [(str(value), str(label)) for value, label in field.choices]
        cache.set(key, choices, 60)
    return choices


class TeacherFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or IIN"), method="filter_search", max_length=100)
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        field_name="organization__district__region",
        queryset=Region.objects.all(),
        empty_label=_("All regions"),
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
    organization_kind = django_filters.ChoiceFilter(
        label=_("Type of organisation"),
        field_name="organization__kind",
        choices=Organization.Kind.choices,
        empty_label=_("Any type"),
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=QualificationCategory.objects.all(),
        empty_label=_("Any category"),
        null_label=_("No category"),
    )
    subject = django_filters.ModelChoiceFilter(
        label=_("Subject"),
        field_name="subjects",
        queryset=Subject.objects.all(),
        empty_label=_("Any subject"),
    )
    position = django_filters.ModelChoiceFilter(
        label=_("Position"), queryset=Position.objects.all(), empty_label=_("Any position")
    )
    teaching_language = django_filters.ModelChoiceFilter(
        label=_("Language of instruction"),
        queryset=InstructionLanguage.objects.all(),
        empty_label=_("Any language"),
        null_label=_("Not recorded"),
    )
    expiring_months = django_filters.ChoiceFilter(
        label=_("Category expires"),
        choices=list(EXPIRING_MONTHS.items()),
        empty_label=_("Any time"),
        method="filter_expiring",
    )
    sex = django_filters.ChoiceFilter(
        label=_("Sex"), choices=Teacher.Sex.choices, empty_label=_("Any sex")
    )
    age_band = django_filters.ChoiceFilter(
        label=_("Age"),
        choices=[(key, label) for key, (label, _low, _high) in AGE_BANDS.items()],
        empty_label=_("Any age"),
        method="filter_age_band",
    )
    experience_band = django_filters.ChoiceFilter(
        label=_("Pedagogical experience"),
        choices=[(key, label) for key, (label, _low, _high) in EXPERIENCE_BANDS.items()],
        empty_label=_("Any experience"),
        method="filter_experience_band",
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[
            ("name", _("name, A to Z")),
            ("-name", _("name, Z to A")),
            ("iin", _("IIN")),
            ("valid_until", _("category expiry, soonest first")),
            ("-valid_until", _("category expiry, latest first")),
            ("-updated", _("recently changed")),
        ],
        empty_label=None,
        method="filter_sort",
    )

    # The filters the list's form shows, in its order (the template lays out these, no
    # other). Any other one given, as the reports' links do, is shown above the results as
    # a chip that removes it, and kept in the form as a hidden input so that changing a
    # visible filter keeps it.
    visible_filters = (
        "q",
        "district",
        "organization",
        "category",
        "expiring_months",
        "subject",
        "position",
        "teaching_language",
        "sort",
    )

    class Meta:
        model = Teacher
        fields = []

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None and not data.get("sort"):
            data["sort"] = "name"
        super().__init__(data, *args, **kwargs)
        self.filters["district"].queryset = visible_districts(user)
        organizations = visible_organizations(user).order_by("name_ru")
        district_id = self.data.get("district") if self.data else None
        if district_id and str(district_id).isdigit():
            organizations = organizations.filter(district_id=district_id)
            self._give_way_to_the_district(organizations)
        self.filters["organization"].queryset = organizations
        # With no district chosen, a region-wide user would get ~1,150 options: the
        # organisation box then waits for a district (a chosen value is still honoured).
        scope = read_scope(user)
        self.organization_needs_district = not district_id and (
            scope.everything or bool(scope.region_ids)
        )
        for name, field in self.form.fields.items():
            if type(field.widget) is forms.Select:
                choices = (
                    _reference_choices(name, field) if name in REFERENCE_FILTERS else field.choices
                )
                field.widget = FastSelect(attrs=field.widget.attrs, choices=choices)
        if self.organization_needs_district:
            self.form.fields["organization"].widget = forms.HiddenInput()

    def _give_way_to_the_district(self, organizations) -> None:
        """A district chosen drops the region (a report's, kept as a hidden chip) and an
        organisation of another district: kept, they would quietly empty the list when the
        user picks a district of another region, or one without that organisation."""
        self.data.pop("region", None)
        organization = self.data.get("organization")
        if (
            organization
            and str(organization).isdigit()
            and not organizations.filter(pk=organization).exists()
        ):
            self.data.pop("organization")

    def visible_fields(self) -> list:
        """The form's fields that the list shows, in order."""
        return [self.form[name] for name in self.visible_filters]

    def active_extra_filters(self) -> list[ActiveFilter]:
        """The filters given that the form does not show (the organisation too, while its
        box waits for a district), in the filters' order: the values' labels come from the
        validated values (a row already fetched) or the field's choices, so that no query
        is added; a value refused is shown as given, with its errors."""
        if not self.is_bound:
            return []
        self.form.is_valid()  # fills cleaned_data (once: the form keeps its errors)
        cleaned = self.form.cleaned_data
        hidden = {"organization"} if self.organization_needs_district else set()
        active = []
        for name, field in self.form.fields.items():
            value = self.data.get(name)
            if (name in self.visible_filters and name not in hidden) or value in (None, ""):
                continue
            errors = self.form.errors.get(name, [])
            query = self.data.copy()
            query.pop(name)
            query.pop("page", None)
            active.append(
                ActiveFilter(
                    name=name,
                    value=value,
                    label=str(field.label),
                    value_label=value if errors else _value_label(field, value, cleaned.get(name)),
                    errors=list(errors),
                    query_without=query.urlencode(),
                    hidden_input=name not in self.visible_filters,
                )
            )
        return active

    def filter_search(self, queryset, name, value):
        value = normalize_search(value)
        if not value:
            return queryset
        compact = value.replace(" ", "")
        if compact.isdigit():
            return (
                queryset.filter(iin__startswith=compact)
                if len(compact) < 12
                else (queryset.filter(iin=compact))
            )
        for word in value.split(" ")[:4]:
            queryset = queryset.filter(search_text__contains=word)
        return queryset

    def filter_expiring(self, queryset, name, value):
        # One of the choices, already validated.
        return queryset.filter(expiring_q(int(value), timezone.localdate()))

    def filter_age_band(self, queryset, name, value):
        return queryset.filter(age_band_q(value, timezone.localdate()))

    def filter_experience_band(self, queryset, name, value):
        return queryset.filter(experience_band_q(value, timezone.localdate()))

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*TEACHER_ORDERINGS.get(value, TEACHER_ORDERINGS["name"]))

    @property
    def qs(self):
        queryset = super().qs
        if not queryset.query.order_by:
            queryset = queryset.order_by(*TEACHER_ORDERINGS["name"])
        data = self.form.cleaned_data if self.form.is_valid() else {}
        if data.get("q") and data.get("sort", "name") in ("name", "-name"):
            # Matches of a name search cluster in the alphabet, so walking the name index
            # and filtering can read most of the table; ordering by the (unindexed) search
            # text makes PostgreSQL take the trigram matches first and sort those few.
            desc = data.get("sort") == "-name"
            queryset = queryset.order_by(
                "-search_text" if desc else "search_text", "-id" if desc else "id"
            )
        return queryset


def _value_label(field, value: str, cleaned) -> str:
    """How a valid value of a filter reads: a row's name, a choice's label, or the value."""
    if isinstance(cleaned, models.Model):
        return str(cleaned)
    if getattr(field, "null_label", None) is not None and value == field.null_value:
        return str(field.null_label)
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return str(dict(field.choices).get(value, value))
    if isinstance(cleaned, Decimal) and cleaned == cleaned.to_integral_value():
        return str(int(cleaned))
    return value


def register_filter(name: str, list_filter: django_filters.Filter) -> None:
    """Add a filter that an app above the registry defines over its own records (the
    reports app's "trained in the last 3 years", read from the courses app), so that a
    figure of that app can link to the list behind it without the registry importing it.
    Call it from the app's `ready()`; the filter may read the other filters' values from
    `self.parent.form.cleaned_data`."""
    TeacherFilter.base_filters[name] = list_filter
