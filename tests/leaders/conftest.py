"""Leaders fixtures: the programme with an intake taking applications, and eligible teachers."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

from apps.leaders import services
from apps.leaders.models import Programme
from apps.teachers.models import Position
from tests.factories import TeacherFactory, UserFactory


@pytest.fixture(autouse=True)
def english(world):
    """The English interface: the messages asserted are the source texts, whatever the
    catalogues hold (signed-in users get it as their language too)."""
    for user in world.users.values():
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
    with translation.override("en"):
        yield


@pytest.fixture
def intake(world):
    today = timezone.localdate()
    programme = Programme.objects.create(
        region=world.region,
        name_kk="Білім берудегі өзгерістердің 1000 көшбасшысы",
        name_ru="1000 лидеров изменений в образовании",
    )
    intake = services.intake_create(
        actor=world.users["region_admin"],
        programme=programme,
        positions=Position.objects.filter(code__in=["teacher", "deputy-director"]),
        year=today.year,
        application_opens=today - dt.timedelta(days=5),
        application_closes=today + dt.timedelta(days=20),
        capacity=3,
    )
    return services.intake_set_status(
        intake=intake, actor=world.users["region_admin"], status="applications"
    )


def applicant(organization, **fields):
    """A teacher with an account, eligible by default (a teacher since 2008)."""
    user = UserFactory(preferred_language="en")
    from apps.accounts.models import Role
    from apps.accounts.services import role_assignment_create

    role_assignment_create(user=user, role=Role.TEACHER)
    return SimpleNamespace(
        teacher=TeacherFactory(organization=organization, user=user, **fields), user=user
    )
