"""Forms of the certificates pages: field parsing only; the rules are in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CertificateBatch


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("The 16 characters printed under the QR code, e.g. 7K3M-9QXD-2HVA-PB4N."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BatchForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=CertificateBatch.Format.choices)
