"""The user's scope as the reports name it."""

from apps.accounts.scopes import read_scope
from apps.organizations.models import District, Region


def scope_name(user) -> str | None:
    """The name of the one region or district that is the user's whole scope (the top of
    the drill-down's breadcrumb), None for a wider or patchier scope."""
    scope = read_scope(user)
    if scope.everything or scope.organization_ids:
        return None
    if len(scope.region_ids) == 1 and not scope.district_ids:
        return Region.objects.get(pk=next(iter(scope.region_ids))).name
    if len(scope.district_ids) == 1 and not scope.region_ids:
        return District.objects.get(pk=next(iter(scope.district_ids))).name
    return None
