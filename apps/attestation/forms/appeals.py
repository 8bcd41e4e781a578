"""Forms of appeals: the teacher's complaint and the reviewing body's answer."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AppealLodgeForm(forms.Form):
    text = forms.CharField(
        label=_("Your complaint"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
        help_text=_("Say what in the decision you disagree with and why, point by point."),
    )


class AppealDecideForm(forms.Form):
    UPHOLD, REJECT = "uphold", "reject"

    outcome = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (UPHOLD, _("Uphold: the decision is revised and the portfolio reviewed again")),
            (REJECT, _("Reject: the decision stands")),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        help_text=_("The teacher receives them with the answer."),
    )

    def service_kwargs(self) -> dict:
        return {
            "upheld": self.cleaned_data["outcome"] == self.UPHOLD,
            "reason": self.cleaned_data["reason"],
        }
