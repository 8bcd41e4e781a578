"""Forms of commissions and portfolio review: field parsing only; the rules (composition,
scores, who may score) are in services/commissions.py."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.scopes import write_scope
from apps.organizations.models import District, Organization
from apps.teachers.forms import DateInput

from .. import selectors
from ..models import AttestationCycle, CommissionMember, Level
from ..selectors import commissions as commission_selectors


class CommissionFilterForm(forms.Form):
    cycle = forms.ModelChoiceField(
        label=_("Cycle"), queryset=None, required=False, empty_label=_("All cycles")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = selectors.cycle_list(user).order_by("-application_opens")

    def chosen_cycle(self) -> AttestationCycle | None:
        return self.cleaned_data.get("cycle") if self.is_valid() else None


class CommissionForm(forms.Form):
    """A commission's names; on creation also its cycle, level and body, offering only the
    bodies in the user's write scope (the service checks again)."""

    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=None, empty_label=None)
    level = forms.ChoiceField(
        label=_("Level"),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text=_(
            "Organisation: moderator claims; district or city: expert; region: researcher. "
            "The ministry's decisions on master claims are recorded as received."
        ),
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        required=False,
        help_text=_("For an organisation's commission."),
    )
    district = forms.ModelChoiceField(
        label=_("District or city"),
        queryset=None,
        required=False,
        help_text=_("For a district's or city's commission."),
    )
    name_kk = forms.CharField(label=_("Name (Kazakh)"), max_length=255)
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=255)

    BODY_FIELDS = ("cycle", "level", "organization", "district")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name_kk"].widget.attrs["lang"] = "kk"
        self.fields["name_ru"].widget.attrs["lang"] = "ru"
        if user is None:
            for name in self.BODY_FIELDS:
                del self.fields[name]
            return
        scope = write_scope(user)
        self.fields["cycle"].queryset = (
            selectors.visible_cycles(user)
            .exclude(status=AttestationCycle.Status.CLOSED)
            .order_by("-application_opens")
        )
        organizations = Organization.objects.filter(
            scope.q(organization="pk", district="district", region="district__region")
        ).select_related("district")
        districts = District.objects.all()
        if not scope.everything:
            districts = districts.filter(
                Q(region__in=scope.region_ids) | Q(pk__in=scope.district_ids)
            )
        self.fields["organization"].queryset = organizations.order_by("name_ru", "pk")
        self.fields["district"].queryset = districts
        levels = [(Level.ORGANIZATION, Level.ORGANIZATION.label)]
        if scope.everything or scope.region_ids or scope.district_ids:
            levels.append((Level.DISTRICT, Level.DISTRICT.label))
        if scope.everything or scope.region_ids:
            levels.append((Level.REGION, Level.REGION.label))
        self.fields["level"].choices = levels

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class MemberForm(forms.Form):
    """A seat: the person's account, found by e-mail among the region's accounts, and how
    the protocol names them."""

    email = forms.EmailField(
        label=_("The member's e-mail"),
        help_text=_("The e-mail of their account in Ustaz PD (a teacher or staff of the region)."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=CommissionMember.Role.choices,
        initial=CommissionMember.Role.MEMBER,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    full_name = forms.CharField(label=_("Full name, as in the protocol"), max_length=310)
    position = forms.CharField(label=_("Position and place of work"), max_length=255)
    experience_years = forms.IntegerField(
        label=_("Pedagogical experience (years)"), min_value=0, max_value=80
    )
    organization = forms.ModelChoiceField(
        label=_("Works in"),
        queryset=None,
        required=False,
        help_text=_("Members working in an applicant's organisation sit that application out."),
    )

    def __init__(self, *args, commission, **kwargs):
        super().__init__(*args, **kwargs)
        self.commission = commission
        self.fields["organization"].queryset = commission_selectors.member_organizations(commission)

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = commission_selectors.member_user_find(commission=self.commission, email=email)
        if user is None:
            raise ValidationError(
                _("No active account of the region has this e-mail: the person needs one first."),
                code="not_found",
            )
        self.cleaned_data["user"] = user
        return email

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("user", "role", "full_name", "position", "experience_years")
        } | {"organization": data["organization"]}


class ReviewForm(forms.Form):
    """A member's scoring sheet: a number per criterion of the cycle (from 0 to its
    maximum), a comment, and whether to save a draft or submit."""

    DRAFT, SUBMIT = "draft", "submit"

    comment = forms.CharField(
        label=_("Comment on the portfolio"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    action = forms.ChoiceField(
        choices=[(DRAFT, _("Save draft")), (SUBMIT, _("Submit my scores"))],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, criteria, review=None, **kwargs):
        initial = {"comment": review.comment} if review else {}
        super().__init__(*args, initial=initial, **kwargs)
        self.criteria = list(criteria)
        scores = review.scores if review else {}
        for criterion in self.criteria:
            self.fields[f"score_{criterion.code}"] = forms.IntegerField(
                label=_("Points"),
                required=False,
                min_value=0,
                max_value=criterion.max_points,
                initial=scores.get(criterion.code),
                help_text=_("%(guidance)s. At most %(max)s points.")
                % {"guidance": criterion.guidance.rstrip("."), "max": criterion.max_points}
                if criterion.guidance
                else _("At most %(max)s points.") % {"max": criterion.max_points},
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def score_fields(self) -> list:
        return [self[f"score_{criterion.code}"] for criterion in self.criteria]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        scores = {
            c.code: data[f"score_{c.code}"]
            for c in self.criteria
            if data.get(f"score_{c.code}") is not None
        }
        return {
            "scores": scores,
            "comment": data["comment"],
            "submit": data["action"] == self.SUBMIT,
        }


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What to correct"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Be specific: the teacher sees this text and gets it by e-mail."),
    )
    due_on = forms.DateField(label=_("Correct by"), widget=DateInput())
