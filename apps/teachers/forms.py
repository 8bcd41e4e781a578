"""The teacher create/edit form: field parsing only; the rules are in services.teacher_clean."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Teacher
from .selectors import editable_organizations
from .services import EDITABLE_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TeacherForm(forms.ModelForm):
    class Meta:
        model = Teacher
        fields = [*EDITABLE_FIELDS, "subjects"]
        widgets = {
            "birth_date": DateInput(),
            "experience_start": DateInput(),
            "category_awarded_on": DateInput(),
            "category_valid_until": DateInput(),
            "subjects": forms.SelectMultiple(attrs={"size": 6}),
            "iin": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}),
        }
        help_texts = {
            "birth_date": _("Filled in from the IIN if left empty."),
            "sex": _("Filled in from the IIN if left empty."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            editable_organizations(user)
            .select_related("district")
            .order_by("district__kato", "name_ru")
        )
        self.fields["birth_date"].required = False
        self.fields["sex"].required = False

    def _post_clean(self):
        # Model validation is the service's job (teacher_clean), so that the form, the admin
        # and the bulk import apply one set of rules; the view maps its errors to fields.
        pass

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        subjects = list(data.pop("subjects", []))
        return {"subjects": subjects, **data}
