"""The reserve, appointments through the page, vacancies with the reservists of their
district, and who may do what."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.leaders import services
from apps.leaders.models import Appointment, Candidate, Vacancy
from apps.teachers.models import Teacher

from .builders import apply_all, attend_module, complete_training, decide_selection


def _to_reserve(world, intake, schools, *, entered):
    staff = world.users["region_admin"]
    pairs = apply_all(intake, schools)
    decide_selection(intake, staff)
    attend_module(intake, staff, before=entered)
    complete_training(intake, staff, graduates=pairs, host=world.school_b, reserve_from=entered)
    return [Candidate.objects.get(pk=c.pk) for c, _person in pairs]


@pytest.fixture
def reserve(world, intake):
    """Reservists: two from the city (school A, school B), one from Sairam (school C);
    open deputy vacancies at school B (city) and school C (Sairam)."""
    today = timezone.localdate()
    city_a, city_b, sairam = _to_reserve(
        world,
        intake,
        [world.school_a, world.school_b, world.school_c],
        entered=today - dt.timedelta(days=30),
    )
    staff = world.users["region_admin"]
    vacancies = {
        school: services.vacancy_create(
            actor=staff, organization=school, post="deputy", opened_on=today
        )
        for school in (world.school_b, world.school_c)
    }
    return SimpleNamespace(
        city_a=city_a, city_b=city_b, sairam=sairam, vacancies=vacancies, today=today
    )


def _appoint(client, candidate, **data):
    return client.post(reverse("leaders:appointment_create", args=[candidate.pk]), data)


def test_appointment_through_the_page(client, world, reserve):
    client.force_login(world.users["region_admin"])
    vacancy = reserve.vacancies[world.school_b]
    page = client.get(
        reverse("leaders:appointment_create", args=[reserve.city_a.pk]), {"vacancy": vacancy.pk}
    )
    assert page.context["form"].initial["vacancy"] == vacancy
    response = _appoint(
        client,
        reserve.city_a,
        post="deputy",
        organization=world.school_b.pk,
        appointed_on=reserve.today.isoformat(),
        order_number="№ 41-к",
        vacancy=vacancy.pk,
    )
    assert response.status_code == 302
    candidate = Candidate.objects.get(pk=reserve.city_a.pk)
    teacher = Teacher.objects.get(pk=candidate.teacher_id)
    assert candidate.status == "appointed"
    assert (teacher.position.code, teacher.organization, teacher.category.code) == (
        "deputy-director",
        world.school_b,
        "deputy-1",
    )
    assert teacher.category_awarded_on == reserve.today
    changes = teacher.history.filter(history_type="~").order_by("history_id")
    assert [h.history_change_reason for h in changes] == [
        "Appointed from the “1000 leaders” reserve, order № 41-к"
    ] * 2
    assert changes.last().history_user == world.users["region_admin"]
    vacancy.refresh_from_db()
    assert vacancy.filled_by == Appointment.objects.get(candidate=candidate)


def test_head_appointment_grants_head_1(client, world, reserve):
    client.force_login(world.users["methodologist"])  # district 6110: school A's reservist
    response = _appoint(
        client,
        reserve.city_a,
        post="head",
        organization=world.school_a.pk,
        appointed_on=reserve.today.isoformat(),
        order_number="№ 7",
    )
    assert response.status_code == 302
    teacher = Teacher.objects.get(pk=reserve.city_a.teacher_id)
    assert (teacher.position.code, teacher.category.code) == ("director", "head-1")
    assert reserve.vacancies[world.school_b].filled_by is None


def test_errors_are_shown_on_the_form(client, world, reserve):
    client.force_login(world.users["region_admin"])
    too_early = reserve.city_a.reserve_from - dt.timedelta(days=1)
    response = _appoint(
        client,
        reserve.city_a,
        post="deputy",
        organization=world.school_a.pk,
        appointed_on=too_early.isoformat(),
        order_number="№ 1",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["appointed_on"] == [
        "The appointment cannot precede the entry into the reserve."
    ]
    wrong_vacancy = _appoint(
        client,
        reserve.city_a,
        post="head",
        organization=world.school_b.pk,
        appointed_on=reserve.today.isoformat(),
        order_number="№ 1",
        vacancy=reserve.vacancies[world.school_b].pk,
    )
    assert wrong_vacancy.context["form"].errors["vacancy"] == [
        "The vacancy is for another post or organisation."
    ]
    assert 'aria-invalid="true"' in wrong_vacancy.content.decode()
    assert Candidate.objects.get(pk=reserve.city_a.pk).status == "reserve"


def test_a_methodologist_appoints_only_within_their_district(client, world, reserve):
    client.force_login(world.users["methodologist"])
    # Sairam's reservist is outside their scope; school C is not among their organisations.
    assert _appoint(client, reserve.sairam, post="deputy").status_code == 404
    response = _appoint(
        client,
        reserve.city_a,
        post="deputy",
        organization=world.school_c.pk,
        appointed_on=reserve.today.isoformat(),
        order_number="№ 2",
    )
    assert "organization" in response.context["form"].errors


@pytest.mark.parametrize("role", ["hr_analyst", "commission_member", "school_admin"])
def test_readers_see_the_reserve_but_do_not_appoint(client, world, reserve, role):
    client.force_login(world.users[role])
    assert client.get(reverse("leaders:reserve")).status_code == 200
    page = client.get(reverse("leaders:appointment_create", args=[reserve.city_a.pk]))
    assert page.status_code == 403


@pytest.mark.parametrize("role", ["teacher", "no_role"])
def test_no_staff_role_no_reserve(client, world, role):
    client.force_login(world.users[role])
    for name in ("reserve", "vacancy_list", "vacancy_create"):
        assert client.get(reverse(f"leaders:{name}")).status_code == 403


def test_reserve_list_scope_and_filters(client, world, reserve):
    client.force_login(world.users["methodologist"])
    page = client.get(reverse("leaders:reserve")).context["page"]
    assert {c.pk for c in page.object_list} == {reserve.city_a.pk, reserve.city_b.pk}
    client.force_login(world.users["region_admin"])
    url = reverse("leaders:reserve")
    page = client.get(url, {"district": world.sairam.pk}).context["page"]
    assert [c.pk for c in page.object_list] == [reserve.sairam.pk]
    assert not client.get(url, {"district": "x"}).context["page"].object_list


def test_vacancies_list_only_the_reservists_of_their_district(client, world, reserve):
    Candidate.objects.filter(pk=reserve.city_b.pk).update(
        reserve_until=reserve.today - dt.timedelta(days=1)  # term over
    )
    client.force_login(world.users["region_admin"])
    board = client.get(reverse("leaders:vacancy_list")).context["board"]
    matches = {
        match.vacancy.organization: [c.pk for c in match.reservists]
        for group in board
        for match in group.vacancies
    }
    assert matches == {world.school_b: [reserve.city_a.pk], world.school_c: [reserve.sairam.pk]}
    assert [group.district for group in board] == [world.city, world.sairam]


def test_vacancy_create(client, world):
    client.force_login(world.users["school_admin"])  # school A
    url = reverse("leaders:vacancy_create")
    data = {"post": "head", "opened_on": timezone.localdate().isoformat()}
    refused = client.post(url, {**data, "organization": world.school_b.pk})
    assert "organization" in refused.context["form"].errors
    assert client.post(url, {**data, "organization": world.school_a.pk}).status_code == 302
    assert Vacancy.objects.get().organization == world.school_a
    client.force_login(world.users["methodologist"])
    response = client.post(url, {**data, "organization": world.school_b.pk})
    assert response.status_code == 302
    client.force_login(world.users["hr_analyst"])  # reads the region, changes nothing
    assert client.get(url).status_code == 403


def _more_reservists(world, reserve, count):
    """More reservists and vacancies (another intake), to check the queries stay flat."""
    from apps.leaders.models import Intake

    staff = world.users["region_admin"]
    intake = Intake.objects.get()
    earlier = services.intake_create(
        actor=staff,
        programme=intake.programme,
        positions=intake.positions.all(),
        year=intake.year - 1,
        application_opens=reserve.today - dt.timedelta(days=1),
        application_closes=reserve.today + dt.timedelta(days=1),
        capacity=count,
    )
    earlier = services.intake_set_status(intake=earlier, actor=staff, status="applications")
    schools = [world.school_a, world.school_c] * (count // 2)
    _to_reserve(world, earlier, schools, entered=reserve.today - dt.timedelta(days=20))
    for school in (world.school_a, world.school_c):
        services.vacancy_create(
            actor=staff, organization=school, post="head", opened_on=reserve.today
        )
    appointed = Candidate.objects.filter(intake=earlier).first()
    services.appointment_record(
        candidate=appointed,
        actor=staff,
        post="deputy",
        organization=world.school_a,
        appointed_on=reserve.today,
        order_number="№ 9",
    )


@pytest.mark.parametrize("name", ["reserve", "vacancy_list"])
def test_queries_do_not_grow_with_the_data(
    client, world, reserve, name, django_assert_max_num_queries
):
    client.force_login(world.users["region_admin"])
    url = reverse(f"leaders:{name}")
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    _more_reservists(world, reserve, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
