"""The districts' PD plans: set by superusers in the admin, once per district and year;
and the teacher-list filters the reports add refuse bad values."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.organizations.models import District, Region
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


def test_another_role_elsewhere_gives_a_regional_administrator_no_plans_there(client, world):
    """The region's administrator who is also a methodologist of a district of another
    region reads that district's plan but does not set it: only the regional role sets
    plans, whatever else the user's write scope holds."""
    admin = world.users["region_admin"]
    elsewhere = District.objects.create(
        region=Region.objects.create(kato="99", name_kk="Б", name_ru="Д"),
        kato="9910",
        kind="city",
        name_kk="Б",
        name_ru="Д",
    )
    cache.clear()  # the cached list of all regions: the administrator's is no longer all
    role_assignment_create(user=admin, role=Role.METHODOLOGIST, district=elsewhere)
    assert admin.has_perm("reports.change_pdplan", PdPlan(year=2026, district=world.city))
    plan = PdPlan(year=2026, district=elsewhere, planned_teachers=10)
    assert not admin.has_perm("reports.change_pdplan", plan)
    with pytest.raises(PermissionDenied):
        pd_plan_save(plan=plan, actor=admin)
    # The page shows that district's plan, without a number to change.
    client.force_login(admin)
    response = client.get("/reports/plans/")
    assert elsewhere in [
        row.district for region, _ in response.context["sections"] for row in region.districts
    ]
    assert elsewhere not in response.context["formset"].districts
    assert world.city in response.context["formset"].districts
    assert not PdPlan.objects.exists()


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
