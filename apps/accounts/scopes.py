"""What part of the region a user may see or change, by role: the one scoping mechanism.

Every model family's selector (`visible_teachers(user)`, ...) turns a Scope into a
queryset filter with `Scope.q(...)`, naming the paths from its model to a district, an
organisation and the teacher's own user; object checks use `Scope.contains(...)`.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q

from apps.organizations.models import Region

from .models import Role

# Who reads the registry of teachers, and who changes it.
STAFF_READ_ROLES = frozenset(
    {
        Role.SCHOOL_ADMIN,
        Role.METHODOLOGIST,
        Role.COMMISSION_MEMBER,
        Role.HR_ANALYST,
        Role.REGION_ADMIN,
    }
)
STAFF_WRITE_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.METHODOLOGIST, Role.REGION_ADMIN})


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    region_ids: frozenset = field(default_factory=frozenset)
    district_ids: frozenset = field(default_factory=frozenset)
    organization_ids: frozenset = field(default_factory=frozenset)

    def q(self, *, organization: str, district: str, region: str) -> Q:
        """A filter for a queryset, given the lookup paths to organisation, district, region."""
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        if self.region_ids:
            q |= Q(**{f"{region}__in": self.region_ids})
        if self.district_ids:
            q |= Q(**{f"{district}__in": self.district_ids})
        if self.organization_ids:
            q |= Q(**{f"{organization}__in": self.organization_ids})
        return q

    def contains(self, *, organization_id, district_id, region_id) -> bool:
        return (
            self.everything
            or region_id in self.region_ids
            or district_id in self.district_ids
            or organization_id in self.organization_ids
        )


def role_assignments(user) -> list:
    """The user's role assignments, loaded once per request (cached on the user object)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_role_assignments", None)
    if cached is None:
        cached = list(user.role_assignments.all())
        user._role_assignments = cached
    return cached


def user_roles(user) -> set[str]:
    return {a.role for a in role_assignments(user)}


def scope_for(user, roles) -> Scope:
    """The union of the scopes of the user's assignments in these roles."""
    if not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    regions, districts, organizations = set(), set(), set()
    for a in role_assignments(user):
        if a.role not in roles:
            continue
        if a.region_id:
            regions.add(a.region_id)
        if a.district_id:
            districts.add(a.district_id)
        if a.organization_id:
            organizations.add(a.organization_id)
    if regions and regions >= all_region_ids():
        # Region-wide over every region there is: filtering would only add joins.
        return Scope(everything=True)
    return Scope(
        region_ids=frozenset(regions),
        district_ids=frozenset(districts),
        organization_ids=frozenset(organizations),
    )


def all_region_ids() -> frozenset:
    """Ids of all regions (a list that changes about never), cached for five minutes."""
    ids = cache.get("scopes:all_region_ids")
    if ids is None:
        ids = frozenset(Region.objects.values_list("pk", flat=True))
        cache.set("scopes:all_region_ids", ids, 300)
    return ids


def read_scope(user) -> Scope:
    return scope_for(user, STAFF_READ_ROLES)


def write_scope(user) -> Scope:
    return scope_for(user, STAFF_WRITE_ROLES)


def user_provider_ids(user) -> frozenset:
    """Ids of the PD providers whose staff the user is, loaded once per request.

    The membership lives on the provider (courses app); accounts reads it through the
    reverse relation, so it needs no import from the app above it."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_provider_ids", None)
    if cached is None:
        cached = frozenset(user.provider_memberships.values_list("pk", flat=True))
        user._provider_ids = cached
    return cached


def commission_seats(user) -> tuple:
    """The user's seats on attestation commissions as (commission id, role) pairs, loaded
    once per request. The seats are the attestation app's CommissionMember rows, read
    through the reverse relation."""
    if not user.is_authenticated or not user.is_active:
        return ()
    cached = getattr(user, "_commission_seats", None)
    if cached is None:
        cached = tuple(user.commission_seats.values_list("commission_id", "role"))
        user._commission_seats = cached
    return cached


def commission_seats_forget(user) -> None:
    """Drop the seats loaded on this user object (after giving it a seat, in a script or
    a test that goes on with the same object)."""
    user.__dict__.pop("_commission_seats", None)
