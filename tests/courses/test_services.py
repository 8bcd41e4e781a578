"""The courses service layer: seats, waitlist, quotas, approval, the enrolment state machine
and its history, attendance, completion, PD hours, external certificates and e-mails."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from apps.courses import hooks, notifications, services
from apps.courses.models import (
    Attendance,
    DistrictQuota,
    Enrolment,
    EnrolmentEvent,
    ExternalTraining,
    RunSession,
)
from apps.courses.selectors import pd_hours, pd_period_start
from tests.factories import (
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    CourseFactory,
    CourseRunFactory,
    EnrolmentFactory,
    ExternalTrainingFactory,
    ProviderFactory,
    TeacherFactory,
    UserFactory,
    run_with_sessions,
)

S = Enrolment.Status


@pytest.fixture
def admin(world):
    return world.users["region_admin"]


@pytest.fixture
def certificates_hook(monkeypatch):
    """Stands in for the certificates app's hook (written separately, not under test here):
    records the enrolments that run_complete reports as completed."""
    calls = []
    monkeypatch.setattr(
        hooks, "_completed", [lambda *, enrolment_ids, actor: calls.append(set(enrolment_ids))]
    )
    return calls


@pytest.fixture
def rendered_languages(monkeypatch):
    """(template, active language) of every e-mail template rendered: proof of the language
    an e-mail was written in that does not depend on the translation catalogues."""
    from apps.core import mail as core_mail

    seen = []
    real = core_mail.render_to_string

    def spy(template_name, context=None, *args, **kwargs):
        seen.append((template_name, translation.get_language()))
        return real(template_name, context, *args, **kwargs)

    monkeypatch.setattr(core_mail, "render_to_string", spy)
    return seen


def teachers_in(school, n):
    return [TeacherFactory(organization=school) for _ in range(n)]


def with_account(teacher, language="kk"):
    teacher.user = UserFactory(preferred_language=language)
    teacher.save()
    return teacher


def enrol(run, teacher, actor, **kwargs):
    return services.enrolment_create(run=run, teacher=teacher, actor=actor, **kwargs)


def statuses(run):
    return dict(Enrolment.objects.filter(run=run).values_list("teacher_id", "status"))


def history(enrolment):
    return list(enrolment.events.values_list("from_status", "to_status"))


def waitlist(run):
    return list(
        Enrolment.objects.filter(run=run, status=S.WAITLISTED)
        .order_by("waitlisted_at", "pk")
        .values_list("teacher_id", flat=True)
    )


# --- seats and the waitlist -----------------------------------------------------------------


def test_seats_are_confirmed_while_they_last_then_the_waitlist_keeps_order(world, admin):
    run = CourseRunFactory(capacity=2)
    t1, t2, t3, t4 = teachers_in(world.school_a, 4)
    results = [enrol(run, t, admin).status for t in (t1, t2, t3, t4)]

    assert results == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED]
    assert waitlist(run) == [t3.pk, t4.pk]
    first = Enrolment.objects.get(run=run, teacher=t1)
    promoted = services.enrolment_cancel(enrolment=first, actor=admin, reason="ill")

    assert [e.teacher_id for e in promoted] == [t3.pk]
    assert statuses(run) == {
        t1.pk: S.CANCELLED,
        t2.pk: S.CONFIRMED,
        t3.pk: S.CONFIRMED,
        t4.pk: S.WAITLISTED,
    }
    assert Enrolment.objects.get(run=run, teacher=t3).waitlisted_at is None


def test_a_full_district_quota_waitlists_that_district_while_others_are_confirmed(world, admin):
    run = CourseRunFactory(capacity=3)
    DistrictQuota.objects.create(run=run, district=world.city, seats=1)

    assert enrol(run, world.teacher_a, admin).status == S.CONFIRMED
    assert enrol(run, world.teacher_b, admin).status == S.WAITLISTED  # the city's quota is full
    assert enrol(run, world.teacher_c, admin).status == S.CONFIRMED  # Sairam has no quota


def test_promotion_skips_a_district_whose_quota_is_full(world, admin):
    run = CourseRunFactory(capacity=2)
    DistrictQuota.objects.create(run=run, district=world.city, seats=1)
    sairam_1, sairam_2 = teachers_in(world.school_c, 2)
    enrol(run, world.teacher_a, admin)  # city, confirmed
    enrol(run, world.teacher_b, admin)  # city, waitlisted: quota
    enrol(run, sairam_1, admin)  # confirmed: the run is now full
    enrol(run, sairam_2, admin)  # waitlisted: capacity
    assert waitlist(run) == [world.teacher_b.pk, sairam_2.pk]

    services.enrolment_cancel(
        enrolment=Enrolment.objects.get(run=run, teacher=sairam_1), actor=admin
    )

    assert statuses(run)[world.teacher_b.pk] == S.WAITLISTED
    assert statuses(run)[sairam_2.pk] == S.CONFIRMED


def test_bulk_enrolment_reports_teachers_out_of_scope(world):
    run = CourseRunFactory(capacity=1)
    result = services.enrolments_create(
        run=run,
        teachers=[world.teacher_a, world.teacher_c, TeacherFactory(organization=world.school_a)],
        actor=world.users["school_admin"],
    )

    assert [e.teacher_id for e in result.confirmed] == [world.teacher_a.pk]
    assert len(result.waitlisted) == 1
    assert [t.pk for t, _reason in result.skipped] == [world.teacher_c.pk]


# --- approval, prerequisites, overlaps, deadlines -------------------------------------------


def test_self_enrolment_on_an_approval_run_waits_then_approval_places_it(world, admin):
    run = CourseRunFactory(capacity=1, approval_required=True)
    teacher_user = world.users["teacher"]

    requested = enrol(run, world.teacher_a, teacher_user)
    assert requested.status == S.REQUESTED
    assert enrol(run, world.teacher_b, admin).status == S.CONFIRMED  # staff skip approval

    with pytest.raises(PermissionDenied):
        services.enrolment_approve(enrolment=requested, actor=teacher_user)
    approved = services.enrolment_approve(enrolment=requested, actor=world.users["methodologist"])

    assert approved.status == S.WAITLISTED  # the only seat was taken meanwhile
    with pytest.raises(ValidationError) as excinfo:
        services.enrolment_approve(enrolment=requested, actor=admin)
    assert excinfo.value.code == "handled"


def test_approval_confirms_when_a_seat_is_free(world):
    run = CourseRunFactory(capacity=5, approval_required=True)
    requested = enrol(run, world.teacher_a, world.users["teacher"])

    approved = services.enrolment_approve(enrolment=requested, actor=world.users["school_admin"])

    assert approved.status == S.CONFIRMED
    assert history(approved) == [("", S.REQUESTED), (S.REQUESTED, S.CONFIRMED)]


def test_a_teacher_may_enrol_only_themself(world):
    run = CourseRunFactory()
    with pytest.raises(PermissionDenied):
        enrol(run, world.teacher_b, world.users["teacher"])
    assert not Enrolment.objects.exists()


def test_missing_prerequisites_refuse_the_enrolment(world, admin):
    basic = CourseFactory()
    advanced = CourseFactory(provider=basic.provider)
    advanced.prerequisites.add(basic)
    run = CourseRunFactory(course=advanced)

    with pytest.raises(ValidationError) as excinfo:
        enrol(run, world.teacher_a, admin)
    assert excinfo.value.code == "prerequisites"
    assert not Enrolment.objects.filter(run=run).exists()

    EnrolmentFactory(
        run=CourseRunFactory(course=basic), teacher=world.teacher_a, status=S.COMPLETED
    )
    assert enrol(run, world.teacher_a, admin).status == S.CONFIRMED


def test_overlapping_dates_warn_unless_allowed(world, admin):
    first = CourseRunFactory()
    second = CourseRunFactory(
        starts_on=first.starts_on + dt.timedelta(days=2),
        ends_on=first.ends_on + dt.timedelta(days=2),
        enrolment_deadline=first.enrolment_deadline,
    )
    enrol(first, world.teacher_a, admin)

    with pytest.raises(services.OverlapWarning) as excinfo:
        enrol(second, world.teacher_a, admin)
    assert excinfo.value.code == "overlap"
    assert excinfo.value.runs == [first]

    assert enrol(second, world.teacher_a, admin, allow_overlap=True).status == S.CONFIRMED


def test_a_cancelled_enrolment_does_not_overlap(world, admin):
    first = CourseRunFactory()
    second = CourseRunFactory(
        starts_on=first.starts_on,
        ends_on=first.ends_on,
        enrolment_deadline=first.enrolment_deadline,
    )
    services.enrolment_cancel(enrolment=enrol(first, world.teacher_a, admin), actor=admin)

    assert enrol(second, world.teacher_a, admin).status == S.CONFIRMED


def test_the_deadline_binds_teachers_and_the_first_day_binds_staff(world, admin):
    today = timezone.localdate()
    run = CourseRunFactory(
        starts_on=today + dt.timedelta(days=3), enrolment_deadline=today - dt.timedelta(days=1)
    )

    with pytest.raises(ValidationError) as excinfo:
        enrol(run, world.teacher_a, world.users["teacher"])
    assert excinfo.value.code == "deadline"
    assert enrol(run, world.teacher_b, admin).status == S.CONFIRMED

    started = run_with_sessions(past=2, future=3)
    with pytest.raises(ValidationError) as excinfo:
        enrol(started, world.teacher_c, admin)
    assert excinfo.value.code == "deadline"


def test_a_cancelled_run_takes_no_enrolments(world, admin):
    run = CourseRunFactory()
    services.run_cancel(run=run, actor=admin, reason="No trainer")

    with pytest.raises(ValidationError) as excinfo:
        enrol(run, world.teacher_a, admin)
    assert excinfo.value.code == "cancelled"


# --- the state machine and its history --------------------------------------------------------


def test_a_duplicate_enrolment_is_refused_and_changes_nothing(world, admin):
    run = CourseRunFactory()
    enrolment = enrol(run, world.teacher_a, admin)

    with pytest.raises(ValidationError) as excinfo:
        enrol(run, world.teacher_a, world.users["teacher"])

    assert excinfo.value.code == "duplicate"
    assert Enrolment.objects.filter(run=run).count() == 1
    assert history(enrolment) == [("", S.CONFIRMED)]


def test_re_enrolment_after_a_cancellation_reuses_the_record(world, admin):
    run = CourseRunFactory()
    enrolment = enrol(run, world.teacher_a, world.users["teacher"])
    services.enrolment_cancel(enrolment=enrolment, actor=world.users["teacher"], reason="busy")

    again = enrol(run, world.teacher_a, world.users["teacher"])

    assert again.pk == enrolment.pk
    assert again.status == S.CONFIRMED
    assert history(again) == [
        ("", S.CONFIRMED),
        (S.CONFIRMED, S.CANCELLED),
        (S.CANCELLED, S.CONFIRMED),
    ]
    cancel_event = again.events.get(to_status=S.CANCELLED)
    assert (cancel_event.comment, cancel_event.actor) == ("busy", world.users["teacher"])


def test_a_completed_enrolment_cannot_be_cancelled(world, admin):
    enrolment = EnrolmentFactory(teacher=world.teacher_a, status=S.COMPLETED, hours_credited=72)

    with pytest.raises(ValidationError) as excinfo:
        services.enrolment_cancel(enrolment=enrolment, actor=admin)

    assert excinfo.value.code == "transition"
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.hours_credited) == (S.COMPLETED, 72)
    assert not EnrolmentEvent.objects.exists()


def test_an_illegal_transition_is_refused_before_anything_changes(world, admin):
    enrolment = enrol(CourseRunFactory(capacity=1), world.teacher_a, admin)
    waiting = enrol(enrolment.run, world.teacher_b, admin)
    assert waiting.status == S.WAITLISTED

    with pytest.raises(ValidationError):
        services._transition(waiting, S.COMPLETED, actor=admin, hours_credited=72)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.hours_credited) == (S.WAITLISTED, 0)
    assert history(waiting) == [("", S.WAITLISTED)]


def test_every_transition_leaves_a_history_row(world, admin, certificates_hook):
    run = run_with_sessions(past=1, capacity=1)
    holder = EnrolmentFactory(run=run, teacher=world.teacher_b)
    waiting = EnrolmentFactory(
        run=run, teacher=world.teacher_a, status=S.WAITLISTED, waitlisted_at=timezone.now()
    )
    services.enrolment_cancel(enrolment=holder, actor=admin)  # the waiting one is promoted
    session = run.sessions.get()
    services.attendance_mark(run=run, present={(session.pk, waiting.pk)}, actor=admin)
    services.assessment_record(enrolment=waiting, passed=True, score=90, actor=admin)
    services.run_complete(run=run, actor=admin)

    assert history(waiting) == [
        (S.WAITLISTED, S.CONFIRMED),
        (S.CONFIRMED, S.ATTENDED),
        (S.ATTENDED, S.COMPLETED),
    ]
    assert set(waiting.events.values_list("actor", flat=True)) == {admin.pk}


# --- runs: quotas, capacity, cancellation -----------------------------------------------------


def test_district_quotas_above_the_capacity_are_refused(world, admin):
    run = CourseRunFactory(capacity=25)

    with pytest.raises(ValidationError) as excinfo:
        services.run_save(run=run, actor=admin, quotas={world.city.pk: 20, world.sairam.pk: 10})

    assert "capacity" in excinfo.value.error_dict
    assert not DistrictQuota.objects.exists()


def test_more_seats_promote_from_the_waitlist_in_order(world, admin):
    run = CourseRunFactory(capacity=1)
    t1, t2, t3 = teachers_in(world.school_a, 3)
    for teacher in (t1, t2, t3):
        enrol(run, teacher, admin)

    run.capacity = 2
    services.run_save(run=run, actor=admin)

    assert statuses(run) == {t1.pk: S.CONFIRMED, t2.pk: S.CONFIRMED, t3.pk: S.WAITLISTED}


def test_a_bigger_quota_promotes_from_that_district(world, admin):
    run = CourseRunFactory(capacity=5)
    services.run_save(run=run, actor=admin, quotas={world.city.pk: 1})
    enrol(run, world.teacher_a, admin)
    enrol(run, world.teacher_b, admin)
    assert statuses(run)[world.teacher_b.pk] == S.WAITLISTED

    services.run_save(run=run, actor=admin, quotas={world.city.pk: 2})

    assert statuses(run)[world.teacher_b.pk] == S.CONFIRMED


def test_cancelling_a_run_cancels_everyone_and_tells_them(
    world, admin, django_capture_on_commit_callbacks
):
    run = CourseRunFactory(capacity=1, approval_required=True)
    with_account(world.teacher_b, "ru")
    with_account(world.teacher_c, "kk")
    requested = enrol(run, world.teacher_a, world.users["teacher"])
    enrol(run, world.teacher_b, admin)  # confirmed
    enrol(run, world.teacher_c, admin)  # waitlisted
    with pytest.raises(ValidationError):
        services.run_cancel(run=run, actor=admin, reason="  ")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.run_cancel(run=run, actor=admin, reason="The trainer is ill")

    run.refresh_from_db()
    assert run.cancelled_at is not None
    assert set(statuses(run).values()) == {S.CANCELLED}
    assert requested.events.last().comment == "The trainer is ill"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.users["teacher"].email, world.teacher_b.user.email, world.teacher_c.user.email]
    )
    assert all("The trainer is ill" in m.body for m in mail.outbox)


def test_a_run_with_results_cannot_be_cancelled(world, admin, certificates_hook):
    run = run_with_sessions(past=1)
    services.run_complete(run=run, actor=admin)

    with pytest.raises(ValidationError):
        services.run_cancel(run=run, actor=admin, reason="late")


# --- attendance -------------------------------------------------------------------------------


@pytest.fixture
def group(world):
    """A run in its third of five days with two participants, and one on the waitlist."""
    run = run_with_sessions(past=3, future=2)
    first = EnrolmentFactory(run=run, teacher=world.teacher_a)
    second = EnrolmentFactory(run=run, teacher=world.teacher_b)
    waiting = EnrolmentFactory(
        run=run, teacher=world.teacher_c, status=S.WAITLISTED, waitlisted_at=timezone.now()
    )
    days = list(run.sessions.all())
    return run, first, second, waiting, days


def marks(run):
    return {
        (session_id, enrolment_id): present
        for session_id, enrolment_id, present in Attendance.objects.filter(
            session__run=run
        ).values_list("session_id", "enrolment_id", "present")
    }


def test_attendance_covers_the_days_begun_and_makes_participants_attending(world, admin, group):
    run, first, second, _waiting, days = group

    written = services.attendance_mark(
        run=run,
        present={(days[0].pk, first.pk), (days[1].pk, first.pk), (days[0].pk, second.pk)},
        actor=admin,
    )

    assert written == 6  # three days begun x two participants
    assert marks(run) == {
        (days[0].pk, first.pk): True,
        (days[1].pk, first.pk): True,
        (days[2].pk, first.pk): False,
        (days[0].pk, second.pk): True,
        (days[1].pk, second.pk): False,
        (days[2].pk, second.pk): False,
    }
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (S.ATTENDED, S.ATTENDED)
    assert history(first)[-1] == (S.CONFIRMED, S.ATTENDED)


def test_attendance_replaces_the_marks_of_the_days_given(world, admin, group):
    run, first, second, _waiting, days = group
    services.attendance_mark(
        run=run, present={(days[0].pk, first.pk), (days[1].pk, second.pk)}, actor=admin
    )

    services.attendance_mark(
        run=run, present={(days[0].pk, second.pk)}, actor=admin, dates=[days[0].date]
    )

    assert marks(run)[(days[0].pk, first.pk)] is False
    assert marks(run)[(days[0].pk, second.pk)] is True
    assert marks(run)[(days[1].pk, second.pk)] is True  # another day: kept
    first.refresh_from_db()
    assert first.status == S.ATTENDED  # once attending, an absence does not undo it


@pytest.mark.parametrize("which", ["future day", "waitlisted"])
def test_attendance_refuses_days_not_begun_and_non_participants(world, admin, group, which):
    run, first, _second, waiting, days = group
    pair = (days[4].pk, first.pk) if which == "future day" else (days[0].pk, waiting.pk)

    with pytest.raises(ValidationError):
        services.attendance_mark(run=run, present={(days[0].pk, first.pk), pair}, actor=admin)

    assert not Attendance.objects.exists()
    first.refresh_from_db()
    assert first.status == S.CONFIRMED


def test_future_days_are_never_written(world, admin, group):
    run, _first, _second, _waiting, days = group

    services.attendance_mark(run=run, present=set(), actor=admin, dates=[d.date for d in days])

    assert {session for session, _e in marks(run)} == {d.pk for d in days[:3]}


def test_who_may_mark_attendance(world, group):
    run, first, _second, _waiting, days = group
    trainer, provider_staff, other_staff = UserFactory(), UserFactory(), UserFactory()
    run.trainer = trainer
    run.save()
    run.course.provider.staff.add(provider_staff)
    ProviderFactory().staff.add(other_staff)
    present = {(days[0].pk, first.pk)}

    for refused in (other_staff, world.users["teacher"], world.users["methodologist"]):
        with pytest.raises(PermissionDenied):
            services.attendance_mark(run=run, present=present, actor=refused)
    for allowed in (trainer, provider_staff):
        assert services.attendance_mark(run=run, present=present, actor=allowed) == 6


# --- assessment and completion ------------------------------------------------------------------


def test_the_assessment_score_is_checked(world, admin, group):
    _run, first, _second, waiting, _days = group

    with pytest.raises(ValidationError) as excinfo:
        services.assessment_record(enrolment=first, passed=True, score=101, actor=admin)
    assert "score" in excinfo.value.error_dict
    with pytest.raises(ValidationError):
        services.assessment_record(enrolment=waiting, passed=True, score=None, actor=admin)

    services.assessment_record(enrolment=first, passed=False, score=35, actor=admin)
    first.refresh_from_db()
    assert (first.assessment_passed, first.assessment_score) == (False, 35)


@pytest.mark.parametrize(
    ("sessions", "present", "passed", "minimum", "required", "expected"),
    [
        (5, 4, True, 80, True, (80, True, True)),  # exactly the minimum
        (5, 3, True, 80, True, (60, False, True)),
        (5, 5, False, 80, True, (100, True, False)),
        (5, 5, None, 80, True, (100, True, False)),  # not assessed yet
        (5, 5, None, 80, False, (100, True, True)),  # no assessment needed
        (3, 2, True, 67, True, (66, False, True)),  # percent rounds down
        (0, 0, True, 80, True, (0, False, True)),  # a run without session days
        (0, 0, None, 0, False, (0, True, True)),
    ],
)
def test_the_completion_rule(sessions, present, passed, minimum, required, expected):
    course = SimpleNamespace(min_attendance_percent=minimum, assessment_required=required)

    check = services.completion_check(
        course=course, sessions=sessions, present=present, passed=passed
    )

    assert (check.attendance_percent, check.attendance_ok, check.assessment_ok) == expected
    assert check.completed == (expected[1] and expected[2])


def test_completing_a_run_applies_the_rule_credits_hours_and_calls_the_hook(
    world, admin, certificates_hook
):
    run = run_with_sessions(past=5)  # ends today
    school = world.school_a
    full, boundary, too_few, failed, unassessed = (
        EnrolmentFactory(run=run, teacher=t) for t in teachers_in(school, 5)
    )
    waiting = EnrolmentFactory(
        run=run, teacher=world.teacher_a, status=S.WAITLISTED, waitlisted_at=timezone.now()
    )
    days = list(run.sessions.all())
    attended = {full: 5, boundary: 4, too_few: 3, failed: 5, unassessed: 5}
    services.attendance_mark(
        run=run,
        present={(d.pk, e.pk) for e, n in attended.items() for d in days[:n]},
        actor=admin,
    )
    for enrolment in (full, boundary, too_few):
        services.assessment_record(enrolment=enrolment, passed=True, score=75, actor=admin)
    services.assessment_record(enrolment=failed, passed=False, score=20, actor=admin)

    result = services.run_complete(run=run, actor=admin)

    assert result == {"completed": 2, "not_completed": 3}
    rows = {
        e.pk: (e.status, e.attendance_percent, e.hours_credited, e.completed_on)
        for e in Enrolment.objects.filter(run=run)
    }
    assert rows == {
        full.pk: (S.COMPLETED, 100, 72, run.ends_on),
        boundary.pk: (S.COMPLETED, 80, 72, run.ends_on),
        too_few.pk: (S.NOT_COMPLETED, 60, 0, None),
        failed.pk: (S.NOT_COMPLETED, 100, 0, None),
        unassessed.pk: (S.NOT_COMPLETED, 100, 0, None),
        waiting.pk: (S.CANCELLED, None, 0, None),
    }
    assert too_few.events.last().comment  # the reason is kept in the history
    assert certificates_hook == [{full.pk, boundary.pk}]
    run.refresh_from_db()
    assert run.completed_at is not None
    with pytest.raises(ValidationError) as excinfo:
        services.run_complete(run=run, actor=admin)
    assert excinfo.value.code == "completed"
    with pytest.raises(ValidationError):
        services.assessment_record(enrolment=failed, passed=True, score=90, actor=admin)


def test_a_course_without_assessment_completes_on_attendance_alone(world, admin, certificates_hook):
    course = CourseFactory(assessment_required=False, min_attendance_percent=50, hours=24)
    run = run_with_sessions(past=2, course=course)
    enrolment = EnrolmentFactory(run=run, teacher=world.teacher_a)
    services.attendance_mark(
        run=run, present={(run.sessions.first().pk, enrolment.pk)}, actor=admin
    )

    services.run_complete(run=run, actor=admin)

    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.hours_credited) == (S.COMPLETED, 24)


def test_a_run_without_session_days_completes_no_one_with_a_minimum(
    world, admin, certificates_hook
):
    run = run_with_sessions(past=1)
    RunSession.objects.filter(run=run).delete()
    enrolment = EnrolmentFactory(run=run, teacher=world.teacher_a, assessment_passed=True)

    assert services.run_complete(run=run, actor=admin) == {"completed": 0, "not_completed": 1}
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.attendance_percent) == (S.NOT_COMPLETED, 0)


def test_results_are_recorded_only_from_the_last_day(world, admin, certificates_hook):
    run = run_with_sessions(past=2, future=1)
    EnrolmentFactory(run=run, teacher=world.teacher_a)

    with pytest.raises(ValidationError):
        services.run_complete(run=run, actor=admin)

    run.refresh_from_db()
    assert run.completed_at is None
    assert certificates_hook == []
    assert statuses(run) == {world.teacher_a.pk: S.CONFIRMED}


def test_a_failing_certificates_hook_rolls_the_completion_back(world, admin, monkeypatch):
    run = run_with_sessions(past=1)
    enrolment = EnrolmentFactory(run=run, teacher=world.teacher_a, assessment_passed=True)
    services.attendance_mark(run=run, present={(run.sessions.get().pk, enrolment.pk)}, actor=admin)

    def broken(**kwargs):
        raise RuntimeError("PDF renderer down")

    monkeypatch.setattr(hooks, "_completed", [broken])
    with pytest.raises(RuntimeError):
        services.run_complete(run=run, actor=admin)

    enrolment.refresh_from_db()
    run.refresh_from_db()
    assert (enrolment.status, enrolment.hours_credited, run.completed_at) == (S.ATTENDED, 0, None)


# --- PD hours -----------------------------------------------------------------------------------


def external(teacher, *, hours, status, ends_on):
    return ExternalTrainingFactory(
        teacher=teacher,
        hours=hours,
        status=status,
        starts_on=ends_on - dt.timedelta(days=5),
        ends_on=ends_on,
    )


def test_pd_hours_count_completed_courses_and_confirmed_external_pd_in_the_period(world):
    teacher = world.teacher_a
    since, until = dt.date(2023, 5, 10), dt.date(2026, 5, 10)
    day = dt.timedelta(days=1)
    EnrolmentFactory(teacher=teacher, status=S.COMPLETED, hours_credited=72, completed_on=since)
    EnrolmentFactory(
        teacher=teacher, status=S.COMPLETED, hours_credited=36, completed_on=since - day
    )
    EnrolmentFactory(teacher=teacher, status=S.COMPLETED, hours_credited=24, completed_on=until)
    EnrolmentFactory(teacher=teacher, status=S.NOT_COMPLETED, completed_on=until)
    Status = ExternalTraining.Status
    external(teacher, hours=18, status=Status.CONFIRMED, ends_on=until)
    external(teacher, hours=12, status=Status.CONFIRMED, ends_on=until + day)
    external(teacher, hours=100, status=Status.PENDING, ends_on=until)
    external(teacher, hours=100, status=Status.REJECTED, ends_on=until)
    other = external(TeacherFactory(), hours=50, status=Status.CONFIRMED, ends_on=since - day)

    period = pd_hours(teacher_ids=[teacher.pk, other.teacher_id], since=since, until=until)
    overall = pd_hours(teacher_ids=[teacher.pk, other.teacher_id])

    assert (period[teacher.pk].courses, period[teacher.pk].external) == (96, 18)
    assert period[teacher.pk].total == 114
    assert period[other.teacher_id].total == 0
    assert (overall[teacher.pk].courses, overall[teacher.pk].external) == (132, 30)
    assert overall[other.teacher_id].external == 50


def test_pd_hours_of_a_teacher_without_pd_are_zero(world):
    hours = pd_hours(teacher_ids=[world.teacher_c.pk])[world.teacher_c.pk]
    assert (hours.courses, hours.external, hours.total) == (0, 0, 0)


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (dt.date(2026, 5, 10), dt.date(2023, 5, 10)),
        (dt.date(2028, 2, 29), dt.date(2025, 2, 28)),
    ],
)
def test_the_pd_period_is_the_last_three_years(today, start):
    assert pd_period_start(today) == start


def test_completed_runs_count_in_pd_hours(world, admin, certificates_hook):
    run = run_with_sessions(past=1)
    enrolment = EnrolmentFactory(run=run, teacher=world.teacher_a, assessment_passed=True)
    services.attendance_mark(run=run, present={(run.sessions.get().pk, enrolment.pk)}, actor=admin)
    services.run_complete(run=run, actor=admin)

    hours = pd_hours(teacher_ids=[world.teacher_a.pk], since=pd_period_start())
    assert hours[world.teacher_a.pk].courses == 72


# --- external PD certificates -------------------------------------------------------------------


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def external_values(**overrides):
    today = timezone.localdate()
    values = {
        "title": "Критериальное оценивание",
        "provider_name": "ЦПМ НИШ",
        "number": "CPM-000777",
        "hours": 36,
        "starts_on": today - dt.timedelta(days=20),
        "ends_on": today - dt.timedelta(days=10),
    }
    return {**values, **overrides}


def create_external(world, file, **overrides):
    return services.external_training_create(
        teacher=world.teacher_a,
        actor=world.users["teacher"],
        file=file,
        **external_values(**overrides),
    )


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("certificate.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64, "file_type"),
        ("certificate.pdf", b"Just a text file pretending to be a PDF.\n", "file_type"),
        ("scan.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "file_type"),
        ("certificate.pdf", b"", "empty"),
    ],
)
def test_an_upload_is_typed_by_its_content(world, name, content, code):
    with pytest.raises(ValidationError) as excinfo:
        create_external(world, upload(name, content))

    assert excinfo.value.code == code
    assert not ExternalTraining.objects.exists()


def test_a_too_large_upload_is_refused(world, settings):
    settings.EXTERNAL_PD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as excinfo:
        create_external(world, upload("certificate.pdf", PDF_BYTES + b"0" * 1024))

    assert excinfo.value.code == "too_large"


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("c.pdf", PDF_BYTES, "pdf"), ("c.png", PNG_BYTES, "png"), ("photo.jpg", JPEG_BYTES, "jpeg")],
)
def test_real_pdf_png_and_jpeg_files_are_accepted(world, name, content, kind):
    item = create_external(world, upload(name, content))

    assert (item.file_type, item.status, item.uploaded_by) == (
        kind,
        ExternalTraining.Status.PENDING,
        world.users["teacher"],
    )
    assert item.file.name.startswith(f"external-pd/{world.teacher_a.pk}/")
    assert name not in item.file.name  # the uploaded name is never reused
    with item.file.open("rb") as stored:
        assert stored.read() == content


def test_external_pd_is_uploaded_by_the_teacher_only_and_not_for_the_future(world):
    with pytest.raises(PermissionDenied):
        services.external_training_create(
            teacher=world.teacher_a,
            actor=world.users["methodologist"],
            file=upload("c.pdf", PDF_BYTES),
            **external_values(),
        )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        create_external(world, upload("c.pdf", PDF_BYTES), ends_on=tomorrow)
    assert "ends_on" in excinfo.value.error_dict


def test_review_confirms_or_rejects_with_a_reason_once(world):
    methodologist = world.users["methodologist"]
    confirmed = ExternalTrainingFactory(teacher=world.teacher_a)
    rejected = ExternalTrainingFactory(teacher=world.teacher_b)

    item = services.external_training_review(item=confirmed, actor=methodologist, confirm=True)
    assert (item.status, item.reviewed_by) == (ExternalTraining.Status.CONFIRMED, methodologist)
    assert item.reviewed_at is not None

    with pytest.raises(ValidationError) as excinfo:
        services.external_training_review(
            item=rejected, actor=methodologist, confirm=False, comment="  "
        )
    assert "comment" in excinfo.value.error_dict
    item = services.external_training_review(
        item=rejected, actor=methodologist, confirm=False, comment="The scan is unreadable."
    )
    assert (item.status, item.review_comment) == (
        ExternalTraining.Status.REJECTED,
        "The scan is unreadable.",
    )

    with pytest.raises(ValidationError):
        services.external_training_review(
            item=confirmed, actor=world.users["region_admin"], confirm=False, comment="no"
        )
    confirmed.refresh_from_db()
    assert confirmed.status == ExternalTraining.Status.CONFIRMED


@pytest.mark.parametrize("role", ["methodologist", "school_admin", "hr_analyst", "teacher"])
def test_who_may_not_review(world, role):
    # The city's methodologist for a Sairam teacher; the others are not PD reviewers.
    item = ExternalTrainingFactory(
        teacher=world.teacher_c if role == "methodologist" else world.teacher_a
    )

    with pytest.raises(PermissionDenied):
        services.external_training_review(item=item, actor=world.users[role], confirm=True)

    item.refresh_from_db()
    assert item.status == ExternalTraining.Status.PENDING


# --- e-mails ------------------------------------------------------------------------------------


def test_the_confirmation_is_written_in_the_recipients_language(
    world, admin, settings, rendered_languages, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL = "https://ustaz.example.kz/"
    course = CourseFactory(title_ru="Математика & физика: STEM-подход")
    run = CourseRunFactory(course=course, online_url="https://meet.example.kz/pd-42")
    teacher = with_account(world.teacher_b, "ru")

    with django_capture_on_commit_callbacks(execute=True):
        enrol(run, teacher, admin)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [teacher.user.email]
    assert rendered_languages == [
        ("courses/email/confirmed_subject.txt", "ru"),
        ("courses/email/confirmed.txt", "ru"),
    ]
    assert "Математика & физика: STEM-подход" in message.subject  # Russian title, unescaped
    assert "\n" not in message.subject
    assert f"https://ustaz.example.kz/courses/runs/{run.pk}/" in message.body
    assert run.location in message.body
    assert "https://meet.example.kz/pd-42" in message.body
    assert "&amp;" not in message.body  # plain text: nothing HTML-escaped


def test_a_promotion_is_written_in_the_promoted_teachers_language(
    world, admin, rendered_languages, django_capture_on_commit_callbacks
):
    run = CourseRunFactory(capacity=1)
    holder = enrol(run, with_account(world.teacher_b, "ru"), admin)
    promoted = with_account(world.teacher_c, "kk")
    enrol(run, promoted, admin)
    mail.outbox.clear()
    rendered_languages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_cancel(enrolment=holder, actor=admin)

    assert [m.to for m in mail.outbox] == [[promoted.user.email]]
    assert {language for _t, language in rendered_languages} == {"kk"}
    assert {template for template, _l in rendered_languages} == {
        "courses/email/promoted_subject.txt",
        "courses/email/promoted.txt",
    }
    assert run.course.title_kk in mail.outbox[0].subject


def test_cancellation_e_mails_go_out_in_each_recipients_language(
    world, admin, rendered_languages, django_capture_on_commit_callbacks
):
    run = CourseRunFactory()
    with_account(world.teacher_b, "ru")
    with_account(world.teacher_c, "en")
    world.teacher_a.user = None
    world.teacher_a.email = "registry@example.kz"  # no account: the registry's address
    world.teacher_a.save()
    for teacher in (world.teacher_a, world.teacher_b, world.teacher_c):
        enrol(run, teacher, admin)
    rendered_languages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.run_cancel(run=run, actor=admin, reason="Flood")

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["registry@example.kz", world.teacher_b.user.email, world.teacher_c.user.email]
    )
    assert all("Flood" in m.body for m in mail.outbox)
    languages = [language for t, language in rendered_languages if t.endswith("_subject.txt")]
    assert sorted(languages) == ["en", "kk", "ru"]  # the registry address: the default, kk


def test_the_starting_soon_reminder_goes_once_to_each_confirmed_participant(
    world, admin, settings, rendered_languages, django_capture_on_commit_callbacks
):
    settings.COURSE_REMINDER_DAYS = 3
    today = timezone.localdate()
    soon = CourseRunFactory(
        capacity=2, starts_on=today + dt.timedelta(days=2), enrolment_deadline=today
    )
    later = CourseRunFactory(starts_on=today + dt.timedelta(days=10))
    for teacher, language in ((world.teacher_b, "ru"), (world.teacher_c, "kk")):
        enrol(soon, with_account(teacher, language), admin)
    enrol(soon, world.teacher_a, admin)  # waitlisted: no reminder
    enrol(later, TeacherFactory(organization=world.school_a, email="later@example.kz"), admin)
    mail.outbox.clear()
    rendered_languages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = notifications.run_reminders_send()
    with django_capture_on_commit_callbacks(execute=True):
        second = notifications.run_reminders_send()

    assert (first, second) == (2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.teacher_b.user.email, world.teacher_c.user.email]
    )
    subjects = sorted(rendered_languages)
    assert subjects == [
        ("courses/email/starting_soon.txt", "kk"),
        ("courses/email/starting_soon.txt", "ru"),
        ("courses/email/starting_soon_subject.txt", "kk"),
        ("courses/email/starting_soon_subject.txt", "ru"),
    ]
    assert not Enrolment.objects.filter(
        run=soon, status=S.CONFIRMED, reminder_sent_at__isnull=True
    ).exists()
