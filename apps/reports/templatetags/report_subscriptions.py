"""The dashboard's export and monthly-summary panels: the user's recent exports, whether
the user already has the summary of the filters shown, and the choices of its form."""

from types import SimpleNamespace

from django import template
from django.conf import settings

from ..models import ReportExport
from ..selectors.exports import recent_exports
from ..selectors.subscriptions import subscription_for

register = template.Library()


@register.simple_tag
def summary_panel(user, query: str) -> SimpleNamespace:
    """`subscription`: the user's subscription to the summary of these filters (the
    period aside), or None, in one query; `languages` and `formats`: the choices offered."""
    return SimpleNamespace(
        subscription=subscription_for(user, query),
        languages=settings.LANGUAGES,
        formats=ReportExport.Format.choices,
    )


@register.simple_tag
def recent_report_exports(user) -> list[ReportExport]:
    """The user's last five exports, newest first, in one query."""
    return recent_exports(user)
