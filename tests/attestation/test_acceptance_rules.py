"""Who may answer an application, and resubmission of a returned one after the window."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.attestation import services
from apps.attestation.models import Application, AttestationCycle
from apps.teachers.models import QualificationCategory

from .conftest import credit_pd_hours, make_complete


def submitted(world, cycle):
    teacher_user = world.users["teacher"]
    application = services.application_start(
        cycle=cycle,
        teacher=world.teacher_a,
        claimed_category=QualificationCategory.objects.get(code="expert"),
        actor=teacher_user,
    )
    credit_pd_hours(world.teacher_a)
    make_complete(application, actor=teacher_user)
    return services.application_submit(application=application, actor=teacher_user)


def test_a_school_administrator_cannot_accept_their_own_application(world, cycle):
    # The teacher of school A also becomes its administrator.
    role_assignment_create(
        user=world.users["teacher"], role=Role.SCHOOL_ADMIN, organization=world.school_a
    )
    application = submitted(world, cycle)
    with pytest.raises(PermissionDenied):
        services.application_accept(application=application, actor=world.users["teacher"])
    result = services.applications_accept(applications=[application], actor=world.users["teacher"])
    assert result.accepted == [] and len(result.skipped) == 1
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    services.application_accept(application=application, actor=world.users["school_admin"])


def test_a_returned_application_is_resubmitted_after_the_window_closes(world, cycle):
    application = submitted(world, cycle)
    services.application_return(
        application=application, actor=world.users["school_admin"], comment="Эссе қысқа."
    )
    AttestationCycle.objects.filter(pk=cycle.pk).update(
        application_closes=timezone.localdate() - dt.timedelta(days=1)
    )
    application = services.application_submit(
        application=Application.objects.get(pk=application.pk), actor=world.users["teacher"]
    )
    assert application.status == Application.Status.SUBMITTED
    assert application.version == 2
