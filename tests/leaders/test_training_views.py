"""The training pages of the "1000 leaders": wiring, permissions and query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.leaders import selectors, services
from apps.leaders.models import Candidate, MentorMeeting, Module, ModuleAttendance, ReportReview
from tests.factories import UserFactory

from .test_training import add_module, admit, fulfil


@pytest.fixture
def cohort(world, intake):
    return admit(world, intake, 3)


@pytest.fixture
def staff(world):
    return world.users["region_admin"]


def shown(number: str) -> str:
    """A score as the page shows it, in the active language's number format."""
    return localize(Decimal(number))


def as_user(client, user):
    client.force_login(user)
    return client


def test_cohort_and_module_pages_for_training_staff(client, world, intake, cohort, staff):
    as_user(client, staff)
    assert client.get(reverse("leaders:cohort", args=[intake.pk])).status_code == 200
    url = reverse("leaders:module_create", args=[intake.pk])
    assert client.get(url).status_code == 200
    start = timezone.localdate() - dt.timedelta(days=1)
    data = {
        "action": "add",
        "level": "basic",
        "title_kk": "Көшбасшылық",
        "title_ru": "Лидерство",
        "starts_on": start.isoformat(),
        "ends_on": (start - dt.timedelta(days=2)).isoformat(),
    }
    assert client.post(url, data).status_code == 200  # ends before it starts
    assert not Module.objects.exists()
    data["ends_on"] = (start + dt.timedelta(days=2)).isoformat()
    response = client.post(url, data)
    assert response.status_code == 302
    module = Module.objects.get()

    url = reverse("leaders:module_attendance", args=[module.pk])
    assert client.get(url).status_code == 200
    first = cohort[0][0]
    assert client.post(url, {"present": [first.pk]}).status_code == 302
    marks = dict(ModuleAttendance.objects.values_list("candidate_id", "present"))
    assert marks == {first.pk: True, cohort[1][0].pk: False, cohort[2][0].pk: False}
    assert client.post(url, {"everyone": "on"}).status_code == 302
    assert set(ModuleAttendance.objects.values_list("present", flat=True)) == {True}
    response = client.get(reverse("leaders:cohort", args=[intake.pk]))
    assert response.status_code == 200 and first.teacher.last_name in response.text


def test_attendance_of_a_module_not_begun_is_refused(client, intake, cohort, staff):
    module = add_module(intake, staff, days_ago=-5)
    url = reverse("leaders:module_attendance", args=[module.pk])
    response = as_user(client, staff).post(url, {"present": [cohort[0][0].pk]})
    assert response.status_code == 200
    assert not ModuleAttendance.objects.exists()


def test_a_participant_cannot_mark_attendance_or_score_reports(
    client, world, intake, cohort, staff
):
    module = add_module(intake, staff)
    candidate, user = cohort[0]
    other, other_user = cohort[1]
    report = services.reflective_report_submit(candidate=other, actor=other_user, text="Есеп")
    as_user(client, user)
    url = reverse("leaders:module_attendance", args=[module.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"everyone": "on"}).status_code == 403
    assert client.get(reverse("leaders:module_create", args=[intake.pk])).status_code == 403
    assert client.get(reverse("leaders:cohort", args=[intake.pk])).status_code == 403
    assert client.get(reverse("leaders:report_queue")).status_code == 403
    assert client.get(reverse("leaders:training_complete", args=[intake.pk])).status_code == 403
    # Not their report, not in their scope: not even to look at.
    assert client.get(reverse("leaders:reflective_report", args=[other.pk])).status_code == 403
    response = client.post(
        reverse("leaders:reflective_report", args=[other.pk]), {"action": "review", "score": "100"}
    )
    assert response.status_code == 403
    # Their own report: they see it, but scoring it is refused.
    own = services.reflective_report_submit(candidate=candidate, actor=user, text="Рефлексия")
    url = reverse("leaders:reflective_report", args=[candidate.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "review", "score": "100"}).status_code == 403
    assert not ReportReview.objects.filter(report__in=[report, own]).exists()
    assert not ModuleAttendance.objects.exists()


def test_a_reviewer_outside_the_scope_is_refused(client, world, intake, cohort):
    candidate, user = cohort[0]
    services.reflective_report_submit(candidate=candidate, actor=user, text="Рефлексия")
    far = UserFactory()
    role_assignment_create(user=far, role=Role.COMMISSION_MEMBER, district=world.sairam)
    as_user(client, far)
    url = reverse("leaders:reflective_report", args=[candidate.pk])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"action": "review", "score": "90"}).status_code in (403, 404)
    assert not ReportReview.objects.exists()
    response = client.get(reverse("leaders:report_queue"))
    assert response.status_code == 200 and candidate.teacher.last_name not in response.text
    assert client.get(reverse("leaders:cohort", args=[intake.pk])).status_code == 200
    assert (
        candidate.teacher.last_name
        not in client.get(reverse("leaders:cohort", args=[intake.pk])).text
    )


def test_the_report_from_writing_to_scores(client, world, intake, cohort, staff):
    candidate, user = cohort[0]
    url = reverse("leaders:reflective_report", args=[candidate.pk])
    assert as_user(client, user).post(url, {"action": "submit", "text": " "}).status_code == 200
    assert client.post(url, {"action": "submit", "text": "Рефлексия"}).status_code == 302
    reviewer = world.users["commission_member"]
    as_user(client, reviewer)
    queue = client.get(reverse("leaders:report_queue"))
    assert queue.status_code == 200 and url in queue.text
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "review", "score": "101"}).status_code == 200
    assert (
        client.post(url, {"action": "review", "score": "70", "comment": "Жақсы"}).status_code == 302
    )
    assert client.post(url, {"action": "review", "score": "72.5"}).status_code == 302
    assert url not in client.get(reverse("leaders:report_queue")).text
    as_user(client, staff).post(url, {"action": "review", "score": "90"})
    assert sorted(ReportReview.objects.values_list("score", flat=True)) == [
        Decimal("72.5"),
        Decimal(90),
    ]
    # Each reviewer's form holds only their own score; staff see every score and the mean.
    page = as_user(client, reviewer).get(url)
    assert 'value="72.50"' in page.text and shown("90.00") not in page.text
    page = as_user(client, staff).get(url)
    assert all(shown(score) in page.text for score in ("72.50", "90.00", "81.25"))


def test_internship_and_mentoring_pages(client, world, intake, cohort, staff):
    candidate, user = cohort[0]
    url = reverse("leaders:internship", args=[candidate.pk])
    today = timezone.localdate()
    placement = {
        "action": "place",
        "host": world.school_b.pk,
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=5)).isoformat(),
    }
    assert as_user(client, user).post(url, placement).status_code == 403
    assert as_user(client, staff).post(url, placement).status_code == 302
    report = {"action": "report", "report": "Есеп"}
    assert client.post(url, report).status_code == 403  # staff do not write it
    assert as_user(client, user).post(url, report).status_code == 302
    assert as_user(client, staff).get(url).status_code == 200
    candidate.internship.refresh_from_db()
    assert candidate.internship.report_submitted_at is not None

    url = reverse("leaders:mentorship", args=[candidate.pk])
    mentor = world.users["school_admin"]
    assign = {"action": "assign", "mentor": "nobody@example.kz"}
    assert client.post(url, assign).status_code == 200
    assert client.post(url, {"action": "assign", "mentor": mentor.email}).status_code == 302
    meeting = {"action": "meeting", "date": today.isoformat(), "notes": "Жоспар"}
    assert as_user(client, user).post(url, meeting).status_code == 403
    assert as_user(client, mentor).get(url).status_code == 200
    assert client.post(url, meeting).status_code == 302
    assert as_user(client, staff).post(url, meeting).status_code == 302
    assert MentorMeeting.objects.count() == 2
    assert as_user(client, user).get(url).status_code == 200


def test_training_complete_asks_for_confirmation(client, world, intake, cohort, staff):
    module = add_module(intake, staff)
    services.module_attendance_mark(module=module, present={c.pk for c, _u in cohort}, actor=staff)
    fulfil(world, *cohort[0])
    url = reverse("leaders:training_complete", args=[intake.pk])
    as_user(client, staff)
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 200  # not confirmed
    assert set(Candidate.objects.values_list("status", flat=True)) == {"admitted"}
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    statuses = dict(Candidate.objects.values_list("pk", "status"))
    assert statuses == {
        cohort[0][0].pk: "reserve",
        cohort[1][0].pk: "not_completed",
        cohort[2][0].pk: "not_completed",
    }
    assert client.get(response.url).status_code == 200


def test_candidate_training_include_renders(world, intake, cohort, staff):
    candidate, user = cohort[0]
    add_module(intake, staff)
    fulfil(world, candidate, user)
    for viewer in (staff, user, world.users["commission_member"]):
        html = render_to_string(
            "leaders/includes/candidate_training.html",
            {
                "candidate": candidate,
                "training": selectors.candidate_training(candidate),
                "user": viewer,
            },
        )
        assert reverse("leaders:reflective_report", args=[candidate.pk]) in html
        assert (shown("75.00") in html) == (viewer != world.users["commission_member"])


def _fill(world, participants, staff):
    for candidate, user in participants:
        fulfil(world, candidate, user)
        services.mentor_assign(candidate=candidate, actor=staff, mentor=world.users["school_admin"])
        services.mentor_meeting_add(
            candidate=candidate, actor=staff, date=timezone.localdate(), notes="Жоспар"
        )


def test_cohort_page_query_count_does_not_grow(client, world, intake, staff):
    participants = admit(world, intake, 15)
    modules = [add_module(intake, staff, days_ago=20 - n) for n in range(3)]
    _fill(world, participants[:3], staff)
    for module in modules:
        services.module_attendance_mark(
            module=module, present={c.pk for c, _u in participants[:3]}, actor=staff
        )
    Candidate.objects.filter(pk__in=[c.pk for c, _u in participants[3:]]).update(status="stopped")
    url = reverse("leaders:cohort", args=[intake.pk])
    as_user(client, staff).get(url)  # warm the per-process caches (region ids, sessions)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.text.count('scope="row"')

    few, rows = count()
    assert rows == 3
    Candidate.objects.filter(pk__in=[c.pk for c, _u in participants[3:]]).update(status="admitted")
    _fill(world, participants[3:], staff)
    for module in modules:
        services.module_attendance_mark(
            module=module, present={c.pk for c, _u in participants}, actor=staff
        )
    many, rows = count()
    assert rows == 15
    assert many == few
