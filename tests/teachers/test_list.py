"""The teacher list: filters, search, sorting, pagination, and a constant query count."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.teachers.models import QualificationCategory, Subject
from tests.factories import OrganizationFactory, TeacherFactory, next_iin


def _names(response):
    return [row.full_name.split()[0] for row in response.context["page"].object_list]


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.users["region_admin"])
    return client


def test_filters_by_district_organisation_category_and_subject(admin_client, world):
    url = reverse("teachers:list")
    response = admin_client.get(url, {"district": world.sairam.pk})
    assert _names(response) == [world.teacher_c.last_name]
    response = admin_client.get(url, {"organization": world.school_b.pk})
    assert _names(response) == [world.teacher_b.last_name]
    expert = QualificationCategory.objects.get(code="expert")
    world.teacher_b.category = expert
    world.teacher_b.save()
    response = admin_client.get(url, {"category": expert.pk})
    assert _names(response) == [world.teacher_b.last_name]
    response = admin_client.get(url, {"category": "null"})
    assert _names(response) == []
    physics = Subject.objects.get(code="physics")
    world.teacher_c.subjects.add(physics)
    response = admin_client.get(url, {"subject": physics.pk})
    assert _names(response) == [world.teacher_c.last_name]


def test_expiring_within_n_months(admin_client, world):
    today = timezone.localdate()
    world.teacher_a.category_valid_until = today + dt.timedelta(days=40)
    world.teacher_a.save()
    world.teacher_b.category_valid_until = today + dt.timedelta(days=200)
    world.teacher_b.save()
    world.teacher_c.category_valid_until = today - dt.timedelta(days=1)
    world.teacher_c.save()
    url = reverse("teachers:list")
    assert _names(admin_client.get(url, {"expiring_months": "3"})) == [world.teacher_a.last_name]
    assert set(_names(admin_client.get(url, {"expiring_months": "12"}))) == {
        world.teacher_a.last_name,
        world.teacher_b.last_name,
    }
    assert _names(admin_client.get(url, {"expiring_months": "0"})) == [world.teacher_c.last_name]


def test_search_by_name_in_any_case_and_by_iin(admin_client, world):
    teacher = TeacherFactory(
        organization=world.school_a, last_name="Өмірзақова", first_name="Әсел", middle_name=""
    )
    url = reverse("teachers:list")
    assert _names(admin_client.get(url, {"q": "ӨМІРЗАҚ"})) == ["Өмірзақова"]
    assert _names(admin_client.get(url, {"q": "әсел өмірз"})) == ["Өмірзақова"]
    assert _names(admin_client.get(url, {"q": teacher.iin})) == ["Өмірзақова"]
    assert "Өмірзақова" in _names(admin_client.get(url, {"q": teacher.iin[:6]}))
    assert _names(admin_client.get(url, {"q": "Жоқ адам"})) == []


def test_sorting_and_pagination(admin_client, world, settings):
    settings.TEACHER_LIST_PAGE_SIZE = 2
    url = reverse("teachers:list")
    first = admin_client.get(url, {"sort": "name"})
    second = admin_client.get(url, {"sort": "name", "page": 2})
    names = _names(first) + _names(second)
    expected = sorted(
        [world.teacher_a, world.teacher_b, world.teacher_c],
        key=lambda t: (t.last_name, t.first_name, t.pk),
    )
    assert names == [t.last_name for t in expected]
    reverse_names = _names(admin_client.get(url, {"sort": "-name"}))
    assert reverse_names == sorted(names, reverse=True)[:2]
    # An out-of-range page shows the last page rather than an error.
    assert admin_client.get(url, {"page": 99}).context["page"].number == 2
    assert admin_client.get(url, {"page": "abc"}).context["page"].number == 1


def test_invalid_filter_value_shows_an_error_not_a_crash(admin_client):
    response = admin_client.get(reverse("teachers:list"), {"category": "999999"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["category"]


def test_htmx_request_gets_only_the_results_fragment(admin_client):
    response = admin_client.get(reverse("teachers:list"), HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b'id="result-count"' in response.content


def _queries_for_list(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["region_admin", "methodologist", "school_admin"])
def test_list_query_count_does_not_grow_with_data(
    client, world, role, django_assert_max_num_queries
):
    client.force_login(world.users[role])
    url = reverse("teachers:list") + "?sort=name"
    small = _queries_for_list(client, url)
    math, physics = Subject.objects.filter(code__in=["mathematics", "physics"])
    school = OrganizationFactory(district=world.city)
    for n in range(30):
        teacher = TeacherFactory(
            organization=world.school_a if n % 2 else school,
            iin=next_iin(dt.date(1980, 1, 1 + n % 28), "F"),
        )
        teacher.subjects.add(math, physics)
    large = _queries_for_list(client, url)
    assert small == large
    with django_assert_max_num_queries(15):
        client.get(url + "&q=әбді&category=&subject=" + str(math.pk))


def test_search_results_paginate_and_count_in_one_query(admin_client, world, settings):
    settings.TEACHER_LIST_PAGE_SIZE = 2
    for n in range(5):
        TeacherFactory(organization=world.school_a, last_name="Бекова-" + "абвгд"[n])
    url = reverse("teachers:list")
    first = admin_client.get(url, {"q": "бекова"})
    assert first.context["page"].paginator.count == 5
    assert _names(first) == ["Бекова-а", "Бекова-б"]
    last = admin_client.get(url, {"q": "бекова", "page": 3})
    assert _names(last) == ["Бекова-д"]
    past = admin_client.get(url, {"q": "бекова", "page": 9})  # past the end: the last page
    assert past.context["page"].number == 3 and _names(past) == ["Бекова-д"]
    none = admin_client.get(url, {"q": "жоқ"})
    assert none.context["page"].paginator.count == 0 and _names(none) == []
