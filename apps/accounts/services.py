"""Writes on accounts: language preference, role assignments, demo and staff accounts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import ROLE_SCOPES, RoleAssignment, User


def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language."))
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def _scope_kind(*, region, district, organization) -> str:
    if organization is not None:
        return "organization"
    if district is not None:
        return "district"
    if region is not None:
        return "region"
    return "none"


@transaction.atomic
def role_assignment_create(
    *, user: User, role: str, region=None, district=None, organization=None
) -> RoleAssignment:
    """Give a user a role over one scope, checking the scope fits the role."""
    set_scopes = [x for x in (region, district, organization) if x is not None]
    kind = _scope_kind(region=region, district=district, organization=organization)
    if len(set_scopes) > 1 or kind not in ROLE_SCOPES[role]:
        raise ValidationError(_("This scope does not fit the role."))
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, region=region, district=district, organization=organization
    )
    return assignment
