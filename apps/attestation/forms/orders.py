"""Forms of orders, ministry decisions and category certificates: field parsing only; the
rules are in services/orders.py."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from apps.teachers.forms import DateInput
from apps.teachers.models import QualificationCategory

from ..models import Application, Decision, Level


class DecisionChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})

    def label_from_instance(self, obj):
        return _("%(teacher)s: %(category)s (decided on %(date)s)") % {
            "teacher": obj.application.teacher.full_name,
            "category": obj.assigned_category.name,
            "date": date_format(obj.decided_on, "SHORT_DATE_FORMAT"),
        }


class OrderForm(forms.Form):
    """A new order: the decisions it puts into force (all ticked to begin with), its number
    and date, the issuing body as printed on the certificates, and who signed it."""

    decisions = DecisionChoices(
        label=_("Decisions the order puts into force"),
        queryset=Decision.objects.none(),
        error_messages={"required": _("Tick the decisions the order puts into force.")},
    )
    number = forms.CharField(label=_("Order number"), max_length=40)
    dated = forms.DateField(label=_("Order date"), widget=DateInput())
    issuing_body_kk = forms.CharField(label=_("Issuing body (Kazakh)"), max_length=255)
    issuing_body_ru = forms.CharField(label=_("Issuing body (Russian)"), max_length=255)
    signed_by = forms.CharField(
        label=_("Signed by"),
        max_length=255,
        required=False,
        help_text=_("The name and position of who signed the order, as it reads."),
    )

    def __init__(self, *args, decisions, commission=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decisions"].queryset = decisions
        self.fields["decisions"].initial = [decision.pk for decision in decisions]
        self.fields["dated"].initial = timezone.localdate()
        if commission is not None:
            body = commission.organization if commission.level == Level.ORGANIZATION else commission
            self.fields["issuing_body_kk"].initial = body.name_kk
            self.fields["issuing_body_ru"].initial = body.name_ru


class MinistryDecisionForm(forms.Form):
    """The ministry's decision on a master claim as received, with its order."""

    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.Outcome.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    assigned_category = forms.ModelChoiceField(
        label=_("Lower category assigned"),
        queryset=QualificationCategory.objects.none(),
        required=False,
        help_text=_("Only when the ministry assigned a lower category than the one claimed."),
    )
    decided_on = forms.DateField(label=_("Date of the decision"), widget=DateInput())
    reasons = forms.CharField(
        label=_("Reasons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed unless the claim is met: the teacher is told why."),
    )
    order_number = forms.CharField(
        label=_("Ministry order number"),
        max_length=40,
        required=False,
        help_text=_("Needed when a category is assigned: the order puts it into force."),
    )
    order_dated = forms.DateField(
        label=_("Ministry order date"), required=False, widget=DateInput()
    )

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        claimed = application.claimed_category
        self.fields["assigned_category"].queryset = QualificationCategory.objects.filter(
            track=claimed.track, rank__lt=claimed.rank
        ).order_by("-rank")
