"""Forms of the category measures: field parsing only, the rules are the services'
(apps/attestation/services/special.py)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.teachers.forms import DateInput
from apps.teachers.models import QualificationCategory

from ..models import Application, CategoryFreeze, CategoryGrant, Sanction
from ..services.special import MODERATOR_GROUNDS, RESERVIST_CATEGORIES


class CategoryGrantForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Ground"),
        choices=[
            (value, label)
            for value, label in CategoryGrant.Ground.choices
            if value in MODERATOR_GROUNDS or value == CategoryGrant.Ground.LEADERS_RESERVIST
        ],
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=QualificationCategory.objects.filter(
            code__in=["moderator", *RESERVIST_CATEGORIES.values()]
        ).order_by("track", "rank"),
        help_text=_(
            "Moderator for a degree, a listed programme or a teaching certificate; the 1st "
            "category of a head or deputy head for an appointed reservist."
        ),
    )
    awarded_on = forms.DateField(label=_("Awarded on"), widget=DateInput())
    document = forms.CharField(
        label=_("Supporting document"),
        max_length=255,
        help_text=_("For example: PhD diploma No. 123 of 01.06.2024."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["awarded_on"].initial = timezone.localdate


class CategoryFreezeForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=CategoryFreeze.Reason.choices)
    starts_on = forms.DateField(label=_("Away from"), widget=DateInput())


class CategoryFreezeEndForm(forms.Form):
    returned_on = forms.DateField(label=_("Returned on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["returned_on"].initial = timezone.localdate


class ApplicationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(year)s: %(category)s (%(status)s)") % {
            "year": obj.cycle.school_year,
            "category": obj.claimed_category.name,
            "status": obj.get_status_display(),
        }


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Sanction for"), choices=Sanction.Kind.choices)
    application = ApplicationChoiceField(
        label=_("Application"),
        queryset=Application.objects.none(),
        required=False,
        empty_label=_("none"),
        help_text=_("A falsified portfolio closes the application it was found in."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("What was found, and the document that records it."),
    )

    def __init__(self, *args, teacher, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = (
            Application.objects.filter(teacher=teacher)
            .select_related("cycle", "claimed_category")
            .order_by("-cycle__application_opens", "-pk")
        )
