"""The districts' PD plans: set by superusers in the admin, once per district and year;
and the teacher-list filters the reports add refuse bad values."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from apps.reports.models import PdPlan
from apps.reports.services import pd_plan_save
from tests.factories import UserFactory

ADD_URL = "/admin/reports/pdplan/add/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_superuser_sets_a_plan_in_the_admin(client, world):
    superuser = world.users["superuser"]
    client.force_login(superuser)
    year = timezone.localdate().year
    response = client.post(
        ADD_URL, {"year": year, "district": world.city.pk, "planned_teachers": 1600}
    )
    assert response.status_code == 302
    plan = PdPlan.objects.get()
    assert (plan.year, plan.district, plan.planned_teachers) == (year, world.city, 1600)
    assert plan.created_by == superuser
    assert plan.scope_keys == (None, world.city.pk, world.region.pk)
    # The same district and year again is refused on the form.
    response = client.post(
        ADD_URL, {"year": year, "district": world.city.pk, "planned_teachers": 1}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("__all__", "unique_together")
    assert PdPlan.objects.count() == 1


def test_other_staff_cannot_change_plans_even_with_the_model_permission(client, world):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="reports"))
    client.force_login(staff)
    assert client.get(ADD_URL).status_code == 403
    response = client.post(
        ADD_URL, {"year": 2026, "district": world.city.pk, "planned_teachers": 5}
    )
    assert response.status_code == 403
    assert not PdPlan.objects.exists()


@pytest.mark.parametrize("role", ["hr_analyst", "methodologist", "school_admin"])
def test_the_service_refuses_users_who_do_not_set_plans(world, role):
    plan = PdPlan(year=2026, district=world.city, planned_teachers=10)
    with pytest.raises(PermissionDenied):
        pd_plan_save(plan=plan, actor=world.users[role])
    assert not PdPlan.objects.exists()


def test_the_regional_administrator_sets_their_districts_plans(world):
    plan = PdPlan(year=2026, district=world.city, planned_teachers=10)
    pd_plan_save(plan=plan, actor=world.users["region_admin"])
    assert plan.pk and plan.created_by == world.users["region_admin"]


@pytest.mark.parametrize(
    "query",
    [
        {"trained": "maybe"},
        {"course_completed_year": "abc"},
        {"course_completed_year": "1990"},
        {"attestation_cycle": "999999"},
        {"attestation_status": "lost"},
        {"attestation_result": "won"},
        {"leaders_intake": "999999"},
        {"leaders_stage": "elected"},
    ],
)
def test_a_bad_report_filter_value_is_a_form_error(client, world, query):
    client.force_login(world.users["region_admin"])
    response = client.get("/teachers/", query)
    assert response.status_code == 200
    assert response.context["filter"].form.errors
