"""Which commission members sit out which application (DOMAIN.md): a member who is being
attested in the same cycle does not sit, and where the cycle says so a member who works
in the applicant's organisation sits out that application (an organisation's own
commission excepted: all its members work there). Computed, never stored, so a change of
an application or a seat is reflected at once."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from .models import Application, Commission, CommissionMember, Level

NOT_ATTESTED = (
    Application.Status.DRAFT,
    Application.Status.REFUSED,
    Application.Status.DISQUALIFIED,
)


def attested_member_ids(commission: Commission) -> set[int]:
    """The ids of the commission's members who are being attested in its cycle themselves:
    they do not sit at all, so neither the composition nor the quorum counts them. One
    query."""
    applicants = (
        Application.objects.filter(cycle_id=commission.cycle_id)
        .exclude(status__in=NOT_ATTESTED)
        .values("teacher__user_id")
    )
    return set(
        CommissionMember.objects.filter(
            commission_id=commission.pk, user_id__in=applicants
        ).values_list("pk", flat=True)
    )


def excluded_members(
    commission: Commission,
    applications: Iterable[Application],
    members: Iterable[CommissionMember] | None = None,
) -> dict[tuple[int, int], str]:
    """(application id, member id) -> why the member sits out, for every pair that does.
    Two queries at most, whatever the numbers (the applications need `cycle` loaded or
    share the commission's cycle)."""
    applications = list(applications)
    members = list(commission.members.all() if members is None else members)
    if not applications or not members:
        return {}
    attested = attested_member_ids(commission)
    same_organization = (
        commission.cycle.exclude_same_organization and commission.level != Level.ORGANIZATION
    )
    reasons = {}
    for application in applications:
        for member in members:
            if member.pk in attested:
                reason = _("is being attested in this cycle")
            elif same_organization and member.organization_id == application.organization_id:
                reason = _("works in the applicant's organisation")
            else:
                continue
            reasons[(application.pk, member.pk)] = reason
    return reasons


def member_exclusion(member: CommissionMember, application: Application) -> str | None:
    """Why this member sits out this application, or None."""
    return excluded_members(member.commission, [application], [member]).get(
        (application.pk, member.pk)
    )
