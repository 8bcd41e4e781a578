"""The PD plan page's forms: the year asked for, and one number per district the user may
plan (blank: no plan)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.organizations.models import District

# The years a plan may be set for (as PdPlan.year validates).
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Far above any district's teachers (the whole region has about 80,000): a typo guard that
# also keeps the number within the database's integer.
MAX_PLANNED = 1_000_000

STALE_PAGE = _("The list of districts has changed since the page was opened: reload it.")
INVALID_YEAR = _("There are no plans for “%(value)s”: the year must be from %(first)d to %(last)d.")


def plan_year(value) -> int:
    """The year of `?year=`, the current one when absent. Anything but a year a plan may be
    set for is refused (ValidationError), never taken for another year: a save to such an
    address would otherwise change this year's plans."""
    if value is None or value == "":
        return timezone.localdate().year
    try:
        year = int(value)
    except ValueError:
        year = None
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            INVALID_YEAR,
            code="invalid_year",
            params={"value": value, "first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return year


class PlanForm(forms.Form):
    """A district's plan. The district's id travels with the number so that a list that
    changed between showing and saving is refused instead of shifting the numbers; the
    number's value as shown travels too (hidden), so that only what this user changed is
    saved, not what they saw before someone else's change."""

    district = forms.IntegerField(widget=forms.HiddenInput)
    planned_teachers = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_PLANNED, show_hidden_initial=True
    )

    def __init__(self, *args, district: District, **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district
        field = self.fields["planned_teachers"]
        field.label = _("Plan for %(district)s") % {"district": district.name}
        field.widget.attrs.update({"class": "form-control text-end", "inputmode": "numeric"})

    def number_inputs(self) -> str:
        """The number's input (marked invalid, for Bootstrap and screen readers, when it has
        errors) and the hidden value it was shown with."""
        field = self["planned_teachers"]
        attrs = {}
        if field.errors:
            attrs = {
                "class": "form-control text-end is-invalid",
                "aria-invalid": "true",
                "aria-describedby": f"{field.auto_id}_error_1",
            }
        return field.as_widget(attrs=attrs) + field.as_hidden(only_initial=True)

    def clean_district(self):
        if self.cleaned_data["district"] != self.district.pk:
            raise ValidationError(STALE_PAGE, code="stale")
        return self.district

    def clean(self):
        """Also read the number as shown (`self.shown`), for the service to tell whether
        someone else changed the plan since; a page without it, or with a mangled one, is
        a stale page."""
        cleaned_data = super().clean()
        field = self.fields["planned_teachers"]
        shown = self.data.get(self["planned_teachers"].html_initial_name)
        if shown is None:
            raise ValidationError(STALE_PAGE, code="stale")
        try:
            self.shown = field.to_python(shown)
        except ValidationError:
            raise ValidationError(STALE_PAGE, code="stale") from None
        return cleaned_data


class BasePlanFormSet(forms.BaseFormSet):
    """One PlanForm per district given, in their order."""

    def __init__(self, data=None, *, districts: list[District], plans: dict, **kwargs):
        self.districts = districts
        initial = [
            {
                "district": district.pk,
                "planned_teachers": plans.get(district.pk),
            }
            for district in districts
        ]
        super().__init__(data, initial=initial, **kwargs)
        # Never more forms than districts, whatever the management form claims.
        self.max_num = self.absolute_max = len(districts)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "district": self.districts[index]}

    def clean(self):
        if self.total_form_count() != len(self.districts):
            raise ValidationError(STALE_PAGE, code="stale")

    def changed_plans(self) -> dict[District, int | None]:
        """{district: teachers to train, or None for no plan} of the numbers changed."""
        return {
            form.district: form.cleaned_data["planned_teachers"]
            for form in self.forms
            if form.has_changed()
        }

    def shown_plans(self) -> dict[District, int | None]:
        """{district: the plan as the page showed it} of the numbers changed."""
        return {form.district: form.shown for form in self.forms if form.has_changed()}


PlanFormSet = forms.formset_factory(PlanForm, formset=BasePlanFormSet, extra=0)
