"""Staff who are themselves candidates take no part in deciding about their intake, and
intakes are managed by their own region's administrators."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.leaders import services
from apps.leaders.models import Candidate
from apps.organizations.models import Region
from tests.factories import UserFactory

from .conftest import applicant


def test_a_methodologist_who_applies_cannot_score_or_decide_the_intake(world, intake):
    person = applicant(world.school_a)
    role_assignment_create(user=person.user, role=Role.METHODOLOGIST, region=world.region)
    candidate = services.candidate_apply(
        intake=intake, teacher=person.teacher, actor=person.user, motivation="Көшбасшы болу."
    )
    intake = services.intake_set_status(
        intake=intake, actor=world.users["region_admin"], status="selection"
    )
    stage = intake.stages.get(order=1)
    with pytest.raises(PermissionDenied):
        services.stage_scores_record(
            stage=stage, scores={candidate.pk: Decimal(10)}, actor=person.user
        )
    with pytest.raises(PermissionDenied):
        services.stage_decide(stage=stage, actor=person.user)
    assert not candidate.results.exists()


def test_leaving_the_training_is_not_completing_it(world, intake):
    person = applicant(world.school_a)
    candidate = services.candidate_apply(
        intake=intake, teacher=person.teacher, actor=person.user, motivation="Көшбасшы болу."
    )
    Candidate.objects.filter(pk=candidate.pk).update(status="admitted")  # past selection
    candidate = services.candidate_withdraw(
        candidate=Candidate.objects.get(pk=candidate.pk), actor=person.user, reason="Ауырдым"
    )
    assert candidate.status == "not_completed"
    assert "Ауырдым" in candidate.events.last().comment


def test_an_administrator_of_another_region_cannot_move_the_intake(world, intake):
    other = Region.objects.create(kato="59", name_kk="Басқа облыс", name_ru="Другая область")
    outsider = UserFactory()
    role_assignment_create(user=outsider, role=Role.REGION_ADMIN, region=other)
    with pytest.raises(PermissionDenied):
        services.intake_set_status(intake=intake, actor=outsider, status="selection")
    intake.refresh_from_db()
    assert intake.status == "applications"
