"""Lesson observation pages through the client: finding the teacher, the sheet with a radio
row per criterion, who may observe whom, the list by role and filter, and the detail."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.attestation import services
from apps.attestation.models import AttestationCycle, LessonObservation
from apps.teachers.models import Subject
from tests.factories import TeacherFactory

pytestmark = pytest.mark.usefixtures("english")


def url(name, *args):
    return reverse(f"attestation:{name}", args=args)


def create_url(teacher):
    return f"{url('observation_create')}?teacher={teacher.pk}"


def sheet(cycle, score=2, **fields):
    data = {
        "observed_on": timezone.localdate().isoformat(),
        "subject": Subject.objects.get(code="mathematics").pk,
        "grade": "5 Ә",
        "topic": "Жай бөлшектер",
        "comment": "Оқушылар белсенді.",
    }
    data.update({f"score_{c.code}": score for c in cycle.observation_criteria.all()})
    data.update(fields)
    return data


def observe(world, cycle, *, actor="school_admin", teacher=None, score=2, **fields):
    codes = cycle.observation_criteria.values_list("code", flat=True)
    return services.observation_create(
        actor=world.users[actor],
        cycle=cycle,
        teacher=teacher or world.teacher_a,
        scores=dict.fromkeys(codes, score),
        observed_on=fields.pop("observed_on", timezone.localdate()),
        topic=fields.pop("topic", "Сабақ"),
        **fields,
    )


# --- recording a sheet -----------------------------------------------------------------------


def test_an_observer_finds_the_teacher_by_iin_and_records_the_sheet(client, world, cycle):
    client.force_login(world.users["school_admin"])
    page = client.get(url("observation_create"))
    assert page.status_code == 200 and page.context["search"] is not None
    found = client.get(url("observation_create"), {"iin": world.teacher_a.iin})
    assert found.status_code == 302
    assert found["Location"] == create_url(world.teacher_a)

    page = client.get(create_url(world.teacher_a))
    html = page.content.decode()
    criteria = list(cycle.observation_criteria.all())
    assert html.count("<legend") >= len(criteria) + 2  # a fieldset per criterion
    for criterion in criteria:
        assert criterion.title in html
        for score in range(4):
            assert f'name="score_{criterion.code}" value="{score}"' in html

    response = client.post(create_url(world.teacher_a), sheet(cycle, score=3, score_goals=1))
    observation = LessonObservation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("observation_detail", observation.pk)
    assert (observation.teacher, observation.observer, observation.cycle) == (
        world.teacher_a,
        world.users["school_admin"],
        cycle,
    )
    assert observation.scores["goals"] == 1
    assert observation.total == 1 + 3 * (len(criteria) - 1)
    assert (observation.grade, observation.subject.code) == ("5 Ә", "mathematics")


def test_every_criterion_must_be_scored(client, world, cycle):
    client.force_login(world.users["methodologist"])
    data = sheet(cycle)
    del data["score_goals"]
    response = client.post(create_url(world.teacher_b), data)
    assert response.status_code == 200
    assert "score_goals" in response.context["form"].errors
    assert 'aria-describedby="id_score_goals_error_1"' in response.content.decode()
    response = client.post(create_url(world.teacher_b), sheet(cycle, score=4))
    assert response.status_code == 200
    assert not LessonObservation.objects.exists()


def test_a_lesson_in_the_future_is_refused(client, world, cycle):
    client.force_login(world.users["commission_member"])
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(create_url(world.teacher_b), sheet(cycle, observed_on=tomorrow))
    assert response.status_code == 200
    assert "observed_on" in response.context["form"].errors
    assert not LessonObservation.objects.exists()


def test_a_commission_member_is_marked(client, world, cycle):
    client.force_login(world.users["commission_member"])
    client.post(create_url(world.teacher_b), sheet(cycle))
    assert LessonObservation.objects.get().observer_is_commission_member


def test_an_iin_outside_the_scope_is_not_found(client, world, cycle):
    client.force_login(world.users["school_admin"])
    response = client.get(url("observation_create"), {"iin": world.teacher_b.iin})
    assert response.status_code == 200
    assert "No teacher with this IIN" in response.content.decode()
    assert client.get(create_url(world.teacher_b)).status_code == 404
    assert client.get(f"{url('observation_create')}?teacher=abc").status_code == 404
    response = client.get(url("observation_create"), {"iin": "12345"})
    assert response.context["search"].errors


@pytest.mark.parametrize(
    ("role", "teacher", "status"),
    [
        ("teacher", "teacher_a", 403),  # their own lesson
        ("hr_analyst", "teacher_a", 403),  # reads, does not observe
        ("region_admin", "teacher_a", 403),
        ("no_role", "teacher_a", 404),
        ("commission_member", "teacher_c", 404),  # another district
    ],
)
def test_who_may_not_observe(client, world, cycle, role, teacher, status):
    client.force_login(world.users[role])
    target = getattr(world, teacher)
    assert client.get(create_url(target)).status_code == status
    assert client.post(create_url(target), sheet(cycle)).status_code == status
    assert not LessonObservation.objects.exists()


def test_an_observer_who_is_the_teacher_is_refused(client, world, cycle):
    admin = world.users["school_admin"]
    own = TeacherFactory(organization=world.school_a, user=admin)
    client.force_login(admin)
    assert client.post(create_url(own), sheet(cycle)).status_code == 403


def test_without_an_open_cycle_the_sheet_is_not_offered(client, world, cycle):
    services.cycle_set_status(cycle=cycle, actor=world.users["region_admin"], status="closed")
    client.force_login(world.users["school_admin"])
    response = client.get(create_url(world.teacher_a))
    assert response.status_code == 200
    assert "no open attestation cycle" in response.content.decode()
    assert response.context.get("form") is None
    client.post(create_url(world.teacher_a), sheet(cycle))
    assert not LessonObservation.objects.exists()


# --- the list and the detail -----------------------------------------------------------------


@pytest.fixture
def observations(world, cycle):
    """teacher A observed by the school administrator, teacher B by the commission member,
    teacher C by a methodologist of Sairam district."""
    from apps.accounts.models import Role
    from apps.accounts.services import role_assignment_create
    from tests.factories import UserFactory

    sairam = UserFactory(preferred_language="en")
    role_assignment_create(user=sairam, role=Role.METHODOLOGIST, district=world.sairam)
    world.users["sairam_methodologist"] = sairam
    return {
        "a": observe(world, cycle, actor="school_admin", teacher=world.teacher_a),
        "b": observe(world, cycle, actor="commission_member", teacher=world.teacher_b),
        "c": observe(world, cycle, actor="sairam_methodologist", teacher=world.teacher_c),
    }


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("teacher", {"a"}),  # the lessons of their own
        ("school_admin", {"a"}),
        ("commission_member", {"a", "b"}),
        ("methodologist", {"a", "b"}),
        ("sairam_methodologist", {"c"}),
        ("hr_analyst", {"a", "b", "c"}),
        ("no_role", set()),
    ],
)
def test_the_list_by_role(client, world, observations, role, visible):
    client.force_login(world.users[role])
    response = client.get(url("observation_list"))
    assert response.status_code == 200
    assert set(response.context["page"].object_list) == {observations[k] for k in visible}


def test_an_observer_keeps_seeing_the_sheets_they_entered(client, world, observations):
    """The school administrator's teacher moves to another district: the sheet stays on the
    administrator's list."""
    world.teacher_a.organization = world.school_c
    world.teacher_a.save()
    client.force_login(world.users["school_admin"])
    response = client.get(url("observation_list"))
    assert set(response.context["page"].object_list) == {observations["a"]}


def test_the_list_filters_by_teacher_and_cycle(client, world, cycle, observations):
    client.force_login(world.users["region_admin"])
    by_iin = client.get(url("observation_list"), {"q": world.teacher_b.iin})
    assert list(by_iin.context["page"].object_list) == [observations["b"]]
    by_id = client.get(url("observation_list"), {"teacher": world.teacher_c.pk})
    assert list(by_id.context["page"].object_list) == [observations["c"]]
    by_cycle = client.get(url("observation_list"), {"cycle": cycle.pk})
    assert len(by_cycle.context["page"].object_list) == 3
    AttestationCycle.objects.filter(pk=cycle.pk).update(status="closed")
    other = services.cycle_create(
        actor=world.users["region_admin"],
        region=world.region,
        school_year="2027-2028",
        application_opens=dt.date(2027, 5, 1),
        application_closes=dt.date(2027, 6, 1),
        review_starts=dt.date(2028, 1, 1),
        review_ends=dt.date(2028, 8, 1),
        essay_topic_kk="Т",
        essay_topic_ru="Т",
    )
    empty = client.get(url("observation_list"), {"cycle": other.pk})
    assert list(empty.context["page"].object_list) == []


@pytest.mark.parametrize("count", [2, 30])
def test_the_list_pages_in_constant_queries(
    client, world, cycle, count, django_assert_max_num_queries
):
    for n in range(count):
        teacher = TeacherFactory(organization=world.school_a if n % 2 else world.school_b)
        observe(world, cycle, actor="methodologist", teacher=teacher)
    client.force_login(world.users["methodologist"])
    with django_assert_max_num_queries(10):
        response = client.get(url("observation_list"))
    assert len(response.context["page"].object_list) == min(count, 25)
    assert response.context["page"].paginator.count == count


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("teacher", 200),  # their own lesson
        ("school_admin", 200),  # the observer
        ("methodologist", 200),  # staff over the teacher
        ("hr_analyst", 200),
        ("no_role", 404),
    ],
)
def test_the_detail_shows_the_scores(client, world, cycle, role, status):
    observation = observe(world, cycle, actor="school_admin", score=3, comment="Жақсы")
    client.force_login(world.users[role])
    response = client.get(url("observation_detail", observation.pk))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        criteria = list(cycle.observation_criteria.all())
        assert [title for title, _score in response.context["scores"]] == [
            c.title for c in criteria
        ]
        total = 3 * len(criteria)
        assert f"{total} of {total}" in html
        assert "Жақсы" in html


def test_the_detail_of_another_districts_sheet_is_not_found(client, world, observations):
    client.force_login(world.users["school_admin"])
    assert client.get(url("observation_detail", observations["c"].pk)).status_code == 404
