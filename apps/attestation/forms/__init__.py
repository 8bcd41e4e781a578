"""Forms of attestation: field parsing only; the rules are in services.py and eligibility.py."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.identifiers import validate_iin
from apps.organizations.models import InstructionLanguage
from apps.teachers.forms import DateInput
from apps.teachers.models import QualificationCategory

from .. import selectors
from ..imports import TEST_LANGUAGES
from ..models import (
    Application,
    AttestationCycle,
    CategoryRule,
    EvidenceItem,
    LessonObservation,
    TestResult,
)
from ..services import CYCLE_EDITABLE, PORTFOLIO_TYPES, RULE_EDITABLE

# --- applications -----------------------------------------------------------------------------

# The most applications one bulk acceptance takes: more than a few pages is a mistake.
BULK_ACCEPT_LIMIT = 200
# The codes of apps.core.files.sniff_file_type's refusals.
FILE_ERROR_CODES = frozenset({"empty", "too_large", "file_type"})


def _radios() -> forms.RadioSelect:
    return forms.RadioSelect(attrs={"class": "form-check-input"})


class ClaimedCategoryField(forms.ModelChoiceField):
    """Takes any category, so that the service says what the ladder allows; the buttons
    offer the categories the teacher may claim."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=QualificationCategory.objects.all(),
            widget=_radios(),
            empty_label=None,
            **kwargs,
        )

    def offer(self, claims) -> None:
        self.widget.choices = [
            (
                claim.category.pk,
                _("%(category)s: confirm your current category") % {"category": claim.category.name}
                if claim.confirming
                else _("%(category)s: the next category") % {"category": claim.category.name},
            )
            for claim in claims
        ]


class ApplicationStartForm(forms.Form):
    claimed_category = ClaimedCategoryField(label=_("The category you claim"))

    def __init__(self, *args, claims, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claimed_category"].offer(claims)
        if claims:
            self.fields["claimed_category"].initial = claims[0].category.pk
        self.default = claims[0].category if claims else None

    def chosen(self) -> QualificationCategory | None:
        """The category to preview: the one chosen if valid, else the first offered."""
        if self.is_bound and "claimed_category" not in self.errors:
            return self.cleaned_data["claimed_category"]
        return self.default


class ApplicationForm(forms.Form):
    claimed_category = ClaimedCategoryField(label=_("The category you claim"))
    test_exemption = forms.ChoiceField(
        label=_("Knowledge test"),
        choices=Application.TestExemption.choices,
        required=False,
        widget=_radios(),
        help_text=_(
            "Choose an exemption only if it applies to you: the checklist shows whether it "
            "does. For a language certificate, upload it under “proof of a test exemption”."
        ),
    )
    early = forms.BooleanField(
        label=_("Early attestation"),
        required=False,
        help_text=_(
            "Before the experience the category asks for: it needs years since your last "
            "attestation, a passed test and listed achievements in the portfolio (the "
            "checklist shows them once saved)."
        ),
    )
    essay_language = forms.ChoiceField(
        label=_("Language of the essay"),
        choices=Application._meta.get_field("essay_language").choices,
        required=False,
        widget=_radios(),
    )
    essay_text = forms.CharField(
        label=_("Text of the essay"), required=False, widget=forms.Textarea(attrs={"rows": 14})
    )

    def __init__(self, *args, application: Application, claims, **kwargs):
        initial = {
            "claimed_category": application.claimed_category_id,
            "test_exemption": application.test_exemption,
            "early": application.early,
            "essay_language": application.essay_language,
            "essay_text": application.essay_text,
        }
        super().__init__(*args, initial=initial, **kwargs)
        claimed = self.fields["claimed_category"]
        claimed.offer(claims)
        if application.claimed_category_id not in {c.category.pk for c in claims}:
            # Claimed when the ladder allowed it: keep it on offer, the checklist explains.
            claimed.widget.choices.append(
                (application.claimed_category_id, application.claimed_category.name)
            )
        cycle = application.cycle
        self.fields["essay_text"].widget.attrs.update(
            {
                "data-words-min": cycle.essay_min_words,
                "data-words-max": cycle.essay_max_words,
                # The live word count below the field (see application_form.html).
                "aria-describedby": "essay-count id_essay_text_helptext",
            }
        )
        self.fields["essay_text"].help_text = _(
            "%(min)s to %(max)s words on the cycle's topic."
        ) % {"min": cycle.essay_min_words, "max": cycle.essay_max_words}


class ChecklistPreviewForm(forms.Form):
    """The claimed category and test exemption being chosen, to preview the checklist."""

    claimed_category = forms.ModelChoiceField(
        queryset=QualificationCategory.objects.all(), required=False
    )
    test_exemption = forms.ChoiceField(choices=Application.TestExemption.choices, required=False)

    def preview(self) -> dict:
        """What was sent and is valid; for the rest, None (the saved value counts)."""
        self.is_valid()
        sent = {name: value for name, value in self.cleaned_data.items() if name in self.data}
        return {
            "claimed": sent.get("claimed_category"),
            "test_exemption": sent.get("test_exemption"),
        }


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = EvidenceItem
        fields = ["criterion", "title", "level", "is_winner", "happened_on", "file"]
        widgets = {
            "happened_on": DateInput(),
            "file": forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx"}),
        }
        help_texts = {
            "level": _("For contests, talks and similar: the level of the event."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(types)s, up to %(size)s MB.") % {
            "types": ", ".join(kind.upper() for kind in PORTFOLIO_TYPES),
            "size": settings.PORTFOLIO_MAX_BYTES // 2**20,
        }

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def add_service_error(self, error: ValidationError) -> None:
        """A refused file (its type by content, its size) on the file field; errors by
        field on their fields; the rest (the application is no longer editable) above."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error("file" if error.code in FILE_ERROR_CODES else None, error)


class AnswerForm(forms.Form):
    ACCEPT, REFUSE, RETURN = "accept", "refuse", "return"

    decision = forms.ChoiceField(
        choices=[
            (ACCEPT, _("Accept")),
            (REFUSE, _("Refuse")),
            (RETURN, _("Return for correction")),
        ]
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to refuse (the reason) or to return (what to correct)."),
    )


class ApplicationIdsField(forms.Field):
    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid": _("Choose applications from the list."),
        "required": _("Tick the applications to accept."),
    }

    def to_python(self, value):
        try:
            ids = sorted({int(v) for v in value or ()})
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if len(ids) > BULK_ACCEPT_LIMIT:
            raise ValidationError(
                _("Accept at most %(limit)s applications at once.") % {"limit": BULK_ACCEPT_LIMIT},
                code="too_many",
            )
        return ids


class BulkAcceptForm(forms.Form):
    applications = ApplicationIdsField()


# --- cycles, test results and lesson observations --------------------------------------------


class _ServiceValidatedModelForm(forms.ModelForm):
    """A model form that only parses fields: the model's rules are the service's to apply
    (one set of rules for the form, the admin and the imports)."""

    def _post_clean(self):
        pass


class CycleForm(_ServiceValidatedModelForm):
    """A cycle's dates, essay topic and numbers; on creation also its region."""

    region = forms.ModelChoiceField(label=_("Region"), queryset=None, empty_label=None)

    class Meta:
        model = AttestationCycle
        fields = list(CYCLE_EDITABLE)
        widgets = {
            "application_opens": DateInput(),
            "application_closes": DateInput(),
            "review_starts": DateInput(),
            "review_ends": DateInput(),
            "essay_topic_kk": forms.Textarea(attrs={"rows": 3, "lang": "kk"}),
            "essay_topic_ru": forms.Textarea(attrs={"rows": 3, "lang": "ru"}),
        }

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is None:
            del self.fields["region"]
        else:
            self.fields["region"].queryset = regions

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in CYCLE_EDITABLE}


class CategoryRuleForm(_ServiceValidatedModelForm):
    """One row of a cycle's rules table; the claimed category itself is fixed."""

    class Meta:
        model = CategoryRule
        fields = list(RULE_EDITABLE)
        widgets = {
            "from_categories": forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The rungs of the claimed category's own ladder, and for teachers the legacy ones.
        track = self.instance.category.track
        tracks = [track]
        if track == QualificationCategory.Track.TEACHER:
            tracks.append(QualificationCategory.Track.LEGACY)
        self.fields["from_categories"].queryset = QualificationCategory.objects.filter(
            track__in=tracks
        )

    def service_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in RULE_EDITABLE}


CategoryRuleFormSet = forms.modelformset_factory(
    CategoryRule, form=CategoryRuleForm, extra=0, edit_only=True
)


def rule_values(formset) -> dict:
    """The rules table as `services.cycle_update` takes it: a rule's pk -> its values."""
    return {form.instance.pk: form.service_values() for form in formset.forms}


class CycleStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (AttestationCycle.Status.OPEN, _("Open")),
            (AttestationCycle.Status.CLOSED, _("Close")),
        ]
    )


class TestResultFilterForm(forms.Form):
    __test__ = False  # not a pytest test class, whatever its name

    q = forms.CharField(label=_("Teacher's name or IIN"), required=False, max_length=100)
    taken_from = forms.DateField(label=_("Tested from"), required=False, widget=DateInput())
    taken_until = forms.DateField(label=_("Tested until"), required=False, widget=DateInput())
    min_percent = forms.IntegerField(
        label=_("Score at least, %"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("For example 70 for the expert category's pass mark."),
    )

    def selector_kwargs(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q", ""),
            "taken_from": data.get("taken_from"),
            "taken_until": data.get("taken_until"),
            "min_percent": data.get("min_percent"),
        }


class TestResultForm(_ServiceValidatedModelForm):
    """A result typed in from a certificate, for a teacher found by IIN."""

    __test__ = False

    iin = forms.CharField(
        label=_("Teacher's IIN"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = TestResult
        fields = ["iin", "taken_on", "language", "score", "max_score", "certificate_number"]
        widgets = {"taken_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["language"].queryset = InstructionLanguage.objects.filter(
            code__in=TEST_LANGUAGES
        )

    def clean_iin(self):
        iin = "".join(self.cleaned_data["iin"].split())
        validate_iin(iin)
        teacher = selectors.teacher_find(user=self.user, iin=iin)
        if teacher is None:
            raise ValidationError(
                _("No teacher with this IIN among the teachers you can see."), code="not_found"
            )
        self.cleaned_data["teacher"] = teacher
        return iin

    def service_kwargs(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("teacher", "taken_on", "language", "score", "max_score")
        } | {"certificate_number": self.cleaned_data["certificate_number"].strip()}


class TestResultImportForm(forms.Form):
    __test__ = False

    file = forms.FileField(
        label=_("Spreadsheet"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "XLSX or CSV, up to %(size)s; the first row names the columns."
        ) % {"size": filesizeformat(settings.RESULTS_IMPORT_MAX_BYTES)}


class TeacherByIinForm(forms.Form):
    iin = forms.CharField(
        label=_("Teacher's IIN"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_iin(self):
        iin = "".join(self.cleaned_data["iin"].split())
        validate_iin(iin)
        return iin


# What each score of an observation criterion means.
OBSERVATION_SCORES = [
    (0, pgettext_lazy("observation score", "0: not seen")),
    (1, pgettext_lazy("observation score", "1: partly")),
    (2, pgettext_lazy("observation score", "2: mostly")),
    (3, pgettext_lazy("observation score", "3: fully")),
]


class ObservationForm(_ServiceValidatedModelForm):
    """A lesson observation sheet: the lesson, then every criterion of the cycle scored
    0 to 3 (one radio row each)."""

    class Meta:
        model = LessonObservation
        fields = ["observed_on", "subject", "grade", "topic", "comment"]
        widgets = {
            "observed_on": DateInput(),
            "comment": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.code}"] = forms.TypedChoiceField(
                label=criterion.title,
                choices=OBSERVATION_SCORES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )

    def score_fields(self):
        return [self[f"score_{criterion.code}"] for criterion in self.criteria]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in self.Meta.fields} | {
            "scores": {c.code: data[f"score_{c.code}"] for c in self.criteria}
        }


class ObservationFilterForm(forms.Form):
    q = forms.CharField(label=_("Teacher's name or IIN"), required=False, max_length=100)
    cycle = forms.ModelChoiceField(
        label=_("Cycle"), queryset=None, required=False, empty_label=_("All cycles")
    )
    teacher = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = selectors.cycle_list(user)

    def selector_kwargs(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q", ""),
            "cycle": data.get("cycle"),
            "teacher_id": data.get("teacher"),
        }
