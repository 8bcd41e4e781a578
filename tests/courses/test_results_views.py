"""The attendance, results and completion pages of a run: who may use them, what they
write through the services, and their query counts."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.courses import hooks
from apps.courses.models import Attendance, Enrolment
from tests.factories import (
    EnrolmentFactory,
    ProviderFactory,
    TeacherFactory,
    UserFactory,
    run_with_sessions,
)

S = Enrolment.Status


@pytest.fixture
def trainer():
    return UserFactory()


@pytest.fixture
def run(world, trainer):
    """Third day of a five-day run, with two participants and one on the waitlist."""
    run = run_with_sessions(past=3, future=2, trainer=trainer)
    EnrolmentFactory(run=run, teacher=world.teacher_a)
    EnrolmentFactory(run=run, teacher=world.teacher_b)
    EnrolmentFactory(
        run=run, teacher=world.teacher_c, status=S.WAITLISTED, waitlisted_at=run.created_at
    )
    return run


@pytest.fixture
def no_certificates(monkeypatch):
    # The certificates app's hook is written separately and not under test here.
    monkeypatch.setattr(hooks, "_completed", [])


def participants(run):
    return list(Enrolment.objects.filter(run=run, status__in=(S.CONFIRMED, S.ATTENDED)))


def days(run):
    return list(run.sessions.all())


def add_participants(run, n):
    for _ in range(n):
        EnrolmentFactory(
            run=run,
            teacher=TeacherFactory(organization=run.enrolments.first().teacher.organization),
        )


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- who may open the pages ---------------------------------------------------------------------


@pytest.mark.parametrize("page", ["run_attendance", "run_results", "run_complete"])
def test_the_trainer_the_provider_and_the_region_may_mark_others_may_not(
    client, world, run, trainer, page
):
    provider_staff, other_provider_staff = UserFactory(), UserFactory()
    run.course.provider.staff.add(provider_staff)
    ProviderFactory().staff.add(other_provider_staff)
    url = reverse(f"courses:{page}", args=[run.pk])
    expected = {
        trainer: 200,
        provider_staff: 200,
        world.users["region_admin"]: 200,
        world.users["superuser"]: 200,
        other_provider_staff: 403,
        world.users["teacher"]: 403,
        world.users["methodologist"]: 403,
        world.users["school_admin"]: 403,
    }

    for user, status in expected.items():
        client.force_login(user)
        assert client.get(url).status_code == status, (user, page)
        if status == 403:
            assert client.post(url, {}).status_code == 403


def test_an_unknown_run_is_not_found(client, world):
    client.force_login(world.users["region_admin"])
    assert client.get(reverse("courses:run_attendance", args=[999999])).status_code == 404


# --- attendance ---------------------------------------------------------------------------------


def test_the_grid_has_a_box_per_participant_and_day_begun(client, run, trainer):
    client.force_login(trainer)

    response = client.get(reverse("courses:run_attendance", args=[run.pk]))

    html = response.content.decode()
    assert (
        html.count('type="checkbox" name="present"') == 2 * 3
    )  # the waitlisted teacher and future days: none
    assert html.count('type="checkbox" name="whole_day"') == 3
    assert 'class="table-responsive' in html
    assert html.count('<label class="visually-hidden" for="p-') == 6  # every box is labelled


def test_posting_the_grid_marks_attendance(client, run, trainer):
    client.force_login(trainer)
    first, second = participants(run)
    d = days(run)

    response = client.post(
        reverse("courses:run_attendance", args=[run.pk]),
        {"present": [f"{d[0].pk}:{first.pk}", f"{d[1].pk}:{second.pk}"]},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("courses:run_attendance", args=[run.pk])
    present = set(Attendance.objects.filter(present=True).values_list("session_id", "enrolment_id"))
    assert present == {(d[0].pk, first.pk), (d[1].pk, second.pk)}
    assert Attendance.objects.filter(present=False).count() == 4
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


def test_the_whole_day_box_marks_everyone_without_javascript(client, run, trainer):
    client.force_login(trainer)
    first, second = participants(run)
    d = days(run)

    client.post(
        reverse("courses:run_attendance", args=[run.pk]),
        {"whole_day": [str(d[2].pk)], "present": [f"{d[0].pk}:{first.pk}"]},
    )

    present = set(Attendance.objects.filter(present=True).values_list("session_id", "enrolment_id"))
    assert present == {(d[0].pk, first.pk), (d[2].pk, first.pk), (d[2].pk, second.pk)}


def test_a_day_not_begun_cannot_be_posted(client, run, trainer):
    client.force_login(trainer)
    first, _second = participants(run)
    future = days(run)[4]

    response = client.post(
        reverse("courses:run_attendance", args=[run.pk]),
        {"present": [f"{future.pk}:{first.pk}"], "whole_day": [str(future.pk)]},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Attendance.objects.exists()


def test_the_attendance_page_costs_the_same_queries_for_3_and_30_participants(client, run, trainer):
    client.force_login(trainer)
    url = reverse("courses:run_attendance", args=[run.pk])
    add_participants(run, 1)
    small = queries_for(client, url)
    add_participants(run, 27)
    assert len(participants(run)) == 30

    assert queries_for(client, url) == small


def test_after_completion_the_grid_is_read_only(client, world, no_certificates):
    run = run_with_sessions(past=2)
    enrolment = EnrolmentFactory(run=run, teacher=world.teacher_a, assessment_passed=True)
    admin = world.users["region_admin"]
    client.force_login(admin)
    session = days(run)[0]
    client.post(
        reverse("courses:run_attendance", args=[run.pk]),
        {"present": [f"{session.pk}:{enrolment.pk}"]},
    )
    client.post(reverse("courses:run_complete", args=[run.pk]))

    page = client.get(reverse("courses:run_attendance", args=[run.pk])).content.decode()
    response = client.post(
        reverse("courses:run_attendance", args=[run.pk]),
        {"present": [f"{d.pk}:{enrolment.pk}" for d in days(run)]},
    )

    assert 'type="checkbox" name="present"' not in page
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Attendance.objects.filter(present=True).count() == 1


# --- results ------------------------------------------------------------------------------------


def result_data(enrolment, passed="", score=""):
    return {f"e{enrolment.pk}-passed": passed, f"e{enrolment.pk}-score": score}


def test_results_are_recorded_for_the_changed_rows(client, run, trainer):
    client.force_login(trainer)
    first, second = participants(run)
    untouched_at = second.updated_at

    response = client.post(
        reverse("courses:run_results", args=[run.pk]),
        {**result_data(first, "yes", "87.5"), **result_data(second), "action": "save"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("courses:run_results", args=[run.pk])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.assessment_passed, str(first.assessment_score)) == (True, "87.50")
    assert second.updated_at == untouched_at  # unchanged rows are not written


def test_a_bad_row_keeps_what_was_typed_and_the_good_rows_are_saved(client, run, trainer):
    client.force_login(trainer)
    first, second = participants(run)

    response = client.post(
        reverse("courses:run_results", args=[run.pk]),
        {**result_data(first, "no", "40"), **result_data(second, "yes", "150"), "action": "save"},
    )

    assert response.status_code == 200
    forms = {row.enrolment.pk: form for row, form in response.context["rows"]}
    assert "score" in forms[second.pk].errors
    assert 'value="150"' in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.assessment_passed, first.assessment_score) == (False, 40)
    assert (second.assessment_passed, second.assessment_score) == (None, None)


def test_the_results_page_previews_the_completion_rule(client, run, trainer):
    client.force_login(trainer)
    first, second = participants(run)
    d = days(run)
    client.post(
        reverse("courses:run_attendance", args=[run.pk]),
        {"present": [f"{s.pk}:{first.pk}" for s in d[:3]]},
    )
    client.post(reverse("courses:run_results", args=[run.pk]), result_data(first, "yes", "90"))

    response = client.get(reverse("courses:run_results", args=[run.pk]))

    checks = {row.enrolment.pk: row.check for row, _form in response.context["rows"]}
    assert (checks[first.pk].attendance_percent, checks[first.pk].assessment_ok) == (60, True)
    assert not checks[first.pk].completed  # 3 of 5 days so far, below 80 %
    assert (checks[second.pk].attendance_percent, checks[second.pk].assessment_ok) == (0, False)


def test_the_results_page_costs_the_same_queries_for_3_and_30_participants(client, run, trainer):
    client.force_login(trainer)
    url = reverse("courses:run_results", args=[run.pk])
    add_participants(run, 1)
    small = queries_for(client, url)
    add_participants(run, 27)

    assert queries_for(client, url) == small


def test_complete_saves_the_results_then_asks_for_confirmation(client, run, trainer):
    client.force_login(trainer)
    first, _second = participants(run)

    response = client.post(
        reverse("courses:run_results", args=[run.pk]),
        {**result_data(first, "yes", ""), "action": "complete"},
    )

    assert response["Location"] == reverse("courses:run_complete", args=[run.pk])
    first.refresh_from_db()
    assert first.assessment_passed is True
    run.refresh_from_db()
    assert run.completed_at is None  # nothing is completed before the confirmation


# --- completion ---------------------------------------------------------------------------------


def test_completion_before_the_last_day_shows_the_services_error(
    client, run, trainer, no_certificates
):
    client.force_login(trainer)

    response = client.post(reverse("courses:run_complete", args=[run.pk]))

    assert response.status_code == 200
    assert response.context["errors"]
    run.refresh_from_db()
    assert run.completed_at is None
    assert set(Enrolment.objects.filter(run=run).values_list("status", flat=True)) == {
        S.CONFIRMED,
        S.WAITLISTED,
    }


def test_completing_the_run_reports_who_completed(client, world, no_certificates):
    run = run_with_sessions(past=2)
    trainer = UserFactory()
    run.trainer = trainer
    run.save()
    passing = EnrolmentFactory(run=run, teacher=world.teacher_a, assessment_passed=True)
    failing = EnrolmentFactory(run=run, teacher=world.teacher_b, assessment_passed=False)
    d = days(run)
    client.force_login(trainer)
    client.post(
        reverse("courses:run_attendance", args=[run.pk]),
        {"whole_day": [str(d[0].pk), str(d[1].pk)]},
    )
    confirm = client.get(reverse("courses:run_complete", args=[run.pk]))
    assert (confirm.context["completing"], confirm.context["not_completing"]) == (1, 1)

    response = client.post(reverse("courses:run_complete", args=[run.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("courses:run_detail", args=[run.pk])
    passing.refresh_from_db()
    failing.refresh_from_db()
    assert (passing.status, passing.hours_credited) == (S.COMPLETED, run.course.hours)
    assert failing.status == S.NOT_COMPLETED
    [message] = list(get_messages(response.wsgi_request))
    assert message.level_tag == "success"
    assert "1" in str(message)
    again = client.post(reverse("courses:run_complete", args=[run.pk]))
    assert again.status_code == 200
    assert again.context["errors"]


def test_a_teacher_cannot_complete_a_run(client, world, no_certificates):
    run = run_with_sessions(past=1)
    EnrolmentFactory(run=run, teacher=world.teacher_a, assessment_passed=True)
    client.force_login(world.users["teacher"])

    assert client.post(reverse("courses:run_complete", args=[run.pk])).status_code == 403
    run.refresh_from_db()
    assert run.completed_at is None
