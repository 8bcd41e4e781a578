"""Forms of commission sessions: field parsing only; the rules are in services/sessions.py."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import Application, CommissionMember, Vote


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=_("Place"), max_length=255)


class AttendanceForm(forms.Form):
    present = forms.ModelMultipleChoiceField(
        label=_("Present"),
        queryset=CommissionMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, commission, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = commission.members.order_by("role", "full_name", "pk")


class AgendaAddForm(forms.Form):
    """Applications of the commission to put on the agenda; the service says which cannot
    go on it and why."""

    applications = forms.ModelMultipleChoiceField(
        label=_("Applications"),
        queryset=Application.objects.none(),
        error_messages={"required": _("Tick at least one application.")},
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = Application.objects.filter(
            commission_id=session.commission_id
        ).select_related("teacher")


class AgendaRemoveForm(forms.Form):
    application = forms.ModelChoiceField(
        label=_("Application"), queryset=Application.objects.none()
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = Application.objects.filter(
            agenda_items__session=session
        )


VOTE_CHOICES = [("", pgettext_lazy("vote", "not yet")), *Vote.Choice.choices]
VOTE_FIELD = re.compile(r"^vote-(\d+)-(\d+)$")


class VotesForm(forms.Form):
    """The votes grid as sent: a field `vote-<agenda item id>-<member id>` per cell the
    page offered. Which cells may be voted in is the service's to say (present members,
    not the secretary, not sitting out), so the form takes every cell sent and only
    checks each value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = {}
        for name in self.data:
            match = VOTE_FIELD.match(name)
            if match:
                self.keys[name] = (int(match[1]), int(match[2]))
                self.fields[name] = forms.ChoiceField(choices=VOTE_CHOICES, required=False)

    def clean(self):
        if not self.keys:
            raise forms.ValidationError(_("There are no votes to save."))
        return super().clean()

    def votes(self) -> dict[tuple[int, int], str]:
        """(agenda item id, member id) -> "for", "against" or "" (no vote)."""
        return {key: self.cleaned_data[name] for name, key in self.keys.items()}


KEEP = "keep"


class CloseForm(forms.Form):
    """The protocol number and, for each application that does not meet the claimed
    category, whether the current category is kept or a lower one assigned."""

    protocol_number = forms.CharField(label=_("Protocol number"), max_length=40)

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for row in rows:
            name = f"lower-{row.item.pk}"
            self.fields[name] = forms.ChoiceField(
                label=_("No. %(number)s, %(teacher)s")
                % {"number": row.item.number, "teacher": row.application.teacher.full_name},
                choices=[(KEEP, _("keep the current category"))]
                + [
                    (str(c.pk), _("assign %(category)s") % {"category": c.name})
                    for c in row.state.lower_choices
                ],
                initial=KEEP,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.rows.append((row, name))

    @property
    def lower_fields(self) -> list:
        return [self[name] for _row, name in self.rows]

    def lower_choices(self) -> dict:
        """Agenda item id -> the lower category chosen, or None to keep the current one."""
        result = {}
        for row, name in self.rows:
            value = self.cleaned_data[name]
            categories = {str(c.pk): c for c in row.state.lower_choices}
            result[row.item.pk] = None if value == KEEP else categories[value]
        return result
