"""Cycles are managed by the administrators of their own region."""

import pytest
from django.core.exceptions import PermissionDenied

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.attestation import services
from apps.organizations.models import Region
from tests.factories import UserFactory


def test_an_administrator_of_another_region_cannot_open_or_close_a_cycle(world, cycle):
    other = Region.objects.create(kato="59", name_kk="Басқа облыс", name_ru="Другая область")
    outsider = UserFactory()
    role_assignment_create(user=outsider, role=Role.REGION_ADMIN, region=other)
    assert outsider.has_perm("attestation.manage_cycles")  # offered the pages at all
    with pytest.raises(PermissionDenied):
        services.cycle_set_status(cycle=cycle, actor=outsider, status="closed")
    with pytest.raises(PermissionDenied):
        services.cycle_create(
            actor=outsider,
            region=world.region,
            school_year="2027-2028",
            application_opens=cycle.application_opens,
            application_closes=cycle.application_closes,
            review_starts=cycle.review_starts,
            review_ends=cycle.review_ends,
            essay_topic_kk="Тақырып",
            essay_topic_ru="Тема",
        )
    cycle.refresh_from_db()
    assert cycle.status == "open"
