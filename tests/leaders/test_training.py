"""Training of the "1000 leaders": modules and attendance, internships, mentoring,
reflective reports and their review, the completion rule and the reserve."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.core.dates import add_years
from apps.leaders import selectors, services
from apps.leaders.models import Candidate, Intake, ModuleAttendance, ReportReview
from tests.factories import UserFactory

from .conftest import applicant

TODAY = timezone.localdate


def admit(world, intake, count, organization=None):
    """`count` teachers of the organisation taken through the five stages into training,
    as tests/leaders/test_flow.py does it: [(candidate, their user)], in order."""
    staff = world.users["region_admin"]
    Intake.objects.filter(pk=intake.pk).update(capacity=count)
    intake.refresh_from_db()
    people = [applicant(organization or world.school_a) for _ in range(count)]
    candidates = [
        services.candidate_apply(
            intake=intake, teacher=p.teacher, actor=p.user, motivation="Мектепті өзгерткім келеді."
        )
        for p in people
    ]
    intake = services.intake_set_status(intake=intake, actor=staff, status="selection")
    for stage in intake.stages.order_by("order"):
        scores = {c.pk: stage.max_score for c in candidates}
        services.stage_scores_record(stage=stage, scores=scores, actor=staff)
        services.stage_decide(stage=stage, actor=staff)
    services.intake_set_status(intake=intake, actor=staff, status="training")
    admitted = [Candidate.objects.get(pk=c.pk) for c in candidates]
    assert {c.status for c in admitted} == {"admitted"}
    return [(candidate, person.user) for candidate, person in zip(admitted, people, strict=True)]


def add_module(intake, actor, *, days_ago=10, level="basic"):
    starts_on = TODAY() - dt.timedelta(days=days_ago)
    return services.module_save(
        intake=intake,
        actor=actor,
        level=level,
        title_kk="Көшбасшылық",
        title_ru="Лидерство",
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=2),
    )


def fulfil(world, candidate, user, *, scores=(80, 70)):
    """Internship with its report, a reflective report scored by reviewers."""
    staff = world.users["region_admin"]
    services.internship_set(
        candidate=candidate,
        actor=staff,
        host=world.school_b,
        starts_on=TODAY() - dt.timedelta(days=7),
        ends_on=TODAY() - dt.timedelta(days=2),
    )
    services.internship_report_submit(candidate=candidate, actor=user, report="Есеп")
    report = services.reflective_report_submit(candidate=candidate, actor=user, text="Рефлексия")
    reviewers = [staff, world.users["commission_member"], world.users["methodologist"]]
    for reviewer, score in zip(reviewers, scores, strict=False):
        services.report_review(report=report, actor=reviewer, score=Decimal(score))
    return report


@pytest.fixture
def cohort(world, intake):
    """Three participants of school A in training."""
    return admit(world, intake, 3)


@pytest.fixture
def staff(world):
    return world.users["region_admin"]


# --- modules and attendance -------------------------------------------------------------------


def test_module_save_checks_permission_and_dates(world, intake, cohort, staff):
    module = add_module(intake, staff, level="expert")
    assert (module.intake, module.level, module.title_ru) == (intake, "expert", "Лидерство")
    with pytest.raises(PermissionDenied):
        add_module(intake, cohort[0][1])
    with pytest.raises(PermissionDenied):  # a district methodologist: not the region's staff
        add_module(intake, world.users["methodologist"])
    with pytest.raises(ValidationError) as error:
        services.module_save(
            intake=intake,
            actor=staff,
            level="basic",
            title_kk="А",
            title_ru="Б",
            starts_on=TODAY(),
            ends_on=TODAY() - dt.timedelta(days=1),
        )
    assert "ends_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.module_save(
            intake=intake,
            actor=staff,
            level="master",
            title_kk=" ",
            title_ru="Б",
            starts_on=TODAY(),
            ends_on=TODAY(),
        )
    assert {"level", "title_kk"} <= set(error.value.message_dict)
    Intake.objects.filter(pk=intake.pk).update(status="finished")
    intake.refresh_from_db()
    with pytest.raises(ValidationError):
        add_module(intake, staff)


def test_attendance_only_for_participants_and_only_after_the_start(world, intake, cohort, staff):
    module = add_module(intake, staff)
    (first, _u1), (second, _u2), (third, _u3) = cohort
    assert services.module_attendance_mark(module=module, present={first.pk}, actor=staff) == 3
    marks = dict(ModuleAttendance.objects.filter(module=module).values_list("candidate", "present"))
    assert marks == {first.pk: True, second.pk: False, third.pk: False}

    outsider = applicant(world.school_a)  # not a candidate of the intake at all
    stranger = Candidate.objects.create(
        intake=intake,
        teacher=outsider.teacher,
        organization=world.school_a,
        status="stopped",
        motivation="-",
    )
    with pytest.raises(ValidationError):
        services.module_attendance_mark(module=module, present={stranger.pk}, actor=staff)
    with pytest.raises(PermissionDenied):
        services.module_attendance_mark(module=module, present={first.pk}, actor=cohort[0][1])

    future = add_module(intake, staff, days_ago=-3)
    with pytest.raises(ValidationError):
        services.module_attendance_mark(module=future, present={first.pk}, actor=staff)
    assert not ModuleAttendance.objects.filter(module=future).exists()


def test_module_sheet_lists_participants_with_their_marks(intake, cohort, staff):
    module = add_module(intake, staff)
    services.module_attendance_mark(module=module, present={cohort[1][0].pk}, actor=staff)
    sheet = selectors.module_sheet(module)
    assert {row.candidate.pk: row.present for row in sheet} == {
        cohort[0][0].pk: False,
        cohort[1][0].pk: True,
        cohort[2][0].pk: False,
    }


# --- internship, mentoring, reports ---------------------------------------------------------


def test_internship_report_only_by_the_participant(world, intake, cohort, staff):
    candidate, user = cohort[0]
    with pytest.raises(ValidationError):  # not placed yet
        services.internship_report_submit(candidate=candidate, actor=user, report="Есеп")
    services.internship_set(
        candidate=candidate,
        actor=staff,
        host=world.school_b,
        starts_on=TODAY(),
        ends_on=TODAY() + dt.timedelta(days=5),
    )
    with pytest.raises(PermissionDenied):
        services.internship_set(
            candidate=candidate,
            actor=user,
            host=world.school_b,
            starts_on=TODAY(),
            ends_on=TODAY(),
        )
    for other in (staff, cohort[1][1], world.users["teacher"]):
        with pytest.raises(PermissionDenied):
            services.internship_report_submit(candidate=candidate, actor=other, report="Есеп")
    internship = services.internship_report_submit(candidate=candidate, actor=user, report=" Есеп ")
    assert internship.report == "Есеп" and internship.report_submitted_at is not None


def test_mentor_meetings_by_the_mentor_or_staff_only(world, intake, cohort, staff):
    candidate, user = cohort[0]
    mentor = world.users["school_admin"]
    with pytest.raises(ValidationError):  # no mentor yet
        services.mentor_meeting_add(candidate=candidate, actor=staff, date=TODAY(), notes="x")
    services.mentor_assign(candidate=candidate, actor=staff, mentor=mentor)
    services.mentor_meeting_add(candidate=candidate, actor=mentor, date=TODAY(), notes="Жоспар")
    services.mentor_meeting_add(
        candidate=candidate, actor=staff, date=TODAY() - dt.timedelta(days=1), notes="Талдау"
    )
    for other in (user, world.users["commission_member"], world.users["no_role"]):
        with pytest.raises(PermissionDenied):
            services.mentor_meeting_add(candidate=candidate, actor=other, date=TODAY(), notes="x")
    with pytest.raises(PermissionDenied):
        services.mentor_assign(candidate=candidate, actor=mentor, mentor=mentor)
    meetings = selectors.mentor_meetings(candidate.mentorship)
    assert [m.notes for m in meetings] == ["Талдау", "Жоспар"]
    assert services.progress(candidate).mentor_meetings == 2


def test_one_review_per_reviewer_updated_in_place(world, intake, cohort, staff):
    candidate, user = cohort[0]
    report = services.reflective_report_submit(candidate=candidate, actor=user, text="Рефлексия")
    reviewer = world.users["commission_member"]
    services.report_review(report=report, actor=reviewer, score=Decimal(50), comment="Әлсіз")
    services.report_review(report=report, actor=reviewer, score=Decimal(75), comment="Жақсы")
    services.report_review(report=report, actor=staff, score=Decimal(90))
    reviews = ReportReview.objects.filter(report=report)
    assert reviews.count() == 2
    assert reviews.get(reviewer=reviewer).score == Decimal(75)
    summary = selectors.report_reviews(report)
    assert summary.mean == Decimal("82.50") == services.progress(candidate).report_score
    with pytest.raises(ValidationError):  # once scored, the text is final
        services.reflective_report_submit(candidate=candidate, actor=user, text="Басқа")
    with pytest.raises(PermissionDenied):  # a participant does not score
        services.report_review(report=report, actor=cohort[1][1], score=Decimal(100))
    with pytest.raises(ValidationError):
        services.report_review(report=report, actor=reviewer, score=Decimal("100.5"))


def test_report_queue_shows_reports_waiting_for_this_reviewer_in_scope(world, intake, cohort):
    reviewer = world.users["commission_member"]  # district of Turkistan city, as school A
    far = UserFactory()
    role_assignment_create(user=far, role=Role.COMMISSION_MEMBER, district=world.sairam)
    reports = [
        services.reflective_report_submit(candidate=c, actor=u, text="Рефлексия")
        for c, u in cohort[:2]
    ]
    assert [r.pk for r in selectors.report_queue(reviewer)] == [r.pk for r in reports]
    assert selectors.report_queue(far) == []
    assert selectors.report_queue(cohort[2][1]) == []
    services.report_review(report=reports[0], actor=reviewer, score=Decimal(70))
    assert [r.pk for r in selectors.report_queue(reviewer)] == [reports[1].pk]


# --- completion -------------------------------------------------------------------------------


def test_completion_rule_boundaries(world, intake, staff):
    Intake.objects.filter(pk=intake.pk).update(min_attendance_percent=80, min_report_score=60)
    (exact, exact_user), (low_score, low_user), (no_report, no_report_user), (short, short_user) = (
        admit(world, intake, 4)
    )
    intake.refresh_from_db()
    modules = [add_module(intake, staff, days_ago=30 - 5 * n) for n in range(5)]
    everyone = {exact.pk, low_score.pk, no_report.pk, short.pk}
    for n, module in enumerate(modules):
        present = set(everyone)
        if n == 0:
            present -= {exact.pk, low_score.pk, no_report.pk}  # 4 of 5: exactly 80%
        if n in (0, 1):
            present.discard(short.pk)  # 3 of 5: 60%
        services.module_attendance_mark(module=module, present=present, actor=staff)

    fulfil(world, exact, exact_user, scores=(60, 60))
    fulfil(world, low_score, low_user, scores=("59.98", 60))  # mean 59.99
    services.reflective_report_submit(candidate=no_report, actor=no_report_user, text="Рефлексия")
    services.report_review(report=no_report.reflective_report, actor=staff, score=Decimal(95))
    fulfil(world, short, short_user, scores=(90,))

    def check(candidate):
        return services.progress(candidate).completes(intake)

    assert services.progress(exact).attendance_percent == 80
    assert check(exact) == (True, [])
    ok, missing = check(low_score)
    assert not ok and len(missing) == 1 and "59.99" in missing[0]
    assert services.progress(low_score).report_score == Decimal("59.99")
    ok, missing = check(no_report)
    assert not ok and len(missing) == 1  # the internship report
    assert not services.progress(no_report).internship_report
    ok, missing = check(short)
    assert not ok and len(missing) == 1 and "60" in missing[0]

    # The cohort page counts exactly as the rule does.
    rows = {row.candidate.pk: row for row in selectors.cohort_rows(staff, intake).rows}
    for candidate in (exact, low_score, no_report, short):
        assert rows[candidate.pk].progress == services.progress(candidate)
        assert (rows[candidate.pk].completes, rows[candidate.pk].missing) == check(candidate)

    outcome = services.training_complete(intake=intake, actor=staff)
    assert outcome == {"completed": 1, "not_completed": 3}
    graduate = Candidate.objects.get(pk=exact.pk)
    assert graduate.status == "reserve"
    assert graduate.reserve_from == TODAY()
    assert graduate.reserve_until == add_years(TODAY(), intake.reserve_term_years)
    assert list(graduate.events.values_list("to_status", flat=True))[-2:] == [
        "completed",
        "reserve",
    ]
    failed = Candidate.objects.get(pk=low_score.pk)
    assert failed.status == "not_completed"
    assert "59.99" in failed.events.last().comment
    assert failed.reserve_from is None


def test_training_complete_is_for_training_staff_only(world, intake, cohort):
    for user in (cohort[0][1], world.users["methodologist"], world.users["hr_analyst"]):
        with pytest.raises(PermissionDenied):
            services.training_complete(intake=intake, actor=user)
    assert set(Candidate.objects.filter(intake=intake).values_list("status", flat=True)) == {
        "admitted"
    }


def test_candidate_training_gives_the_path(world, intake, cohort, staff):
    candidate, user = cohort[0]
    basic = add_module(intake, staff, days_ago=20, level="basic")
    expert = add_module(intake, staff, days_ago=10, level="expert")
    add_module(intake, staff, days_ago=-10, level="professional")
    services.module_attendance_mark(module=basic, present={candidate.pk}, actor=staff)
    services.module_attendance_mark(module=expert, present=set(), actor=staff)
    services.mentor_assign(candidate=candidate, actor=staff, mentor=world.users["school_admin"])
    services.mentor_meeting_add(candidate=candidate, actor=staff, date=TODAY(), notes="Жоспар")
    fulfil(world, candidate, user, scores=(70, 80))

    training = selectors.candidate_training(candidate)
    assert [(level.level, [m.present for m in level.modules]) for level in training.levels] == [
        ("basic", [True]),
        ("expert", [False]),
        ("professional", [None]),
    ]
    assert training.progress.attendance_percent == 33
    assert training.internship.host == world.school_b
    assert training.mentorship.mentor == world.users["school_admin"]
    assert len(training.meetings) == 1
    assert training.reviews.mean == Decimal("75.00")
    assert not training.completes and len(training.missing) == 1  # attendance only
