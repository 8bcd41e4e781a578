"""A small region with known figures: six teachers of chosen categories, ages, experience
and languages, with their courses, attestation applications and leaders candidacies.

| teacher | school | position | category, valid until | age | exp. | sex | lang |
|---|---|---|---|---|---|---|---|
| t1 | A (city) | teacher | moderator, +1 month | 25 | 1 | F | kk |
| t2 | A (city) | teacher | expert, +4 months | 35 | 5 | M | ru |
| t3 | B (city) | deputy | expert, +10 months | 45 | 15 | F | kk |
| t4 | B (city) | teacher | none | 55 | ? | F | ? |
| t5 | C (Sairam) | teacher | moderator, expired | 62 | 30 | M | uz |
| t6 | D (Sairam college) | teacher | researcher, +3 years | 30 today | 3 today | F | kk |
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from apps.attestation.models import Application, AttestationCycle, Decision
from apps.core.dates import add_years
from apps.courses.models import EnrolmentEvent
from apps.leaders.models import Candidate, Intake, Programme
from apps.organizations.models import District, InstructionLanguage, Organization
from apps.reports.models import PdPlan
from apps.teachers.models import Position, QualificationCategory, Teacher
from tests.factories import (
    CourseFactory,
    CourseRunFactory,
    EnrolmentFactory,
    ExternalTrainingFactory,
    OrganizationFactory,
    next_iin,
)


def category(code):
    return QualificationCategory.objects.get(code=code) if code else None


def set_teacher(teacher, **fields):
    for name, value in fields.items():
        setattr(teacher, name, value)
    teacher.save()
    return teacher


def new_teacher(organization, **fields):
    birth_date = fields.pop("birth_date")
    return Teacher.objects.create(
        iin=next_iin(birth_date, fields.get("sex", "F")),
        last_name=f"Сынақ-{Teacher.objects.count():03d}",
        first_name="Айгүл",
        birth_date=birth_date,
        organization=organization,
        **fields,
    )


def run_ending(course, ends_on, *, days=10):
    return CourseRunFactory(
        course=course,
        starts_on=ends_on - dt.timedelta(days=days),
        ends_on=ends_on,
        enrolment_deadline=ends_on - dt.timedelta(days=days + 1),
        sessions=False,
    )


def cancelled(run, teacher, *, on_day):
    """A seat given up on `on_day` (relative to the run's first day)."""
    enrolment = EnrolmentFactory(run=run, teacher=teacher, status="cancelled")
    event = EnrolmentEvent.objects.create(
        enrolment=enrolment, from_status="confirmed", to_status="cancelled"
    )
    at = timezone.make_aware(dt.datetime.combine(run.starts_on + on_day, dt.time(12)))
    EnrolmentEvent.objects.filter(pk=event.pk).update(at=at)
    return enrolment


def completed(run, teacher):
    return EnrolmentFactory(
        run=run,
        teacher=teacher,
        status="completed",
        hours_credited=run.course.hours,
        completed_on=run.ends_on,
    )


def cycle_opening(region, opens, school_year):
    return AttestationCycle.objects.create(
        region=region,
        school_year=school_year,
        status="open",
        application_opens=opens,
        application_closes=opens + dt.timedelta(days=30),
        review_starts=opens + dt.timedelta(days=31),
        review_ends=opens + dt.timedelta(days=200),
        essay_topic_kk="Тақырып",
        essay_topic_ru="Тема",
    )


def application(cycle, teacher, status, claimed="expert", **fields):
    return Application.objects.create(
        cycle=cycle,
        teacher=teacher,
        status=status,
        organization=teacher.organization,
        position=teacher.position,
        current_category=teacher.category,
        claimed_category=category(claimed),
        level="district",
        **fields,
    )


def decide(app, outcome, **fields):
    return Decision.objects.create(
        application=app,
        outcome=outcome,
        claimed_category=app.claimed_category,
        assigned_category=None if outcome == "keep" else app.claimed_category,
        decided_on=timezone.localdate(),
        body_kk="Комиссия",
        body_ru="Комиссия",
        **fields,
    )


def candidate(intake, teacher, status):
    return Candidate.objects.create(
        intake=intake,
        teacher=teacher,
        status=status,
        organization=teacher.organization,
        motivation="Өзгерткім келеді.",
    )


@pytest.fixture
def known(world):
    today = timezone.localdate()
    year_start = dt.date(today.year, 1, 1)
    lang = {code: InstructionLanguage.objects.get(code=code) for code in ("kk", "ru", "uz")}
    teacher, deputy = (
        Position.objects.get(code="teacher"),
        Position.objects.get(code="deputy-director"),
    )
    college = OrganizationFactory(district=world.sairam, kind=Organization.Kind.COLLEGE)
    common = {"category_awarded_on": None, "position": teacher}
    t1 = set_teacher(
        world.teacher_a,
        **common,
        category=category("moderator"),
        category_valid_until=today + relativedelta(months=1),
        birth_date=add_years(today, -25) - dt.timedelta(days=40),
        experience_start=add_years(today, -1) - dt.timedelta(days=5),
        sex="F",
        teaching_language=lang["kk"],
    )
    t2 = new_teacher(
        world.school_a,
        **common,
        category=category("expert"),
        category_valid_until=today + relativedelta(months=4),
        birth_date=add_years(today, -35),
        experience_start=add_years(today, -5),
        sex="M",
        teaching_language=lang["ru"],
    )
    t3 = set_teacher(
        world.teacher_b,
        **{**common, "position": deputy},
        category=category("expert"),
        category_valid_until=today + relativedelta(months=10),
        birth_date=add_years(today, -45),
        experience_start=add_years(today, -15),
        sex="F",
        teaching_language=lang["kk"],
    )
    t4 = new_teacher(
        world.school_b,
        **common,
        category=None,
        category_valid_until=None,
        birth_date=add_years(today, -55),
        experience_start=None,
        sex="F",
        teaching_language=None,
    )
    t5 = set_teacher(
        world.teacher_c,
        **common,
        category=category("moderator"),
        category_valid_until=today - dt.timedelta(days=1),
        birth_date=add_years(today, -62),
        experience_start=add_years(today, -30),
        sex="M",
        teaching_language=lang["uz"],
    )
    t6 = new_teacher(
        college,
        **common,
        category=category("researcher"),
        category_valid_until=add_years(today, 3),
        birth_date=add_years(today, -30),
        experience_start=add_years(today, -3),
        sex="F",
        teaching_language=lang["kk"],
    )

    # PD: t1 and t3 complete a course this year (72 and 36 hours); t5 completed one exactly
    # 3 years ago; t2 one 4 years ago, and has external PD confirmed 2 years ago; t4 only a
    # certificate still waiting; t6 did not complete; t2 dropped out, t3 left before the start.
    course_x, course_y = CourseFactory(hours=72), CourseFactory(hours=36)
    run_x, run_y = run_ending(course_x, today), run_ending(course_y, today)
    completed(run_x, t1)
    completed(run_y, t3)
    EnrolmentFactory(run=run_x, teacher=t6, status="not_completed")
    EnrolmentFactory(run=run_x, teacher=t4, status="confirmed")  # results not recorded yet
    cancelled(run_x, t2, on_day=dt.timedelta(days=1))
    cancelled(run_x, t3, on_day=dt.timedelta(days=-2))
    completed(run_ending(course_y, add_years(today, -3)), t5)
    completed(run_ending(course_x, add_years(today, -4)), t2)
    ExternalTrainingFactory(
        teacher=t2,
        status="confirmed",
        starts_on=add_years(today, -2) - dt.timedelta(days=5),
        ends_on=add_years(today, -2),
    )
    ExternalTrainingFactory(teacher=t4, status="pending")

    other = District.objects.get(kato="6116")
    PdPlan.objects.create(year=today.year, district=world.city, planned_teachers=10)
    PdPlan.objects.create(year=today.year, district=world.sairam, planned_teachers=5)
    PdPlan.objects.create(year=today.year, district=other, planned_teachers=100)
    PdPlan.objects.create(year=today.year - 1, district=world.city, planned_teachers=999)

    # Attestation: this year's cycle (applications of last year's are not counted).
    cycle = cycle_opening(world.region, year_start, f"{today.year}-{today.year + 1}")
    last_year = cycle_opening(world.region, dt.date(today.year - 1, 1, 1), "previous")
    application(
        cycle, t1, "submitted", claimed="expert", accept_due_on=today - dt.timedelta(days=1)
    )
    decide(application(cycle, t2, "decided", claimed="expert"), "meets")
    a3 = application(cycle, t3, "decided", claimed="researcher")
    decide(a3, "meets", revised_at=timezone.now())  # overturned on appeal
    decide(a3, "lower")
    application(cycle, t4, "draft", claimed="moderator")
    decide(application(cycle, t5, "completed", claimed="expert"), "keep")
    application(cycle, t6, "accepted", claimed="master")
    decide(application(last_year, t1, "decided", claimed="moderator"), "meets")

    # Leaders: this year's intake (last year's is not counted).
    programme = Programme.objects.create(region=world.region, name_kk="1000", name_ru="1000")
    intake = Intake.objects.create(
        programme=programme,
        year=today.year,
        application_opens=year_start,
        application_closes=year_start,
        capacity=10,
    )
    old_intake = Intake.objects.create(
        programme=programme,
        year=today.year - 1,
        application_opens=dt.date(today.year - 1, 1, 1),
        application_closes=dt.date(today.year - 1, 1, 1),
        capacity=10,
    )
    for person, status in zip(
        (t1, t2, t3, t4, t5, t6),
        ("applied", "stopped", "admitted", "completed", "reserve", "appointed"),
        strict=True,
    ):
        candidate(intake, person, status)
    candidate(old_intake, t1, "appointed")
    return SimpleNamespace(
        world=world,
        today=today,
        teachers=(t1, t2, t3, t4, t5, t6),
        college=college,
        cycle=cycle,
        intake=intake,
        course_x=course_x,
        course_y=course_y,
    )
