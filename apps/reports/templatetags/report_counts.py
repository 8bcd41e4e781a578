"""A teacher count of the dashboard, linked to the teacher list that lists exactly them.

A tag rather than an included template: the page shows some two hundred counts, and an
include per count cost a tenth of the page's time."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag
def teacher_count(count, list_query, text=None):
    """The count (or `text`), as a link to the teacher list with `list_query` when there
    is someone to list (None: the figure does not count teachers; 0: nobody to list)."""
    shown = text or intcomma(count)
    if list_query is None or not count:
        return format_html("{}", shown)
    href = reverse("teachers:list") + (f"?{urlencode(list_query)}" if list_query else "")
    return format_html('<a class="count-link" href="{}" data-count="{}">{}</a>', href, count, shown)
