"""Forms of the "1000 leaders" programme: field parsing only; the rules are in services.py."""

from decimal import Decimal

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from apps.organizations.models import District, Organization
from apps.teachers.forms import DateInput
from apps.teachers.selectors import editable_organizations, visible_districts

from . import selectors
from .models import Intake, Level, Post, Stage, Vacancy
from .services import INTAKE_EDITABLE, STAGE_EDITABLE

# --- intakes and selection -------------------------------------------------------------------


class IntakeForm(forms.ModelForm):
    """An intake's dates, places, eligibility and training thresholds (the service checks
    them; the instance given is never saved by the form)."""

    class Meta:
        model = Intake
        fields = list(INTAKE_EDITABLE)
        widgets = {
            "application_opens": DateInput(),
            "application_closes": DateInput(),
            "positions": forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            "categories": forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        }

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        # With more than one programme, the new intake says which it belongs to.
        if programmes is not None and len(programmes) > 1:
            self.fields["programme"] = forms.ModelChoiceField(
                label=_("Programme"), queryset=programmes
            )
        self.programmes = programmes

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("programme", None)
        return data

    def chosen_programme(self):
        return self.cleaned_data.get("programme") or self.programmes.first()


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = list(STAGE_EDITABLE)
        widgets = {"rule": forms.Select(attrs={"class": "form-select"})}

    def clean(self):
        data = super().clean()
        if data.get("rule") == Stage.Rule.MIN_SCORE and data.get("pass_score") is None:
            self.add_error("pass_score", _("Give the pass score of this rule."))
        if data.get("rule") == Stage.Rule.TOP and not data.get("top_n"):
            self.add_error("top_n", _("Give how many candidates pass."))
        return data


StageFormSet = forms.modelformset_factory(
    Stage, form=StageForm, extra=1, can_delete=True, can_order=False
)


def stage_values(formset) -> list[dict]:
    """The stages for services.intake_update: in the table's order, the deleted and the
    empty extra rows left out."""
    return [
        {"pk": form.instance.pk, **{name: form.cleaned_data.get(name) for name in STAGE_EDITABLE}}
        for form in formset.forms
        if (form.instance.pk or form.has_changed()) and not form.cleaned_data.get("DELETE")
    ]


class IntakeStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Intake.Status.choices, widget=forms.HiddenInput)


class CandidateApplyForm(forms.Form):
    motivation = forms.CharField(
        label=_("Motivation letter"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=10000,
        help_text=_("Why you want to lead change in your school, and what you have done so far."),
    )


class CandidateWithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


class StageScoresForm(forms.Form):
    """One score box per candidate still in selection; an empty box records nothing."""

    def __init__(self, *args, stage: Stage, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage = stage
        self.candidates = list(candidates)
        for candidate in self.candidates:
            result = next(iter(candidate.results.all()), None)
            self.fields[f"score_{candidate.pk}"] = forms.DecimalField(
                label=_("Score of %(name)s, 0 to %(max)s")
                % {"name": candidate.teacher.full_name, "max": stage.max_score},
                required=False,
                min_value=Decimal(0),
                max_value=stage.max_score,
                max_digits=6,
                decimal_places=2,
                initial=result.score if result else None,
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )

    def clean(self):
        data = super().clean()
        for candidate in self.candidates:
            name = f"score_{candidate.pk}"
            if name in data and data[name] is None and self.fields[name].initial is not None:
                self.add_error(name, _("A recorded score cannot be removed; correct it instead."))
        return data

    def rows(self):
        """(candidate, bound field) pairs, in the grid's order."""
        return [(c, self[f"score_{c.pk}"]) for c in self.candidates]

    def scores(self) -> dict[int, Decimal]:
        return {
            c.pk: self.cleaned_data[f"score_{c.pk}"]
            for c in self.candidates
            if self.cleaned_data.get(f"score_{c.pk}") is not None
        }


class StageImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (XLSX or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        help_text=_("The first row names the columns: IIN and score."),
    )


class StageDecideForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the scores: decide this stage now. It cannot be undone."),
        required=True,
    )


# --- training and progress -------------------------------------------------------------------


class ModuleForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    title_kk = forms.CharField(label=_("Title (Kazakh)"), max_length=255)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=255)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())


class ModuleAttendanceForm(forms.Form):
    """One module's attendance: the ticked participants, or "everyone"."""

    present = forms.TypedMultipleChoiceField(
        label=_("Attended"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    everyone = forms.BooleanField(label=_("Everyone attended"), required=False)

    def __init__(self, *args, sheet, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        self.fields["present"].choices = [(row.candidate.pk, str(row.candidate)) for row in sheet]
        if not self.is_bound:
            self.initial["present"] = [row.candidate.pk for row in sheet if row.present]

    def present_ids(self) -> set[int]:
        if self.cleaned_data["everyone"]:
            return {row.candidate.pk for row in self.sheet}
        return set(self.cleaned_data["present"])

    def grid(self):
        """(row, ticked) pairs: what the sheet shows, or what was just typed."""
        ticked = {int(value) for value in self["present"].value() or []}
        return [(row, row.candidate.pk in ticked) for row in self.sheet]


class InternshipPlacementForm(forms.Form):
    host = forms.ModelChoiceField(label=_("Host school"), queryset=Organization.objects.none())
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())

    def __init__(self, *args, candidate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = Organization.objects.filter(
            district__region_id=candidate.intake.programme.region_id
        ).select_related("district")

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The internship cannot end before it starts."))
        return data


class InternshipReportForm(forms.Form):
    report = forms.CharField(
        label=_("Internship report"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What you saw, tried and learned at the host school."),
    )


class MentorByEmailField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.email


class MentorAssignForm(forms.Form):
    mentor = MentorByEmailField(
        label=_("Mentor's e-mail"),
        queryset=selectors.mentor_choices(),
        to_field_name="email",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid_choice": _("No staff account has this e-mail.")},
        help_text=_(
            "The e-mail of a staff account: a head, a methodologist or a commission member."
        ),
    )


class MentorMeetingForm(forms.Form):
    date = forms.DateField(label=_("Date of the meeting"), widget=DateInput())
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}))


class ReflectiveReportForm(forms.Form):
    text = forms.CharField(
        label=_("Reflective report"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("It can be changed until the first reviewer scores it."),
    )


class ReportReviewForm(forms.Form):
    score = forms.DecimalField(
        label=_("Score (0–100)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class TrainingCompleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the cohort: decide the training of every participant now."),
        required=True,
    )


# --- reserve, appointments, vacancies and outcomes ------------------------------------------


class OrganizationInDistrictField(forms.ModelChoiceField):
    """Organisations named with their district (many schools share a number)."""

    def label_from_instance(self, obj):
        return _("%(organization)s (%(district)s)") % {
            "organization": obj,
            "district": obj.district,
        }


class VacancyField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(post)s: %(organization)s, open since %(date)s") % {
            "post": obj.get_post_display(),
            "organization": obj.organization,
            "date": date_format(obj.opened_on, "SHORT_DATE_FORMAT"),
        }


class LeadersFilterForm(forms.Form):
    """The intake and district filters of the reserve and of the outcomes."""

    intake = forms.ModelChoiceField(
        label=_("Intake"),
        queryset=Intake.objects.none(),
        required=False,
        empty_label=_("All intakes"),
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("All districts"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intake"].queryset = selectors.outcome_intakes(user)
        self.fields["district"].queryset = visible_districts(user)

    def filters(self) -> dict | None:
        """The chosen intake and district (None for "all"); None when the query is invalid."""
        if not self.is_valid():
            return None
        return {"intake": self.cleaned_data["intake"], "district": self.cleaned_data["district"]}


class AppointmentForm(forms.Form):
    post = forms.ChoiceField(label=_("Post"), choices=Post.choices)
    organization = OrganizationInDistrictField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    appointed_on = forms.DateField(label=_("Appointed on"), widget=DateInput())
    order_number = forms.CharField(label=_("Order number"), max_length=40)
    vacancy = VacancyField(
        label=_("Vacancy it fills (optional)"),
        queryset=Vacancy.objects.none(),
        required=False,
        empty_label=_("No vacancy"),
        help_text=_("An open vacancy of the same organisation and post."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = editable_organizations(user).select_related(
            "district"
        )
        self.fields["vacancy"].queryset = selectors.open_vacancies(user, writable=True).order_by(
            "organization__district__kato", "opened_on", "pk"
        )

    def clean(self):
        data = super().clean()
        vacancy, organization = data.get("vacancy"), data.get("organization")
        chosen = (organization.pk if organization else None, data.get("post"))
        if vacancy and organization and (vacancy.organization_id, vacancy.post) != chosen:
            self.add_error("vacancy", _("The vacancy is for another post or organisation."))
        return data


class VacancyForm(forms.Form):
    organization = OrganizationInDistrictField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    post = forms.ChoiceField(label=_("Post"), choices=Post.choices)
    opened_on = forms.DateField(label=_("Open since"), widget=DateInput())

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations.select_related("district")
