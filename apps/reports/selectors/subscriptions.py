"""Reads of the monthly summary's subscriptions: a subscription's form of the filters, the
filters described in words, and the user's subscriptions with theirs."""

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _

from apps.organizations.models import District, InstructionLanguage, Organization, Region
from apps.teachers.models import Position

from ..forms import FILTER_FIELDS, ReportFiltersForm
from ..models import SummarySubscription

# What a subscription keeps of the dashboard's filters: where and whom, not when (each
# summary's period follows from the month it is sent for, see `summary_period`).
SUMMARY_FIELDS = tuple(name for name in FILTER_FIELDS if name not in ("period_start", "period_end"))
# The filters' reference rows, by field: looked up together for a list of subscriptions.
_SUMMARY_REFERENCES = {
    "region": Region.objects.all(),
    "district": District.objects.all(),
    "organization": Organization.objects.select_related("district"),
    "teaching_language": InstructionLanguage.objects.all(),
    "position": Position.objects.all(),
}


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


@dataclass(frozen=True)
class SummaryFilters:
    """A subscription's filters in words: the place (`scope`) and the other filters as
    (label, value) pairs."""

    scope: str
    filters: list[tuple[str, str]]


def summary_filters(values: dict) -> SummaryFilters:
    """Describe filters given as the form's cleaned values (model rows and the type)."""
    place = values.get("organization") or values.get("district") or values.get("region")
    if isinstance(place, Organization):
        scope = f"{place.name} ({place.district.name})"
    elif place is not None:
        scope = place.name
    else:
        scope = _("All the teachers within your access")
    fields = ReportFiltersForm.base_fields
    filters = []
    kind = values.get("organization_kind")
    if kind:
        kinds = dict(Organization.Kind.choices)
        filters.append((str(fields["organization_kind"].label), str(kinds.get(kind, kind))))
    for name in ("teaching_language", "position"):
        if values.get(name) is not None:
            filters.append((str(fields[name].label), values[name].name))
    return SummaryFilters(scope=scope, filters=filters)


def subscriptions_described(user) -> list[tuple[SummarySubscription, SummaryFilters]]:
    """The user's subscriptions, each with its filters in words: the reference rows of all
    of them looked up in one query per kind of filter, whatever their number."""
    subscriptions = list(user.report_subscriptions.order_by("created_at", "pk"))
    data = [QueryDict(subscription.query) for subscription in subscriptions]

    def ids(name):
        return {int(value) for each in data if (value := each.get(name, "")).isdigit()}

    rows = {
        name: queryset.in_bulk(wanted) if (wanted := ids(name)) else {}
        for name, queryset in _SUMMARY_REFERENCES.items()
    }
    described = []
    for subscription, each in zip(subscriptions, data, strict=True):
        values = {
            name: rows[name].get(int(value)) if (value := each.get(name, "")).isdigit() else None
            for name in _SUMMARY_REFERENCES
        }
        values["organization_kind"] = each.get("organization_kind", "")
        described.append((subscription, summary_filters(values)))
    return described
