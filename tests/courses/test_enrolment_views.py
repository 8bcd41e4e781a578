"""Enrolment through the pages: a teacher's own, with the overlap warning; staff enrolling
teachers of their scope in bulk; cancel (promoting the waitlist) and approve, refused
politely when replayed; the enrolment page with its history; "my courses"."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from apps.courses import services
from apps.courses.models import Enrolment, EnrolmentEvent, ExternalTraining
from tests.factories import (
    CourseRunFactory,
    EnrolmentFactory,
    ExternalTrainingFactory,
    OrganizationFactory,
    TeacherFactory,
    add_course_users,
    run_with_sessions,
)

S = Enrolment.Status


@pytest.fixture
def cw(world):
    return add_course_users(world)


def _login(client, cw, role):
    if role != "anonymous":
        client.force_login(cw.users[role])
    return client


def _messages(response, level="error"):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == level]


def _enrol(cw, teacher, run=None, **kwargs):
    return services.enrolment_create(
        run=run or cw.run, teacher=teacher, actor=cw.users["region_admin"], **kwargs
    )


# --- a teacher enrols themself -------------------------------------------------------------


def test_teacher_enrols_through_the_run_page(client, cw):
    _login(client, cw, "teacher")
    page = client.get(reverse("courses:run_detail", args=[cw.run.pk]))
    enrol_url = reverse("courses:run_enrol_self", args=[cw.run.pk])
    assert enrol_url in page.content.decode()
    response = client.post(enrol_url)
    assert response.url == reverse("courses:run_detail", args=[cw.run.pk])
    enrolment = Enrolment.objects.get(run=cw.run, teacher=cw.teacher_a)
    assert enrolment.status == S.CONFIRMED and enrolment.requested_by == cw.users["teacher"]
    page = client.get(response.url)
    assert page.context["own"] == enrolment
    assert reverse("courses:enrolment_cancel", args=[enrolment.pk]) in page.content.decode()
    # Enrolling again (a second tab) is refused with the service's message.
    response = client.post(enrol_url)
    assert any(cw.teacher_a.full_name in m for m in _messages(response))
    assert Enrolment.objects.filter(teacher=cw.teacher_a).count() == 1


def test_a_full_run_puts_the_teacher_on_the_waitlist_with_a_place(client, cw):
    cw.run.capacity = 1
    cw.run.save()
    _enrol(cw, cw.teacher_b)
    _login(client, cw, "teacher")
    client.post(reverse("courses:run_enrol_self", args=[cw.run.pk]))
    enrolment = Enrolment.objects.get(run=cw.run, teacher=cw.teacher_a)
    assert enrolment.status == S.WAITLISTED
    page = client.get(reverse("courses:run_detail", args=[cw.run.pk]))
    assert page.context["own"].waitlist_position == 1


def test_a_run_needing_approval_takes_a_request(client, cw):
    cw.run.approval_required = True
    cw.run.save()
    _login(client, cw, "teacher")
    client.post(reverse("courses:run_enrol_self", args=[cw.run.pk]))
    assert Enrolment.objects.get(run=cw.run, teacher=cw.teacher_a).status == S.REQUESTED


def test_overlap_warning_then_enrol_anyway(client, cw):
    other = CourseRunFactory(starts_on=cw.run.starts_on, ends_on=cw.run.ends_on)
    _enrol(cw, cw.teacher_a, run=other)
    _login(client, cw, "teacher")
    url = reverse("courses:run_enrol_self", args=[cw.run.pk])
    response = client.post(url)
    assert response.status_code == 200
    assert response.context["warning"].runs == [other]
    html = response.content.decode()
    assert 'name="allow_overlap"' in html and other.course.title_kk in html
    assert not Enrolment.objects.filter(run=cw.run, teacher=cw.teacher_a).exists()
    response = client.post(url, {"allow_overlap": "1"})
    assert response.status_code == 302
    assert Enrolment.objects.get(run=cw.run, teacher=cw.teacher_a).status == S.CONFIRMED


def test_self_enrolment_is_for_teachers_and_by_post(client, cw):
    url = reverse("courses:run_enrol_self", args=[cw.run.pk])
    assert _login(client, cw, "teacher").get(url).status_code == 405
    assert _login(client, cw, "methodologist").post(url).status_code == 403
    assert not Enrolment.objects.exists()


def test_enrolment_after_the_deadline_is_refused_with_the_reason(client, cw):
    cw.run.enrolment_deadline = timezone.localdate() - dt.timedelta(days=1)
    cw.run.save()
    response = _login(client, cw, "teacher").post(
        reverse("courses:run_enrol_self", args=[cw.run.pk])
    )
    assert response.status_code == 302
    assert _messages(response) and not Enrolment.objects.exists()


# --- staff enrol teachers of their scope ------------------------------------------------------


def _picker_ids(response):
    return {row.pk for row, _enrolment in response.context["rows"]}


def test_bulk_enrol_offers_only_the_write_scope_and_skips_forged_ids(client, cw):
    url = reverse("courses:run_enrol_teachers", args=[cw.run.pk])
    _login(client, cw, "school_admin")
    response = client.get(url)
    assert _picker_ids(response) == {cw.teacher_a.pk}  # school A only: not B, not C
    response = client.post(url, {"teachers": [cw.teacher_a.pk, cw.teacher_c.pk]})
    assert response.status_code == 200
    assert response.context["out_of_scope"] == 1
    assert [e.teacher for e in response.context["result"].confirmed] == [cw.teacher_a]
    assert not Enrolment.objects.filter(teacher=cw.teacher_c).exists()
    # Once enrolled, a teacher is shown with the status instead of a checkbox.
    response = client.get(url)
    [(_row, enrolment)] = response.context["rows"]
    assert enrolment.status == S.CONFIRMED


def test_bulk_enrol_all_matching_the_filters(client, cw):
    cw.run.capacity = 2
    cw.run.save()
    school = OrganizationFactory(district=cw.city)
    for _n in range(3):
        TeacherFactory(organization=school)
    _enrol(cw, cw.teacher_a, run=CourseRunFactory(starts_on=cw.run.starts_on))  # overlapping
    url = reverse("courses:run_enrol_teachers", args=[cw.run.pk])
    _login(client, cw, "methodologist")
    response = client.get(url, {"district": cw.city.pk})
    assert response.context["page"].paginator.count == 5  # schools A, B and the new one
    assert 'name="all_matching"' in response.content.decode()
    response = client.post(f"{url}?district={cw.city.pk}", {"all_matching": "1"})
    result = response.context["result"]
    assert (len(result.confirmed), len(result.waitlisted)) == (2, 2)
    [(skipped, reason)] = result.skipped
    assert skipped == cw.teacher_a and reason
    assert not Enrolment.objects.filter(teacher=cw.teacher_c).exists()  # another district
    # The overlap is allowed when asked for.
    response = client.post(
        f"{url}?district={cw.city.pk}", {"all_matching": "1", "allow_overlap": "on"}
    )
    result = response.context["result"]
    assert [e.teacher for e in result.waitlisted] == [cw.teacher_a]
    assert len(result.skipped) == 4  # the others are on the run already


def test_bulk_enrol_is_capped(client, cw, monkeypatch):
    from apps.courses import forms
    from apps.courses.views import enrolment as enrolment_views

    monkeypatch.setattr(forms, "BULK_ENROL_LIMIT", 1)
    monkeypatch.setattr(enrolment_views, "BULK_ENROL_LIMIT", 1)
    url = reverse("courses:run_enrol_teachers", args=[cw.run.pk])
    _login(client, cw, "methodologist")
    response = client.post(url, {"all_matching": "1"})
    assert response.status_code == 200 and "result" not in response.context
    assert response.context["form"].non_field_errors()
    assert not Enrolment.objects.exists()
    response = client.post(url, {})
    assert response.context["form"].non_field_errors()  # nothing ticked


def test_bulk_enrol_filters_with_htmx_and_refuses_other_roles(client, cw):
    url = reverse("courses:run_enrol_teachers", args=[cw.run.pk])
    response = _login(client, cw, "school_admin").get(url, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b'id="result-count"' in response.content
    for role, status in [("teacher", 403), ("provider_staff", 403), ("anonymous", 302)]:
        client.logout()
        assert _login(client, cw, role).get(url).status_code == status, role
        assert _login(client, cw, role).post(url, {"all_matching": "1"}).status_code == status
    assert not Enrolment.objects.exists()


# --- cancel, approve ----------------------------------------------------------------------


def test_cancel_through_the_page_promotes_the_waitlist(client, cw):
    cw.run.capacity = 1
    cw.run.save()
    first = _enrol(cw, cw.teacher_a)
    waiting = _enrol(cw, cw.teacher_b)
    assert waiting.status == S.WAITLISTED
    _login(client, cw, "teacher")
    run_url = reverse("courses:run_detail", args=[cw.run.pk])
    response = client.post(
        reverse("courses:enrolment_cancel", args=[first.pk]),
        {"reason": "Ауырып қалдым", "next": run_url},
    )
    assert response.url == run_url
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.status, waiting.status) == (S.CANCELLED, S.CONFIRMED)
    assert first.events.last().comment == "Ауырып қалдым"
    assert first.events.last().actor == cw.users["teacher"]
    roster = _login(client, cw, "methodologist").get(run_url).context["roster"]
    assert (roster.participants, roster.waitlist, roster.cancelled) == ([waiting], [], [first])


def test_replayed_cancel_and_approve_are_refused_and_change_nothing(client, cw):
    enrolment = _enrol(cw, cw.teacher_a)
    _login(client, cw, "school_admin")
    cancel = reverse("courses:enrolment_cancel", args=[enrolment.pk])
    client.post(cancel)
    events = EnrolmentEvent.objects.count()
    response = client.post(cancel, {"reason": "second tab"})
    assert response.url == reverse("courses:enrolment_detail", args=[enrolment.pk])
    assert _messages(response)  # the service's reason, shown as an error
    assert EnrolmentEvent.objects.count() == events
    enrolment.refresh_from_db()
    assert enrolment.status == S.CANCELLED
    response = client.post(reverse("courses:enrolment_approve", args=[enrolment.pk]))
    assert _messages(response) and EnrolmentEvent.objects.count() == events
    # An off-site "next" is not followed.
    response = client.post(cancel, {"next": "https://example.com/"})
    assert response.url == reverse("courses:enrolment_detail", args=[enrolment.pk])


def test_staff_approve_a_request_from_the_roster(client, cw):
    cw.run.approval_required = True
    cw.run.save()
    request = services.enrolment_create(run=cw.run, teacher=cw.teacher_a, actor=cw.users["teacher"])
    run_url = reverse("courses:run_detail", args=[cw.run.pk])
    approve = reverse("courses:enrolment_approve", args=[request.pk])
    assert _login(client, cw, "teacher").post(approve).status_code == 403
    page = _login(client, cw, "school_admin").get(run_url)
    assert approve in page.content.decode()
    response = client.post(approve, {"next": run_url})
    assert response.url == run_url
    request.refresh_from_db()
    assert request.status == S.CONFIRMED
    assert request.events.last().actor == cw.users["school_admin"]


def test_posts_outside_the_scope_find_nothing(client, cw):
    enrolment = _enrol(cw, cw.teacher_a)
    _login(client, cw, "other_school_admin")
    for name in ("enrolment_cancel", "enrolment_approve"):
        assert client.post(reverse(f"courses:{name}", args=[enrolment.pk])).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == S.CONFIRMED


# --- the enrolment page ---------------------------------------------------------------------

ROLES = [
    "anonymous",
    "teacher",
    "school_admin",
    "other_school_admin",
    "methodologist",
    "region_admin",
    "provider_staff",
    "other_provider_staff",
]
# teacher_a's enrolment (school A, district 6110) in the provider's run; my_courses sends
# those without a teacher record home.
MATRIX = {
    "enrolment_detail": [302, 200, 200, 404, 200, 200, 200, 404],
    "run_enrol_teachers": [302, 403, 200, 200, 200, 200, 403, 403],
    "my_courses": [302, 200, 302, 302, 302, 302, 302, 302],
    "enrolment_cancel": [302, 405, 405, 405, 405, 405, 405, 405],
}


@pytest.mark.parametrize("page", MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, cw, role, page):
    enrolment = _enrol(cw, cw.teacher_a)
    args = {"run_enrol_teachers": [cw.run.pk], "my_courses": []}.get(page, [enrolment.pk])
    response = _login(client, cw, role).get(reverse(f"courses:{page}", args=args))
    assert response.status_code == MATRIX[page][ROLES.index(role)], (role, page)
    if role == "anonymous":
        assert response.url.startswith(reverse("account_login"))


def test_enrolment_page_shows_the_history_and_the_results(client, cw):
    cw.run.capacity = 1
    cw.run.save()
    _enrol(cw, cw.teacher_b)
    enrolment = services.enrolment_create(
        run=cw.run, teacher=cw.teacher_a, actor=cw.users["teacher"]
    )
    url = reverse("courses:enrolment_detail", args=[enrolment.pk])
    response = _login(client, cw, "teacher").get(url)
    assert response.context["enrolment"].waitlist_position == 1
    assert response.context["enrolment"].can_cancel
    assert not response.context["enrolment"].can_approve
    services.enrolment_cancel(
        enrolment=enrolment, actor=cw.users["school_admin"], reason="Орын жоқ"
    )
    html = client.get(url).content.decode()
    assert "Орын жоқ" in html and str(cw.users["school_admin"]) in html
    assert reverse("courses:enrolment_cancel", args=[enrolment.pk]) not in html
    done = EnrolmentFactory(
        run=run_with_sessions(past=2),
        teacher=cw.teacher_a,
        status=S.COMPLETED,
        hours_credited=72,
        assessment_passed=True,
        assessment_score=91,
        attendance_percent=100,
    )
    response = client.get(reverse("courses:enrolment_detail", args=[done.pk]))
    assert "91" in response.content.decode() and "72" in response.content.decode()


# --- my courses ---------------------------------------------------------------------------


def test_my_courses_groups_the_enrolments_and_counts_hours(client, cw):
    current = _enrol(cw, cw.teacher_a)
    full = CourseRunFactory(capacity=1, starts_on=cw.run.starts_on + dt.timedelta(days=40))
    full.ends_on = full.starts_on + dt.timedelta(days=3)
    full.save()
    _enrol(cw, cw.teacher_b, run=full)
    waiting = _enrol(cw, cw.teacher_a, run=full)
    past_run = run_with_sessions(past=5)
    past = EnrolmentFactory(
        run=past_run,
        teacher=cw.teacher_a,
        status=S.COMPLETED,
        hours_credited=72,
        completed_on=timezone.localdate(),
    )
    ExternalTrainingFactory(
        teacher=cw.teacher_a, status=ExternalTraining.Status.CONFIRMED, hours=36
    )
    response = _login(client, cw, "teacher").get(reverse("courses:my_courses"))
    courses = response.context["courses"]
    assert courses.current == [current]
    assert courses.waiting == [waiting] and courses.waiting[0].waitlist_position == 1
    assert courses.past == [past]
    assert response.context["hours_all"].total == 108
    assert response.context["hours_period"].total == 108
    html = response.content.decode()
    assert reverse("courses:external_create") in html
    assert reverse("courses:enrolment_detail", args=[past.pk]) in html
