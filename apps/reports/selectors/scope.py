"""The user's scope as the reports name it."""

from dataclasses import dataclass

from apps.accounts.scopes import all_region_ids, read_scope
from apps.organizations.models import District, Organization, Region


@dataclass(frozen=True)
class ScopeUnit:
    """The one region, district or organisation (`level`) that is a user's whole scope."""

    level: str
    pk: int
    name: str


def scope_unit(user) -> ScopeUnit | None:
    """The unit that is the user's whole scope, to be named at the top of the drill-down's
    breadcrumb: the one region, district or organisation of their assignments, or the one
    region there is when they may read everything (a superuser, or a regional user of the
    one region, whose scope `read_scope` widens to everything). None for a scope of several
    units."""
    scope = read_scope(user)
    if scope.everything:
        regions = all_region_ids()
        if len(regions) != 1:
            return None
        return _unit("region", Region, next(iter(regions)))
    units = [
        ("region", Region, scope.region_ids),
        ("district", District, scope.district_ids),
        ("organization", Organization, scope.organization_ids),
    ]
    held = [(level, model, ids) for level, model, ids in units if ids]
    if len(held) != 1 or len(held[0][2]) != 1:
        return None
    level, model, ids = held[0]
    return _unit(level, model, next(iter(ids)))


def _unit(level: str, model, pk: int) -> ScopeUnit:
    return ScopeUnit(level, pk, model.objects.get(pk=pk).name)
