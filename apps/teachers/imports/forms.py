"""Forms of the import pages: the upload and the column mapping."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..selectors import editable_organizations
from .columns import FIELDS


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("XLSX or CSV (UTF-8 or Windows-1251, comma or semicolon separated)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        required=False,
        empty_label=_("From the BIN column of the file"),
        help_text=_("Rows without an organisation BIN go to this organisation."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organizations = editable_organizations(user).order_by("name_ru")
        self.fields["organization"].queryset = organizations
        if organizations.count() == 1:
            # A school administrator imports into their own school.
            only = organizations.get()
            self.fields["organization"].initial = only
            self.fields["organization"].empty_label = None


class ImportMappingForm(forms.Form):
    """One choice per column of the file: which field it holds, or nothing."""

    sheet = forms.ChoiceField(label=_("Sheet"), required=False)

    def __init__(self, *args, job, **kwargs):
        super().__init__(*args, **kwargs)
        if len(job.sheet_names) > 1:
            self.fields["sheet"].choices = [(name, name) for name in job.sheet_names]
            self.fields["sheet"].initial = job.sheet
        else:
            del self.fields["sheet"]
        choices = [("", _("— do not import —"))] + [
            (name, field.label) for name, field in FIELDS.items()
        ]
        for index, title in enumerate(job.header):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=title or _("Column %(number)d") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=job.mapping.get(str(index), ""),
            )

    def mapping(self) -> dict[int, str]:
        return {
            int(name.removeprefix("column_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("column_") and value
        }

    def column_fields(self):
        return [self[name] for name in self.fields if name.startswith("column_")]
