"""Small template helpers for the shared layout."""

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import ngettext

register = template.Library()

_BOOTSTRAP_CLASS = {
    "checkbox": "form-check-input",
    "select": "form-select",
    "selectmultiple": "form-select",
    "nullbooleanselect": "form-select",
}


@register.simple_tag
def widget(bound_field):
    """Render a form widget, marked invalid (for Bootstrap and screen readers) if it has errors."""
    widget = bound_field.field.widget
    css = widget.attrs.get("class") or _BOOTSTRAP_CLASS.get(bound_field.widget_type, "form-control")
    attrs = {"class": css}
    if bound_field.errors:
        attrs["class"] = f"{css} is-invalid"
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound_field.auto_id}_error_1"
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag
def interface_languages():
    """(code, name) pairs, each name in its own language (not translated into the current one)."""
    return settings.LANGUAGES


@register.simple_tag
def teacher_count(count):
    return ngettext("%(count)s teacher", "%(count)s teachers", count) % {
        "count": number_format(count, force_grouping=True)
    }


@register.filter
def is_past(day) -> bool:
    """Whether a date is before today (the region's calendar): an expired category."""
    return bool(day) and day < timezone.localdate()
