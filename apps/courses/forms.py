"""Forms of the courses app: field parsing only; the rules are in services.py."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from apps.teachers.forms import DateInput
from apps.teachers.models import Teacher

from . import selectors
from .models import Course, CourseRun, ExternalTraining, Provider

User = get_user_model()
# The most teachers one bulk enrolment takes: more is almost surely a filter forgotten.
BULK_ENROL_LIMIT = 500


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the named fields the form has,
    the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def https_by_default(field: models.Field, **kwargs):
    """Form fields as the model gives them, a link typed without a scheme taken as https."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class UserEmailChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.email


class ProviderForm(forms.ModelForm):
    staff = UserEmailChoices(
        label=_("Provider staff"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Accounts (by e-mail) that manage this provider's courses, runs and certificates."
        ),
    )

    class Meta:
        model = Provider
        formfield_callback = https_by_default
        fields = ["code", "bin", "name_kk", "name_ru", "name_en", "website", "is_active", "staff"]
        widgets = {
            "bin": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}),
            "code": forms.TextInput(attrs={"autocapitalize": "characters", "maxlength": 8}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = selectors.provider_staff_candidates(self.instance)
        if not user.has_perm("courses.add_provider"):
            for name in ("code", "bin", "is_active"):
                self.fields[name].disabled = True


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = [
            "provider",
            "title_kk",
            "title_ru",
            "title_en",
            "description_kk",
            "description_ru",
            "hours",
            "format",
            "language",
            "target_subjects",
            "target_positions",
            "prerequisites",
            "agreement_reference",
            "min_attendance_percent",
            "assessment_required",
            "is_active",
        ]
        widgets = {
            "description_kk": forms.Textarea(attrs={"rows": 5}),
            "description_ru": forms.Textarea(attrs={"rows": 5}),
            "target_subjects": forms.SelectMultiple(attrs={"size": 8}),
            "target_positions": forms.SelectMultiple(attrs={"size": 8}),
            "prerequisites": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "target_subjects": _("Leave empty for teachers of any subject."),
            "target_positions": _("Leave empty for any position."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = selectors.course_providers(user).order_by("code")
        prerequisites = Course.objects.filter(is_active=True).select_related("provider")
        if self.instance.pk:
            prerequisites = prerequisites.exclude(pk=self.instance.pk)
        self.fields["prerequisites"].queryset = prerequisites

    def service_kwargs(self) -> dict:
        return {
            "target_subjects": self.cleaned_data["target_subjects"],
            "target_positions": self.cleaned_data["target_positions"],
            "prerequisites": self.cleaned_data["prerequisites"],
        }


class TrainerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} ({obj.email})" if name else obj.email


class RunForm(forms.ModelForm):
    """A run and, per district of the region, an optional quota of its seats."""

    trainer = TrainerChoice(
        label=_("Trainer account"),
        queryset=User.objects.none(),
        required=False,
        help_text=CourseRun._meta.get_field("trainer").help_text,
    )

    class Meta:
        model = CourseRun
        formfield_callback = https_by_default
        fields = [
            "code",
            "starts_on",
            "ends_on",
            "enrolment_deadline",
            "capacity",
            "location",
            "online_url",
            "trainer_name",
            "trainer",
            "approval_required",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "enrolment_deadline": DateInput(),
        }

    def __init__(self, *args, course: Course, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.course = course
        trainers = User.objects.filter(provider_memberships=course.provider_id)
        if self.instance.trainer_id:
            trainers = trainers | User.objects.filter(pk=self.instance.trainer_id)
        self.fields["trainer"].queryset = trainers.distinct().order_by("email")
        quotas = (
            dict(self.instance.quotas.values_list("district_id", "seats"))
            if self.instance.pk
            else {}
        )
        self.districts = list(selectors.quota_districts())
        for district in self.districts:
            self.fields[f"quota_{district.pk}"] = forms.IntegerField(
                label=district.name,
                min_value=0,
                max_value=2000,
                required=False,
                initial=quotas.get(district.pk),
            )

    def quota_fields(self):
        return [self[f"quota_{district.pk}"] for district in self.districts]

    def quotas(self) -> dict[int, int]:
        """{district id: seats} for the districts given a quota (an empty box: no quota)."""
        return {
            district.pk: self.cleaned_data[f"quota_{district.pk}"]
            for district in self.districts
            if self.cleaned_data.get(f"quota_{district.pk}") is not None
        }


class RunCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to every participant with the notice of cancellation."),
    )


class EnrolmentCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)


class EnrolSelfForm(forms.Form):
    allow_overlap = forms.BooleanField(required=False)


class IdListField(forms.Field):
    """The ids of the ticked checkboxes of one name."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            return sorted({int(v) for v in value or ()})
        except (TypeError, ValueError):
            raise ValidationError(_("Choose teachers from the list."), code="invalid") from None


class BulkEnrolForm(forms.Form):
    """Teachers to enrol in a run: those ticked, or all that match the list's filters."""

    teachers = IdListField(required=False)
    all_matching = forms.BooleanField(required=False)
    allow_overlap = forms.BooleanField(
        label=_("Enrol even those already on another course at the same dates"),
        required=False,
    )

    def __init__(self, *args, matching, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.matching = matching
        self.allowed = allowed

    def clean(self):
        data = super().clean()
        ids = data.get("teachers") or []
        if data.get("all_matching"):
            queryset = self.matching
        elif ids:
            queryset = self.allowed.filter(pk__in=ids)
        else:
            raise ValidationError(_("Tick the teachers to enrol, or enrol all that match."))
        chosen: list[Teacher] = list(
            queryset.select_related("organization__district").order_by(
                "last_name", "first_name", "pk"
            )[: BULK_ENROL_LIMIT + 1]
        )
        if len(chosen) > BULK_ENROL_LIMIT:
            raise ValidationError(
                ngettext(
                    "At most %(limit)s teacher can be enrolled at once: narrow the filters.",
                    "At most %(limit)s teachers can be enrolled at once: narrow the filters.",
                    BULK_ENROL_LIMIT,
                )
                % {"limit": BULK_ENROL_LIMIT}
            )
        data["chosen"] = chosen
        # Ticked ids outside the user's scope (a stale or forged form) are left out unnamed.
        data["out_of_scope"] = 0 if data.get("all_matching") else len(ids) - len(chosen)
        return data


# --- attendance, assessment and external PD (views/results.py, views/external.py) ----------


class AttendanceForm(forms.Form):
    """The attendance grid of a run sheet (`selectors.run_sheet`). A ticked box is
    "<session id>:<enrolment id>"; a ticked day in the header marks everyone present on that
    day, so the shortcut works without JavaScript too."""

    present = forms.MultipleChoiceField(required=False)
    whole_day = forms.MultipleChoiceField(required=False)

    def __init__(self, *args, sheet, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        self.fields["present"].choices = [
            (f"{cell.session.pk}:{row.enrolment.pk}", "")
            for row in sheet.rows
            for cell in row.cells
            if cell.open
        ]
        self.fields["whole_day"].choices = [(str(s.pk), "") for s in sheet.open_sessions]

    def grid(self):
        """(row, [(cell, checkbox value, ticked)]) per participant: ticked as posted, or as
        recorded."""
        posted = set(self.data.getlist("present")) if self.is_bound else None
        for row in self.sheet.rows:
            cells = []
            for cell in row.cells:
                value = f"{cell.session.pk}:{row.enrolment.pk}"
                cells.append((cell, value, value in posted if self.is_bound else cell.present))
            yield row, cells

    def present_pairs(self) -> set[tuple[int, int]]:
        """The (session id, enrolment id) pairs marked present."""
        pairs = set()
        for value in self.cleaned_data["present"]:
            session_id, enrolment_id = value.split(":")
            pairs.add((int(session_id), int(enrolment_id)))
        for session_id in self.cleaned_data["whole_day"]:
            pairs |= {(int(session_id), row.enrolment.pk) for row in self.sheet.rows}
        return pairs


def _passed(value: str) -> bool:
    return value == "yes"


class AssessmentForm(forms.Form):
    """One participant's final assessment on the results page (prefix `e<enrolment id>`)."""

    passed = forms.TypedChoiceField(
        label=_("Final assessment"),
        choices=[
            ("", pgettext_lazy("assessment", "not yet")),
            ("yes", pgettext_lazy("assessment", "passed")),
            ("no", pgettext_lazy("assessment", "not passed")),
        ],
        coerce=_passed,
        empty_value=None,
        required=False,
    )
    score = forms.DecimalField(
        label=_("Score (0–100)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )

    @classmethod
    def for_enrolment(cls, enrolment, data) -> "AssessmentForm":
        """The row's form, bound only if the posted data has the row (a participant who
        joined after the page was loaded keeps their result)."""
        prefix = f"e{enrolment.pk}"
        passed = enrolment.assessment_passed
        form = cls(
            data if f"{prefix}-passed" in data else None,
            prefix=prefix,
            initial={
                "passed": "" if passed is None else ("yes" if passed else "no"),
                "score": enrolment.assessment_score,
            },
        )
        form.enrolment = enrolment
        return form


class ExternalTrainingForm(forms.ModelForm):
    """A teacher's upload of PD taken elsewhere; the file is typed by its content and the
    record validated by `services.external_training_create`."""

    class Meta:
        model = ExternalTraining
        fields = ["title", "provider_name", "number", "hours", "starts_on", "ends_on", "file"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "hours": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "file": forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A scan or a photo of the certificate: PDF, JPEG or PNG, up to %(size)s MB."
        ) % {"size": settings.EXTERNAL_PD_MAX_BYTES // 2**20}

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The course cannot end before it starts."))
        return data

    def _post_clean(self):
        # The model is validated by the service, which the view maps back to the fields.
        pass


class ExternalReviewForm(forms.Form):
    """A reviewer's decision on an upload; the reason is required to reject (the service's
    rule, shown on the field)."""

    CONFIRM, REJECT = "confirm", "reject"

    decision = forms.ChoiceField(
        choices=[(CONFIRM, _("Confirm")), (REJECT, _("Reject"))], widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=_("Comment (required to reject)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
