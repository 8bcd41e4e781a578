"""The report's filters as a form: what the dashboard, its exports and the monthly summary
read from a query string, offering only what the user may see."""

import datetime as dt

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.scopes import read_scope
from apps.core.widgets import FastSelect
from apps.organizations.models import InstructionLanguage, Organization, Region
from apps.teachers.models import Position
from apps.teachers.selectors import visible_districts, visible_organizations

from .selectors import ReportFilters, report_regions

# The fields that make up a report's filters, in the order of the query string.
FILTER_FIELDS = (
    "region",
    "district",
    "organization",
    "period_start",
    "period_end",
    "organization_kind",
    "teaching_language",
    "position",
)
# A date box (<input type="date">) takes and gives ISO dates whatever the page's language.
ISO_DATE = "%Y-%m-%d"
# A report's period spans at most this many days (a few years of history, not decades).
MAX_PERIOD_DAYS = 366 * 5


class ReportFiltersForm(forms.Form):
    """Bound to a query string (GET or a stored export's); `filters()` gives the
    ReportFilters once valid. Unknown or foreign ids are errors, never silently ignored."""

    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("All regions"),
    )
    district = forms.ModelChoiceField(
        label=_("District or city"),
        queryset=None,
        required=False,
        empty_label=_("All districts"),
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        required=False,
        empty_label=_("All organisations"),
    )
    period_start = forms.DateField(
        label=_("Period from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )
    period_end = forms.DateField(
        label=_("Period to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )
    organization_kind = forms.ChoiceField(
        label=_("Type of organisation"),
        choices=[("", _("Any type")), *Organization.Kind.choices],
        required=False,
    )
    teaching_language = forms.ModelChoiceField(
        label=_("Language of instruction"),
        queryset=InstructionLanguage.objects.all(),
        required=False,
        empty_label=_("Any language"),
    )
    position = forms.ModelChoiceField(
        label=_("Position"),
        queryset=Position.objects.all(),
        required=False,
        empty_label=_("Any position"),
    )

    def __init__(self, data=None, *, user, **kwargs):
        if data is not None and not data.get("period_start") and not data.get("period_end"):
            # The default period (this calendar year) shows in the date boxes.
            year = timezone.localdate().year
            data = data.copy()
            data["period_start"] = dt.date(year, 1, 1).isoformat()
            data["period_end"] = dt.date(year, 12, 31).isoformat()
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["region"].queryset = report_regions(user, ReportFilters())
        self.fields["district"].queryset = visible_districts(user).select_related("region")
        organizations = visible_organizations(user).order_by("name_ru")
        district_id = self.data.get("district") if self.data else None
        if district_id and str(district_id).isdigit():
            organizations = organizations.filter(district_id=district_id)
        self.fields["organization"].queryset = organizations
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                attrs = {**field.widget.attrs, "class": "form-select"}
                field.widget = FastSelect(attrs=attrs, choices=field.choices)
        # As on the teacher list: with no district chosen, a region-wide user would get
        # ~1,150 options, so the organisation box waits for a district (a chosen value,
        # from a drill-down link, is still honoured).
        scope = read_scope(user)
        self.organization_needs_district = not district_id and (
            scope.everything or bool(scope.region_ids)
        )
        if self.organization_needs_district:
            self.fields["organization"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        start = cleaned.get("period_start") or dt.date(today.year, 1, 1)
        end = cleaned.get("period_end") or dt.date(start.year, 12, 31)
        if end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        elif (end - start).days > MAX_PERIOD_DAYS:
            self.add_error("period_end", _("A report covers at most five years."))
        cleaned["period_start"], cleaned["period_end"] = start, end
        district, organization = cleaned.get("district"), cleaned.get("organization")
        if organization and district and organization.district_id != district.pk:
            self.add_error("organization", _("This organisation is not in the district chosen."))
        region = cleaned.get("region")
        if district and region and district.region_id != region.pk:
            self.add_error("district", _("This district is not in the region chosen."))
        return cleaned

    def filters(self) -> ReportFilters:
        """The report's filters (only once the form is valid)."""
        data = self.cleaned_data
        return ReportFilters(
            region=data["region"].pk if data.get("region") else None,
            district=data["district"].pk if data.get("district") else None,
            organization=data["organization"].pk if data.get("organization") else None,
            period_start=data["period_start"],
            period_end=data["period_end"],
            organization_kind=data.get("organization_kind") or "",
            teaching_language=data["teaching_language"].pk
            if data.get("teaching_language")
            else None,
            position=data["position"].pk if data.get("position") else None,
        )


def filters_query(filters: ReportFilters) -> str:
    """The query string that gives these filters back through the form (stored on an
    export or a subscription, and the dashboard's links)."""
    query = QueryDict(mutable=True)
    for name in FILTER_FIELDS:
        value = getattr(filters, name)
        if value not in (None, ""):
            query[name] = value.isoformat() if isinstance(value, dt.date) else str(value)
    return query.urlencode()
