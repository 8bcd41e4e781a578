"""The session pages through the client: who may see and who may run a session (the
secretary runs it; an ordinary member only sees it; a teacher and another district's
staff get 404), the forms with bad input, the whole path from planning to the closed
session's documents, the document jobs of both kinds, and a 200-application session
page in the same number of queries as a 3-application one."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.attestation.models import (
    AgendaItem,
    Application,
    CommissionSession,
    Decision,
    DocumentJob,
    Order,
    Review,
    TestResult,
    Vote,
)
from apps.attestation.services import sessions as services
from apps.organizations.models import InstructionLanguage
from apps.teachers.models import Position, QualificationCategory
from tests.factories import TeacherFactory, UserFactory

from . import test_sessions_services as base
from .conftest import accepted_application, submit_review_sheets
from .test_sessions_services import decide, plan, seat, voting

# The sessions' fixtures, shared with the service tests.
english = base.english
pytestmark = pytest.mark.usefixtures("private_storage")
commission, secretary, session = base.commission, base.secretary, base.session
applications, scheduled = base.applications, base.scheduled


@pytest.fixture(autouse=True)
def english_users(world, commission):
    """The English interface (the messages asserted are the source texts), for the
    world's users and the commission's."""
    users = [*world.users.values(), *(m.user for m in commission.members.all())]
    for user in users:
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])


@pytest.fixture
def other_district_staff(world):
    user = UserFactory(preferred_language="en")
    role_assignment_create(user=user, role=Role.METHODOLOGIST, district=world.sairam)
    return user


def url(name, *args):
    return reverse(f"attestation:{name}", args=args)


def as_user(client, user):
    client.force_login(user)
    return client


def closed_session(session, secretary, django_capture_on_commit_callbacks, number="ҚХ-21"):
    submit_review_sheets(Application.objects.filter(agenda_items__session=session))
    decide(session, secretary, dict.fromkeys(voting(session.commission), "for"))
    with django_capture_on_commit_callbacks(execute=True):
        services.session_close(session=session, actor=secretary, protocol_number=number)
    session.refresh_from_db()
    return session


# --- who may see and run a session ---------------------------------------------------------------


def test_the_session_page_for_each_role(
    client, world, session, secretary, scheduled, other_district_staff
):
    page = url("session_detail", session.pk)
    members = voting(session.commission)
    services.session_attendance_set(session=session, actor=secretary, present=members)
    response = as_user(client, secretary).get(page)
    assert response.status_code == 200
    assert b'name="vote-' in response.content and url("session_close", session.pk) in (
        response.content.decode()
    )
    for viewer in (
        seat(session.commission, "member").user,
        world.users["methodologist"],
        world.users["hr_analyst"],
        world.users["commission_member"],
    ):
        response = as_user(client, viewer).get(page)
        assert response.status_code == 200
        runs = viewer == world.users["methodologist"]  # the body's staff may run it too
        assert (b'name="vote-' in response.content) is runs
    for outsider in (world.users["teacher"], other_district_staff, world.users["school_admin"]):
        assert as_user(client, outsider).get(page).status_code == 404
    client.logout()
    assert client.get(page).status_code == 302


def test_an_ordinary_member_may_not_run_the_session(client, session, scheduled):
    as_user(client, seat(session.commission, "member").user)
    assert client.get(url("session_agenda", session.pk)).status_code == 403
    assert client.get(url("session_close", session.pk)).status_code == 403
    for name in ("session_attendance", "session_votes", "session_close", "session_cancel"):
        assert client.post(url(name, session.pk), {}).status_code == 403
    assert client.get(url("session_create", session.commission_id)).status_code == 403
    assert CommissionSession.objects.get(pk=session.pk).status == "planned"


def test_outsiders_get_404_on_every_session_page(
    client, world, session, scheduled, other_district_staff
):
    for user in (world.users["teacher"], other_district_staff):
        as_user(client, user)
        for name in ("session_detail", "session_agenda", "session_close", "session_protocol"):
            assert client.get(url(name, session.pk)).status_code == 404
        for name in ("session_attendance", "session_votes", "session_cancel"):
            assert client.post(url(name, session.pk)).status_code == 404
        assert client.get(url("session_create", session.commission_id)).status_code == 404


# --- planning and running a session ---------------------------------------------------------------


def test_planning_a_session(client, commission, secretary):
    as_user(client, secretary)
    page = url("session_create", commission.pk)
    assert client.get(page).status_code == 200
    response = client.post(page, {"starts_at": "not a date", "place": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "starts_at": ["Enter a valid date/time."],
        "place": ["This field is required."],
    }
    response = client.post(page, {"starts_at": "2026-12-03T10:30", "place": "Актовый зал"})
    session = CommissionSession.objects.get()
    assert response.url == url("session_agenda", session.pk)
    assert timezone.localtime(session.starts_at).replace(tzinfo=None) == dt.datetime(
        2026, 12, 3, 10, 30
    )


def test_a_forming_commission_has_no_sessions_yet_said_in_the_users_language(
    client, world, cycle, secretary
):
    forming = base.commission_with_members(cycle, district=world.sairam, formed=False)
    clerk = seat(forming, "secretary").user
    clerk.preferred_language = "ru"
    clerk.save()
    response = as_user(client, clerk).post(
        url("session_create", forming.pk), {"starts_at": "2026-12-03T10:30", "place": ""}
    )
    assert response.context["form"].errors["place"] == ["Обязательное поле."]


def test_the_agenda_page_adds_and_removes_applications(client, session, secretary, applications):
    as_user(client, secretary)
    page = url("session_agenda", session.pk)
    response = client.get(page)
    assert [a.pk for a in response.context["candidates"]] == sorted(
        (a.pk for a in applications),
        key=lambda pk: Application.objects.get(pk=pk).teacher.last_name,
    )
    response = client.post(page, {"add": "1"}, follow=True)
    assert "Tick at least one application." in response.content.decode()
    response = client.post(
        page, {"add": "1", "applications": [a.pk for a in applications]}, follow=True
    )
    assert "2 applications have been put on the agenda." in response.content.decode()
    assert not response.context["candidates"]
    response = client.post(page, {"add": "1", "applications": [applications[0].pk]}, follow=True)
    assert "Not put on the agenda" in response.content.decode()
    response = client.post(page, {"remove": "1", "application": applications[0].pk}, follow=True)
    assert "taken off the agenda" in response.content.decode()
    assert [i.application_id for i in response.context["items"]] == [applications[1].pk]


def test_attendance_votes_and_closing_through_the_pages(
    client, world, session, secretary, scheduled, django_capture_on_commit_callbacks
):
    as_user(client, secretary)
    submit_review_sheets(Application.objects.filter(agenda_items__session=session))
    members = voting(session.commission)
    response = client.post(
        url("session_attendance", session.pk), {"present": [m.pk for m in members[:4]]}
    )
    assert response.url.endswith("#attendance")
    clerk = seat(session.commission, "secretary")
    response = client.post(
        url("session_votes", session.pk), {f"vote-{scheduled[0].pk}-{clerk.pk}": "for"}, follow=True
    )
    assert f"{clerk.full_name} is the secretary, who does not vote." in response.content.decode()
    votes = {f"vote-{i.pk}-{m.pk}": "for" for i in scheduled for m in members[:4]}
    response = client.post(url("session_votes", session.pk), votes, follow=True)
    assert "The votes have been saved." in response.content.decode()
    assert Vote.objects.count() == 8
    page = client.get(url("session_close", session.pk))
    assert "There is no quorum: 4 of 7 voting members are present" in page.content.decode()
    response = client.post(url("session_close", session.pk), {"protocol_number": ""})
    assert response.context["form"].errors["protocol_number"] == ["This field is required."]
    response = client.post(url("session_close", session.pk), {"protocol_number": "9"})
    assert "There is no quorum" in str(response.context["form"].non_field_errors())
    client.post(url("session_attendance", session.pk), {"present": [m.pk for m in members[:5]]})
    client.post(
        url("session_votes", session.pk),
        {f"vote-{i.pk}-{members[4].pk}": "against" for i in scheduled},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("session_close", session.pk),
            {"protocol_number": "9", f"lower-{scheduled[0].pk}": "keep"},
        )
    assert response.url == url("session_detail", session.pk)
    assert Decision.objects.filter(session=session, outcome="meets").count() == 2
    page = client.get(url("session_detail", session.pk)).content.decode()
    assert url("session_protocol", session.pk) in page
    assert url("session_extract", session.pk, scheduled[0].application_id) in page
    assert "Download: protocol and extracts" in page


def test_the_close_form_offers_keep_or_the_lower_categories(
    client, world, cycle, session, secretary
):
    legacy = accepted_application(
        world,
        cycle,
        TeacherFactory(
            organization=world.school_b,
            category=QualificationCategory.objects.get(code="second"),
        ),
    )
    submit_review_sheets([legacy], total=70)
    services.session_agenda_add(session=session, actor=secretary, applications=[legacy])
    decide(session, secretary, dict.fromkeys(voting(session.commission), "against"))
    item = session.items.get()
    response = as_user(client, secretary).get(url("session_close", session.pk))
    field = response.context["form"].fields[f"lower-{item.pk}"]
    moderator = QualificationCategory.objects.get(code="moderator")
    assert [value for value, _label in field.choices] == ["keep", str(moderator.pk)]
    response = client.post(
        url("session_close", session.pk),
        {"protocol_number": "2", f"lower-{item.pk}": "999999"},
    )
    assert response.status_code == 200 and f"lower-{item.pk}" in response.context["form"].errors
    client.post(
        url("session_close", session.pk),
        {"protocol_number": "2", f"lower-{item.pk}": str(moderator.pk)},
    )
    decision = Decision.objects.get(item=item)
    assert (decision.outcome, decision.assigned_category) == ("lower", moderator)


def test_cancelling_through_the_page(client, session, secretary, scheduled, applications):
    response = as_user(client, secretary).post(url("session_cancel", session.pk), follow=True)
    assert "The session has been cancelled" in response.content.decode()
    assert Application.objects.get(pk=applications[0].pk).status == "accepted"
    page = client.get(url("session_detail", session.pk)).content.decode()
    assert url("session_close", session.pk) not in page


# --- the protocol, the extracts and the document jobs -------------------------------------------


def test_the_protocol_is_404_until_made_then_served(
    client, session, secretary, scheduled, django_capture_on_commit_callbacks
):
    member = seat(session.commission, "member").user
    assert as_user(client, member).get(url("session_protocol", session.pk)).status_code == 404
    closed_session(session, secretary, django_capture_on_commit_callbacks)
    response = client.get(url("session_protocol", session.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_extract_for_the_teacher_and_those_who_see_the_session(
    client,
    world,
    session,
    secretary,
    scheduled,
    applications,
    other_district_staff,
    django_capture_on_commit_callbacks,
):
    own = url("session_extract", session.pk, applications[0].pk)  # teacher A's
    others = url("session_extract", session.pk, applications[1].pk)
    assert as_user(client, secretary).get(own).status_code == 404  # not decided yet
    closed_session(session, secretary, django_capture_on_commit_callbacks)
    response = as_user(client, world.users["teacher"]).get(own)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''")
    assert as_user(client, world.users["teacher"]).get(others).status_code == 404
    assert as_user(client, seat(session.commission, "member").user).get(others).status_code == 200
    assert as_user(client, other_district_staff).get(own).status_code == 404
    assert client.get(url("session_extract", session.pk, 999999)).status_code == 404


def test_the_document_job_page_its_progress_partial_and_download(
    client,
    world,
    session,
    secretary,
    scheduled,
    other_district_staff,
    django_capture_on_commit_callbacks,
):
    closed_session(session, secretary, django_capture_on_commit_callbacks)
    job = DocumentJob.objects.get(session=session)
    as_user(client, seat(session.commission, "member").user)
    response = client.get(url("document_job_detail", job.pk))
    assert response.status_code == 200
    assert url("document_job_download", job.pk) in response.content.decode()
    partial = client.get(url("document_job_detail", job.pk), headers={"HX-Request": "true"})
    assert partial["HX-Refresh"] == "true"
    assert b"<html" not in partial.content and b'aria-valuenow="100"' in partial.content
    download = client.get(url("document_job_download", job.pk))
    assert download["Content-Type"] == "application/zip"
    assert b"".join(download.streaming_content).startswith(b"PK")
    DocumentJob.objects.filter(pk=job.pk).update(status="running", processed_rows=1)
    partial = client.get(url("document_job_detail", job.pk), headers={"HX-Request": "true"})
    assert "HX-Refresh" not in partial
    assert f'hx-get="{url("document_job_detail", job.pk)}"' in partial.content.decode()
    assert b'aria-valuenow="33"' in partial.content
    assert client.get(url("document_job_download", job.pk)).status_code == 404
    for outsider in (world.users["teacher"], other_district_staff):
        as_user(client, outsider)
        assert client.get(url("document_job_detail", job.pk)).status_code == 404
        assert client.get(url("document_job_download", job.pk)).status_code == 404


def test_an_orders_certificates_job_is_shown_to_those_who_see_the_order(
    client, world, cycle, commission, other_district_staff
):
    order = Order.objects.create(
        cycle=cycle,
        commission=commission,
        number="45-П",
        dated=timezone.localdate(),
        issuing_body_kk="Түркістан қаласының білім бөлімі",
        issuing_body_ru="Отдел образования города Туркестан",
    )
    job = DocumentJob.objects.create(
        kind=DocumentJob.Kind.CERTIFICATES, order=order, total_rows=2, processed_rows=2
    )
    job.file.save("certificates-45.pdf", ContentFile(b"%PDF-1.4 merged"), save=False)
    job.status = DocumentJob.Status.DONE
    job.save()
    as_user(client, world.users["methodologist"])
    response = client.get(url("document_job_detail", job.pk))
    assert response.status_code == 200 and "45-П" in response.content.decode()
    download = client.get(url("document_job_download", job.pk))
    assert download["Content-Type"] == "application/pdf"
    assert (
        as_user(client, other_district_staff).get(url("document_job_detail", job.pk)).status_code
        == 404
    )


# --- the page's queries ---------------------------------------------------------------------------


def big_session(world, cycle, commission, secretary, size):
    """A planned session of `size` applications, every member present and voting on each,
    two portfolio sheets per application, one member sitting out every one: made with
    bulk_create, as the services would take minutes for 200."""
    session = plan(commission, secretary)
    members = voting(commission)
    members[-1].organization = world.school_b  # sits out school B's applications
    members[-1].save()
    expert = QualificationCategory.objects.get(code="expert")
    moderator = QualificationCategory.objects.get(code="moderator")
    teachers = TeacherFactory.build_batch(size, organization=world.school_b, category=moderator)
    from apps.teachers.models import Teacher

    teachers = Teacher.objects.bulk_create(teachers)
    language = InstructionLanguage.objects.get(code="kk")
    results = TestResult.objects.bulk_create(
        TestResult(
            teacher=t,
            taken_on=timezone.localdate(),
            language=language,
            score=Decimal(40),
            max_score=Decimal(50),
            certificate_number=f"BIG-{t.pk}",
            source=TestResult.Source.MANUAL,
        )
        for t in teachers
    )
    position = Position.objects.get(code="teacher")
    applications = Application.objects.bulk_create(
        Application(
            cycle=cycle,
            teacher=t,
            status=Application.Status.SCHEDULED,
            organization=world.school_b,
            position=position,
            current_category=moderator,
            claimed_category=expert,
            test_result=result,
            level="district",
            routed_district=world.city,
            commission=commission,
            version=1,
        )
        for t, result in zip(teachers, results, strict=True)
    )
    items = AgendaItem.objects.bulk_create(
        AgendaItem(session=session, application=a, number=n)
        for n, a in enumerate(applications, start=1)
    )
    Review.objects.bulk_create(
        Review(application=a, member=m, version=1, total=80 + n, submitted_at=timezone.now())
        for a in applications
        for n, m in enumerate(members[:2])
    )
    session.present.set(commission.members.all())
    Vote.objects.bulk_create(
        Vote(item=item, member=m, choice="for" if n % 3 else "against")
        for item in items
        for n, m in enumerate(members[:-1])
    )
    return session


@pytest.mark.parametrize("viewer", ["secretary", "member"])
def test_the_session_page_takes_the_same_queries_for_3_or_200_applications(
    client, world, cycle, commission, secretary, viewer, django_assert_max_num_queries
):
    user = secretary if viewer == "secretary" else seat(commission, "member").user
    small = big_session(world, cycle, commission, secretary, 3)
    large = big_session(world, cycle, commission, secretary, 200)
    as_user(client, user)
    with django_assert_max_num_queries(30) as few:
        response = client.get(url("session_detail", small.pk))
    assert len(response.context["page"].rows) == 3
    with django_assert_max_num_queries(30) as many:
        response = client.get(url("session_detail", large.pk))
    page = response.context["page"]
    assert len(page.rows) == 200 and len(page.rows[0].cells) == 7
    assert page.quorum.met and page.rows[0].provisional.outcome == "meets"
    assert page.rows[0].cells[-1].excluded == "works in the applicant's organisation"
    assert page.rows[0].summary.mean == Decimal("80.50")
    content = response.content.decode()
    assert content.count("sits out: works in the applicant&#x27;s organisation") == 200
    assert (content.count('name="vote-') == 200 * 6) is (viewer == "secretary")
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("name", ["session_agenda", "session_close"])
def test_the_agenda_and_close_pages_take_the_same_queries_for_3_or_200_applications(
    client, world, cycle, commission, secretary, name, django_assert_max_num_queries
):
    small = big_session(world, cycle, commission, secretary, 3)
    large = big_session(world, cycle, commission, secretary, 200)
    as_user(client, secretary)
    with django_assert_max_num_queries(30) as few:
        assert client.get(url(name, small.pk)).status_code == 200
    with django_assert_max_num_queries(30) as many:
        content = client.get(url(name, large.pk)).content.decode()
    assert content.count("Әбдірахманова") >= 200
    assert len(many.captured_queries) == len(few.captured_queries)
