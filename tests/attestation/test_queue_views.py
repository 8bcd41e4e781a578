"""The staff queue: who sees it and which applications, its filters and counts per stage,
a constant number of queries, bulk acceptance skipping what may not be accepted."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.attestation import services
from apps.attestation.models import Application, ApplicationEvent
from apps.teachers.models import QualificationCategory
from tests.factories import TeacherFactory, UserFactory

from .conftest import credit_pd_hours, make_complete

pytestmark = pytest.mark.usefixtures("private_storage")

S = Application.Status
QUEUE = reverse("attestation:queue")
BULK = reverse("attestation:queue_bulk_accept")


@pytest.fixture(autouse=True)
def english(world):
    """The English interface: the messages asserted are the source texts."""
    for user in world.users.values():
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
    with translation.override("en"):
        yield


def apply(world, cycle, teacher, *, stage=S.SUBMITTED, claimed="expert", complete=True):
    """An application of `teacher` at `stage`, through the services."""
    actor = world.users["superuser"]
    application = services.application_start(
        cycle=cycle,
        teacher=teacher,
        claimed_category=QualificationCategory.objects.get(code=claimed),
        actor=actor,
    )
    if complete:
        credit_pd_hours(teacher)
        application = make_complete(application, actor=actor)
    if stage == S.DRAFT:
        return application
    application = services.application_submit(application=application, actor=actor)
    if stage == S.ACCEPTED:
        return services.application_accept(application=application, actor=actor)
    if stage == S.REFUSED:
        return services.application_refuse(application=application, actor=actor, reason="Нет")
    if stage == S.RETURNED:
        return services.application_return(application=application, actor=actor, comment="Ещё")
    return application


def rows(response):
    return {a.pk for a in response.context["page"].object_list}


def counts(response):
    return {s.status: s.count for s in response.context["stages"]}


def warnings(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


def successes(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "success"]


def make_overdue(application):
    Application.objects.filter(pk=application.pk).update(
        accept_due_on=timezone.localdate() - dt.timedelta(days=1)
    )


# --- who sees what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("teacher", 403),
        ("no_role", 403),
        ("school_admin", 200),
        ("methodologist", 200),
        ("commission_member", 200),
        ("hr_analyst", 200),
        ("region_admin", 200),
        ("superuser", 200),
    ],
)
def test_the_queue_is_for_staff(client, world, cycle, role, status):
    client.force_login(world.users[role])
    assert client.get(QUEUE).status_code == status


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("school_admin", {"a"}),
        ("methodologist", {"a", "b"}),
        ("commission_member", {"a", "b"}),
        ("region_admin", {"a", "b", "c"}),
    ],
)
def test_each_user_sees_the_applications_of_their_scope(client, world, cycle, role, visible):
    made = {
        "a": apply(world, cycle, world.teacher_a),
        "b": apply(world, cycle, world.teacher_b),
        "c": apply(world, cycle, world.teacher_c),
    }
    client.force_login(world.users[role])

    response = client.get(QUEUE)

    assert rows(response) == {made[key].pk for key in visible}
    assert counts(response)[S.SUBMITTED] == len(visible)


# --- filters and counts -----------------------------------------------------------------------


def test_the_queue_starts_with_what_waits_in_the_latest_cycle(client, world, cycle):
    waiting = apply(world, cycle, world.teacher_a)
    accepted = apply(world, cycle, world.teacher_b, stage=S.ACCEPTED)
    drafted = apply(world, cycle, TeacherFactory(organization=world.school_a), stage=S.DRAFT)
    client.force_login(world.users["methodologist"])

    response = client.get(QUEUE)

    assert rows(response) == {waiting.pk}
    assert response.context["filter"].form["cycle"].value() == cycle.pk
    assert counts(response) == dict.fromkeys(S, 0) | {
        S.DRAFT: 1,
        S.SUBMITTED: 1,
        S.ACCEPTED: 1,
    }
    assert rows(client.get(QUEUE, {"status": ""})) == {waiting.pk, accepted.pk, drafted.pk}
    assert rows(client.get(QUEUE, {"status": "accepted"})) == {accepted.pk}


def test_counts_follow_the_filters_but_not_the_stage(client, world, cycle):
    apply(world, cycle, world.teacher_a)
    apply(world, cycle, world.teacher_b, stage=S.REFUSED)
    apply(world, cycle, world.teacher_c, stage=S.RETURNED)
    client.force_login(world.users["region_admin"])

    city = client.get(QUEUE, {"district": world.city.pk, "status": "refused"})

    assert counts(city)[S.SUBMITTED] == 1
    assert counts(city)[S.REFUSED] == 1
    assert counts(city)[S.RETURNED] == 0  # teacher C works in Sairam district
    stage_links = city.content.decode()
    assert f"district={world.city.pk}" in city.context["stage_query"]
    assert "status" not in city.context["stage_query"]
    assert 'data-stage="returned"' in stage_links


def test_overdue_answers_are_counted_flagged_and_filtered(client, world, cycle):
    late = apply(world, cycle, world.teacher_a)
    on_time = apply(world, cycle, world.teacher_b)
    make_overdue(late)
    client.force_login(world.users["methodologist"])

    everything = client.get(QUEUE)
    overdue = client.get(QUEUE, {"overdue": "on"})

    assert everything.context["overdue_count"] == 1
    assert rows(overdue) == {late.pk}
    flagged = {a.pk: a.overdue for a in everything.context["page"].object_list}
    assert flagged == {late.pk: True, on_time.pk: False}
    # The most urgent first.
    assert everything.context["page"].object_list[0].pk == late.pk


def test_an_accepted_application_is_never_overdue(client, world, cycle):
    accepted = apply(world, cycle, world.teacher_a, stage=S.ACCEPTED)
    make_overdue(accepted)
    client.force_login(world.users["school_admin"])

    assert rows(client.get(QUEUE, {"status": "", "overdue": "on"})) == set()


def test_search_by_name_or_iin_and_filter_by_organisation_and_category(client, world, cycle):
    a = apply(world, cycle, world.teacher_a)
    b = apply(world, cycle, world.teacher_b, claimed="moderator")
    client.force_login(world.users["methodologist"])

    assert rows(client.get(QUEUE, {"q": world.teacher_b.last_name})) == {b.pk}
    assert rows(client.get(QUEUE, {"q": world.teacher_a.iin[:6]})) == {a.pk, b.pk}
    assert rows(client.get(QUEUE, {"q": world.teacher_a.iin})) == {a.pk}
    assert rows(client.get(QUEUE, {"organization": world.school_b.pk})) == {b.pk}
    moderator = QualificationCategory.objects.get(code="moderator")
    assert rows(client.get(QUEUE, {"claimed_category": moderator.pk})) == {b.pk}


def test_a_filter_outside_the_scope_shows_nothing(client, world, cycle):
    apply(world, cycle, world.teacher_c)
    client.force_login(world.users["school_admin"])

    response = client.get(QUEUE, {"organization": world.school_c.pk})

    assert response.status_code == 200
    assert rows(response) == set()
    assert "organization" in response.context["filter"].form.errors


def test_htmx_gets_only_the_results(client, world, cycle):
    apply(world, cycle, world.teacher_a)
    client.force_login(world.users["school_admin"])

    response = client.get(QUEUE, {"status": "submitted"}, HTTP_HX_REQUEST="true")

    assert response.templates[0].name == "attestation/_queue_results.html"
    assert "<html" not in response.content.decode()


def _queue_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE, {"status": ""})
    assert response.status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(client, world, cycle):
    user = world.users["methodologist"]
    for _ in range(3):
        apply(world, cycle, TeacherFactory(organization=world.school_a))
    small = _queue_queries(client, user)

    for n in range(27):
        school = world.school_a if n % 2 else world.school_b
        stage = (S.SUBMITTED, S.ACCEPTED, S.DRAFT)[n % 3]
        apply(world, cycle, TeacherFactory(organization=school), stage=stage)
    large = _queue_queries(client, user)

    assert Application.objects.count() == 30
    assert large == small


# --- bulk acceptance --------------------------------------------------------------------------


def test_bulk_accept_accepts_the_complete_and_skips_the_rest_with_reasons(client, world, cycle):
    complete = apply(world, cycle, world.teacher_a)
    incomplete = apply(world, cycle, TeacherFactory(organization=world.school_a))
    accepted = apply(world, cycle, TeacherFactory(organization=world.school_a), stage=S.ACCEPTED)
    foreign = apply(world, cycle, world.teacher_b)
    # Complete when submitted; the test result then no longer counts.
    incomplete.teacher.test_results.update(taken_on=timezone.localdate() - dt.timedelta(days=400))
    client.force_login(world.users["school_admin"])
    ids = [complete.pk, incomplete.pk, accepted.pk, foreign.pk]

    response = client.post(f"{BULK}?status=submitted", {"applications": ids})

    assert response["Location"] == f"{QUEUE}?status=submitted"
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses == {
        complete.pk: S.ACCEPTED,
        incomplete.pk: S.SUBMITTED,
        accepted.pk: S.ACCEPTED,
        foreign.pk: S.SUBMITTED,
    }
    assert successes(response) == ["1 application has been accepted."]
    skipped = warnings(response)
    assert any(incomplete.teacher.full_name in m and "Incomplete" in m for m in skipped)
    assert any(accepted.teacher.full_name in m and "accepted" in m for m in skipped)
    assert "1 selected application is not in your queue." in skipped
    assert ApplicationEvent.objects.filter(application=accepted).count() == 3


def test_bulk_accept_skips_what_the_user_may_see_but_not_accept(client, world, cycle):
    own = apply(world, cycle, world.teacher_a)
    sairam = apply(world, cycle, world.teacher_c)
    user = UserFactory(preferred_language="en")
    role_assignment_create(user=user, role=Role.SCHOOL_ADMIN, organization=world.school_a)
    role_assignment_create(user=user, role=Role.COMMISSION_MEMBER, district=world.sairam)
    client.force_login(user)

    page = client.get(QUEUE).content.decode()
    response = client.post(BULK, {"applications": [own.pk, sairam.pk]})

    assert f'id="application-{own.pk}"' in page
    assert f'id="application-{sairam.pk}"' not in page  # no box to tick for what cannot be accepted
    own.refresh_from_db()
    sairam.refresh_from_db()
    assert (own.status, sairam.status) == (S.ACCEPTED, S.SUBMITTED)
    assert warnings(response) == [f"Not accepted: {sairam.teacher.full_name}: not in your scope"]


def test_bulk_accept_by_a_commission_member_accepts_nothing(client, world, cycle):
    application = apply(world, cycle, world.teacher_a)
    client.force_login(world.users["commission_member"])

    response = client.post(BULK, {"applications": [application.pk]})

    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert successes(response) == []
    assert len(warnings(response)) == 1


@pytest.mark.parametrize("data", [{}, {"applications": ["x"]}], ids=["none ticked", "not ids"])
def test_bulk_accept_without_valid_ids_says_so(client, world, cycle, data):
    client.force_login(world.users["school_admin"])
    response = client.post(BULK, data)
    errors = [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert response.status_code == 302
    assert len(errors) == 1


def test_bulk_accept_is_for_staff_and_by_post(client, world, cycle):
    application = apply(world, cycle, world.teacher_a)
    client.force_login(world.users["teacher"])
    assert client.post(BULK, {"applications": [application.pk]}).status_code == 403
    client.force_login(world.users["school_admin"])
    assert client.get(BULK).status_code == 405
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
