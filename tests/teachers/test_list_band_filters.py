"""The teacher list's filters by region, type of organisation, sex, age band, experience
band and a missing language: what the report figures link to."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.dates import add_years
from apps.organizations.models import InstructionLanguage, Region
from apps.teachers.models import Teacher
from tests.factories import OrganizationFactory, TeacherFactory


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.users["superuser"])
    return client


def _listed(client, **query) -> set[int]:
    response = client.get(reverse("teachers:list"), query)
    assert response.status_code == 200
    assert not response.context["filter"].form.errors
    return {row.pk for row in response.context["page"].object_list}


def test_by_region_type_of_organisation_and_sex(admin_client, world):
    college = OrganizationFactory(district=world.sairam, kind="college")
    lecturer = TeacherFactory(organization=college, sex="M")
    everyone = {world.teacher_a.pk, world.teacher_b.pk, world.teacher_c.pk, lecturer.pk}
    assert _listed(admin_client, region=world.region.pk) == everyone
    assert _listed(admin_client, organization_kind="college") == {lecturer.pk}
    assert _listed(admin_client, organization_kind="school") == everyone - {lecturer.pk}
    assert _listed(admin_client, sex="M") == {lecturer.pk}
    other = Region.objects.create(kato="99", name_kk="Басқа", name_ru="Другой")
    assert _listed(admin_client, region=other.pk) == set()


def test_age_bands_count_whole_years_to_the_birthday(admin_client, world):
    today = timezone.localdate()
    Teacher.objects.update(birth_date=add_years(today, -45))
    thirty_today = TeacherFactory(organization=world.school_a, birth_date=add_years(today, -30))
    thirty_tomorrow = TeacherFactory(
        organization=world.school_a, birth_date=add_years(today, -30) + dt.timedelta(days=1)
    )
    sixty = TeacherFactory(organization=world.school_a, birth_date=add_years(today, -60))
    assert _listed(admin_client, age_band="under-30") == {thirty_tomorrow.pk}
    assert _listed(admin_client, age_band="30-39") == {thirty_today.pk}
    assert _listed(admin_client, age_band="40-49") == {
        world.teacher_a.pk,
        world.teacher_b.pk,
        world.teacher_c.pk,
    }
    assert _listed(admin_client, age_band="50-59") == set()
    assert _listed(admin_client, age_band="60-plus") == {sixty.pk}


def test_experience_bands_with_unknown_and_future_starts(admin_client, world):
    today = timezone.localdate()
    Teacher.objects.update(experience_start=add_years(today, -25))
    unknown = TeacherFactory(organization=world.school_a, experience_start=None)
    starting = TeacherFactory(
        organization=world.school_a, experience_start=today + dt.timedelta(days=30)
    )
    three = TeacherFactory(organization=world.school_a, experience_start=add_years(today, -3))
    ten = TeacherFactory(organization=world.school_a, experience_start=add_years(today, -10))
    assert _listed(admin_client, experience_band="under-3") == {starting.pk}
    assert _listed(admin_client, experience_band="3-9") == {three.pk}
    assert _listed(admin_client, experience_band="10-19") == {ten.pk}
    assert len(_listed(admin_client, experience_band="20-plus")) == 3
    assert _listed(admin_client, experience_band="unknown") == {unknown.pk}


def test_teachers_without_a_language_of_instruction(admin_client, world):
    world.teacher_a.teaching_language = InstructionLanguage.objects.get(code="kk")
    world.teacher_a.save()
    assert _listed(admin_client, teaching_language="null") == {
        world.teacher_b.pk,
        world.teacher_c.pk,
    }


@pytest.mark.parametrize(
    "query", [{"age_band": "70-79"}, {"experience_band": "x"}, {"sex": "X"}, {"region": "abc"}]
)
def test_a_bad_band_is_a_form_error(admin_client, query):
    response = admin_client.get(reverse("teachers:list"), query)
    assert response.status_code == 200
    assert response.context["filter"].form.errors
