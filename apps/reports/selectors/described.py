"""A report's filters in words, the one description the exported files, their names, the
monthly e-mail and the subscriptions page all show: the place (`scope`) and the other
filters as (label, value) pairs. The period is not part of it: each of them dates its
figures its own way (the export's chosen period, the summary's year to date)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from apps.organizations.models import District, InstructionLanguage, Organization, Region
from apps.teachers.models import Position

from ..forms import ReportFiltersForm
from .base import ReportFilters
from .scope import scope_unit


@dataclass(frozen=True)
class FiltersDescribed:
    """`scope`: the unit chosen (a school with its district), else the user's whole scope
    when it is one region or district, else all the teachers within their access; `named`
    says whether it names a place (a file's name carries it then). `details`: the type of
    organisation, the language of instruction and the position chosen, as (label, value)."""

    scope: str
    details: list[tuple[str, str]]
    named: bool = True


def report_filters_described(user, filters: ReportFilters) -> FiltersDescribed:
    """The filters of one report in words, for `user` (whose whole scope names a report of
    no unit; None: all the teachers within their access): a query per filter named."""
    return filters_described(user, [filters])[0]


def filters_described(user, many: Sequence[ReportFilters]) -> list[FiltersDescribed]:
    """Several reports' filters in words (a user's subscriptions), their names looked up in
    one query per kind of filter whatever their number, the user's scope once if needed."""
    places = {"organization": set(), "district": set(), "region": set()}
    for filters in many:
        if filters.level != "all":
            places[filters.level].add(getattr(filters, filters.level))
    found = {
        "organization": _in_bulk(
            Organization.objects.select_related("district"), places["organization"]
        ),
        "district": _in_bulk(District.objects.all(), places["district"]),
        "region": _in_bulk(Region.objects.all(), places["region"]),
        "teaching_language": _in_bulk(
            InstructionLanguage.objects.all(), {f.teaching_language for f in many}
        ),
        "position": _in_bulk(Position.objects.all(), {f.position for f in many}),
    }
    whole = None
    if user is not None and any(filters.level == "all" for filters in many):
        unit = scope_unit(user)
        whole = unit.name if unit is not None else None
    return [_described(filters, found, whole) for filters in many]


def _in_bulk(queryset, ids) -> dict:
    wanted = {pk for pk in ids if pk is not None}
    return queryset.in_bulk(wanted) if wanted else {}


def _described(filters: ReportFilters, found: dict, whole: str | None) -> FiltersDescribed:
    place = (
        None
        if filters.level == "all"
        else found[filters.level].get(getattr(filters, filters.level))
    )
    if isinstance(place, Organization):
        scope, named = f"{place.name} ({place.district.name})", True
    elif place is not None:
        scope, named = place.name, True
    elif whole:
        scope, named = whole, True
    else:
        scope, named = _("All the teachers within your access"), False
    fields = ReportFiltersForm.base_fields
    details = []
    if filters.organization_kind:
        kinds = dict(Organization.Kind.choices)
        kind = kinds.get(filters.organization_kind, filters.organization_kind)
        details.append((str(fields["organization_kind"].label), str(kind)))
    for name in ("teaching_language", "position"):
        row = found[name].get(getattr(filters, name))
        if row is not None:
            details.append((str(fields[name].label), row.name))
    return FiltersDescribed(scope=scope, details=details, named=named)
