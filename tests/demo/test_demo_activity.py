"""The demo region's activity: course runs in every state, certificates issued, revoked
and re-issued, and attestation applications at every step, all made by the services."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.attestation.models import (
    Application,
    AttestationCycle,
    CategoryCertificate,
    CategoryGrant,
    Sanction,
)
from apps.certificates.models import Certificate
from apps.courses.models import CourseRun, Enrolment, ExternalTraining
from apps.courses.selectors import runs_with_counts
from apps.demo.seed import demo_data_delete
from apps.leaders.models import Appointment, Candidate, Intake, Vacancy
from apps.leaders.selectors import outcomes_by_intake
from apps.reports.models import PdPlan
from apps.teachers.models import Teacher

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One demo region for the module (seeding takes seconds)."""
    with django_db_blocker.unblock():
        call_command("seed_demo", teachers=400, seed=1, stdout=io.StringIO())
        yield
        demo_data_delete()


def test_runs_in_every_state(seeded):
    today = timezone.localdate()
    states = {
        run.state(today=today, confirmed=run.confirmed): run
        for run in runs_with_counts(CourseRun.objects.select_related("course"))
    }
    assert set(states) == {s.value for s in CourseRun.State} - {CourseRun.State.CLOSED}
    assert states[CourseRun.State.FULL].waitlisted > 0
    assert Enrolment.objects.filter(status=Enrolment.Status.REQUESTED).exists()
    assert not Enrolment.objects.filter(
        run__cancelled_at__isnull=False, status=Enrolment.Status.CONFIRMED
    ).exists()


def test_certificates_issued_revoked_and_reissued(seeded):
    completed = Enrolment.objects.filter(status=Enrolment.Status.COMPLETED)
    in_force = Certificate.objects.exclude(status=Certificate.Status.REPLACED)
    assert sorted(in_force.values_list("enrolment_id", flat=True)) == sorted(
        completed.values_list("pk", flat=True)
    )
    revoked = Certificate.objects.get(status=Certificate.Status.REVOKED)
    assert revoked.revoke_reason
    replaced = Certificate.objects.get(status=Certificate.Status.REPLACED)
    assert replaced.replaced_by.status == Certificate.Status.VALID
    assert replaced.replaced_by.holder_name != replaced.holder_name  # the corrected name


def test_demo_teacher_has_something_in_every_place(seeded):
    teacher = Teacher.objects.get(user__email="teacher@demo.ustaz.kz")
    statuses = set(teacher.enrolments.values_list("status", flat=True))
    assert {"completed", "confirmed", "requested"} <= statuses
    assert teacher.certificates.filter(status=Certificate.Status.VALID).exists()
    assert teacher.external_trainings.filter(status=ExternalTraining.Status.PENDING).exists()
    assert teacher.applications.get().status == Application.Status.DRAFT


def test_attestation_applications_at_every_step(seeded):
    cycle = AttestationCycle.objects.get()
    assert cycle.window_open(timezone.localdate())
    statuses = set(cycle.applications.values_list("status", flat=True))
    assert statuses == {s.value for s in Application.Status}
    overdue = cycle.applications.filter(
        status=Application.Status.SUBMITTED, accept_due_on__lt=timezone.localdate()
    )
    assert overdue.exists()
    for application in cycle.applications.exclude(status=Application.Status.DRAFT):
        assert application.versions.count() == application.version >= 1
        assert application.events.count() >= 2


def test_provider_account_manages_the_orleu_runs(seeded):
    from apps.accounts.models import User

    provider = User.objects.get(email="provider@demo.ustaz.kz")
    assert not provider.role_assignments.exists()
    assert provider.provider_memberships.get().code == "ORL"
    assert CourseRun.objects.filter(trainer=provider).exists()


def test_a_name_correction_is_the_only_later_change_to_a_teacher(seeded):
    """Besides the appointments from the leaders' reserve (their order numbers end
    "-ж/қ") and the categories the attestation recorded (orders, sanctions, categories
    without attestation), each of which is in the teacher's history."""
    changes = Teacher.history.model.objects.exclude(history_type="+")
    appointments = changes.filter(history_change_reason__contains="-ж/қ")
    assert set(appointments.values_list("id", flat=True)) == set(
        Appointment.objects.values_list("candidate__teacher_id", flat=True)
    )
    attested = (
        set(CategoryCertificate.objects.values_list("teacher_id", flat=True))
        | set(Sanction.objects.values_list("teacher_id", flat=True))
        | set(CategoryGrant.objects.values_list("teacher_id", flat=True))
    )
    assert attested <= set(changes.values_list("id", flat=True))
    (change,) = changes.exclude(pk__in=appointments.values("pk")).exclude(id__in=attested)
    assert change.history_type == "~"
    replaced = Certificate.objects.get(status=Certificate.Status.REPLACED)
    assert change.id == replaced.teacher_id


def test_leaders_past_intake_with_its_reserve_and_appointments(seeded):
    from apps.accounts.models import User

    past, _current = Intake.objects.order_by("year")
    assert past.status == Intake.Status.FINISHED
    assert not past.stages.filter(closed_at__isnull=True).exists()
    admin = User.objects.get(email="admin@demo.ustaz.kz")
    groups = {g.intake: g.total for g in outcomes_by_intake(admin)}
    total = groups[past]
    assert 30 <= total.applicants <= 60
    assert total.admitted == past.capacity
    assert 0 < total.reserve <= total.completed <= total.admitted
    assert 0.6 <= total.appointment_rate <= 0.9
    assert total.median_days > 0
    appointed = Candidate.objects.filter(intake=past, status=Candidate.Status.APPOINTED)
    categories = set(appointed.values_list("teacher__category__code", flat=True))
    assert categories <= {"head-1", "deputy-1"}
    assert Appointment.objects.filter(order_number__endswith="-ж/қ").count() == total.appointed
    assert Vacancy.objects.filter(filled_by__isnull=False).exists()
    assert Vacancy.objects.filter(filled_by__isnull=True).exists()
    assert all(c.teacher.user.email.startswith("leader") for c in appointed)


def test_leaders_current_intake_in_selection(seeded):
    current = Intake.objects.order_by("year").last()
    assert current.status == Intake.Status.SELECTION
    assert current.application_closes < timezone.localdate()
    first, second, third, *later = current.stages.order_by("order")
    assert first.closed_at and second.closed_at and not third.closed_at
    assert third.results.exists()
    assert not any(stage.results.exists() for stage in later)
    statuses = set(current.candidates.values_list("status", flat=True))
    assert statuses == {Candidate.Status.APPLIED, Candidate.Status.STOPPED}


def test_every_district_with_teachers_has_this_and_last_years_plan(seeded):
    year = timezone.localdate().year
    districts = set(Teacher.objects.values_list("organization__district", flat=True))
    for plan_year in (year - 1, year):
        plans = PdPlan.objects.filter(year=plan_year)
        assert set(plans.values_list("district", flat=True)) == districts
        total = sum(plans.values_list("planned_teachers", flat=True))
        # About a quarter of the teachers, as the region's 16,000 of 67,000.
        assert abs(total - 400 * 16 / 67) <= len(districts)
    assert PdPlan.history.filter(history_user__email="admin@demo.ustaz.kz").exists()
