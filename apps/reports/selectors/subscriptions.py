"""Reads of the monthly summary's subscriptions: a subscription's form of the filters, and
the user's subscriptions each with its filters in words."""

from django.http import QueryDict

from ..forms import FILTER_FIELDS
from ..models import SummarySubscription
from .base import ReportFilters
from .described import FiltersDescribed, filters_described

# What a subscription keeps of the dashboard's filters: where and whom, not when (each
# summary's period follows from the month it is sent for, see `summary_period`).
SUMMARY_FIELDS = tuple(name for name in FILTER_FIELDS if name not in ("period_start", "period_end"))
_ID_FIELDS = ("region", "district", "organization", "teaching_language", "position")


def summary_query(query: str) -> str:
    """A subscription's form of a report's query string: its filters other than the period,
    in the form's order, without empty values, so that the same filters always give the
    same string (a user subscribes once to them)."""
    data, kept = QueryDict(query), QueryDict(mutable=True)
    for name in SUMMARY_FIELDS:
        if data.get(name):
            kept[name] = data[name]
    return kept.urlencode()


def subscription_for(user, query: str) -> SummarySubscription | None:
    """The user's subscription to the summary of the dashboard as filtered by `query` (the
    period aside), or None: one query."""
    return SummarySubscription.objects.filter(user=user, query=summary_query(query)).first()


def subscriptions_described(user) -> list[tuple[SummarySubscription, FiltersDescribed]]:
    """The user's subscriptions, each with its filters in words: the names of all of them
    looked up in one query per kind of filter, whatever their number."""
    subscriptions = list(user.report_subscriptions.order_by("created_at", "pk"))
    described = filters_described(user, [_stored_filters(each.query) for each in subscriptions])
    return list(zip(subscriptions, described, strict=True))


def _stored_filters(query: str) -> ReportFilters:
    """A subscription's filters as it stored them, unchecked (the page only names them; the
    summary checks them against the user's scope when it is sent)."""
    data = QueryDict(query)
    ids = {
        name: int(value) if (value := data.get(name, "")).isdigit() else None for name in _ID_FIELDS
    }
    return ReportFilters(**ids, organization_kind=data.get("organization_kind", ""))
