"""Changes to a run that must not undo its state, and enrolments that start afresh."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.courses import services
from apps.courses.models import CourseRun, Enrolment
from tests.factories import CourseRunFactory, EnrolmentFactory, run_with_sessions


def test_an_edit_from_an_older_copy_does_not_reopen_a_cancelled_run(world):
    admin = world.users["region_admin"]
    run = CourseRunFactory()
    stale = CourseRun.objects.get(pk=run.pk)  # the edit form loaded before the cancel
    services.run_cancel(run=run, actor=admin, reason="Тренер ауырып қалды")
    stale.capacity = 40
    with pytest.raises(ValidationError) as error:
        services.run_save(run=stale, actor=admin)
    assert error.value.code == "closed"
    run.refresh_from_db()
    assert run.cancelled_at is not None and run.capacity == 25


def test_cancelling_a_run_in_progress_cancels_those_attending(world):
    admin = world.users["region_admin"]
    run = run_with_sessions(past=2, future=3)
    enrolment = EnrolmentFactory(run=run, teacher=world.teacher_a)
    day = run.sessions.first()
    services.attendance_mark(run=run, present={(day.pk, enrolment.pk)}, actor=admin)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ATTENDED
    # The teacher alone cannot drop out of a course under way...
    with pytest.raises(ValidationError):
        services.enrolment_cancel(enrolment=enrolment, actor=world.users["teacher"])
    # ...but the whole run can be cancelled.
    services.run_cancel(run=run, actor=admin, reason="Карантин")
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CANCELLED


def test_enrolling_again_after_moving_counts_against_the_new_district(world):
    admin = world.users["region_admin"]
    run = CourseRunFactory()
    enrolment = services.enrolment_create(run=run, teacher=world.teacher_b, actor=admin)
    services.enrolment_cancel(enrolment=enrolment, actor=admin)
    teacher = world.teacher_b
    teacher.organization = world.school_c  # moved to Sairam district
    teacher.save()
    again = services.enrolment_create(run=run, teacher=teacher, actor=admin)
    again.refresh_from_db()
    assert again.pk == enrolment.pk
    assert again.district == world.sairam and again.status == Enrolment.Status.CONFIRMED


def test_staff_cannot_approve_their_own_request(world):
    school_admin = world.users["school_admin"]
    # The school administrator also teaches at school A, with their own record.
    role_assignment_create(user=school_admin, role=Role.TEACHER)
    world.teacher_b.organization = world.school_a
    world.teacher_b.user = school_admin
    world.teacher_b.save()
    run = CourseRunFactory(approval_required=True)
    request = services.enrolment_create(run=run, teacher=world.teacher_b, actor=school_admin)
    assert request.status == Enrolment.Status.REQUESTED
    with pytest.raises(PermissionDenied):
        services.enrolment_approve(enrolment=request, actor=school_admin)
    # Enrolling themself among others does not skip the approval either.
    result = services.enrolments_create(
        run=CourseRunFactory(approval_required=True),
        teachers=[world.teacher_b],
        actor=school_admin,
        allow_overlap=True,  # the same dates as the first run
    )
    assert [e.status for e in result.requested] == [Enrolment.Status.REQUESTED]
