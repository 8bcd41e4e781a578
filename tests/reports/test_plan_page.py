"""The districts' PD plan page: every district the user sees whole with its plan, the fact
and the share, a total per region; editable by the regional administrators and
superusers (all or nothing), read-only for the other staff."""

import datetime as dt
import re
from functools import partial

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from apps.organizations.models import District, Region
from apps.reports.models import PdPlan
from apps.reports.selectors import ReportFilters, pd_coverage, pd_plan_list
from apps.reports.services import PlansChangedMeanwhile, pd_plan_delete, pd_plans_save
from tests.concurrency import run_together
from tests.factories import CourseFactory, OrganizationFactory, TeacherFactory

from .conftest import completed, run_ending

URL = reverse("reports:plans")
KEEP = object()


def english(user):
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    return user


def signed_in(client, user):
    client.force_login(english(user))
    return client


def page(client, **query):
    response = client.get(URL, query)
    assert response.status_code == 200
    return response


def rows(response) -> dict[int, object]:
    """{district id: DistrictPlan} of the page."""
    return {
        row.district.pk: row for plans, lines in response.context["sections"] for row, _ in lines
    }


def post_data(formset, changes: dict) -> dict:
    """What the browser posts: every number as shown, except `changes` ({district: value},
    None for blank)."""
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(len(formset.forms)),
        f"{formset.prefix}-INITIAL_FORMS": str(len(formset.forms)),
    }
    for form in formset:
        shown = form["planned_teachers"].value()
        shown = "" if shown is None else str(shown)
        value = changes.get(form.district.pk, KEEP)
        data[form["district"].html_name] = str(form.district.pk)
        data[form["planned_teachers"].html_initial_name] = shown
        data[form["planned_teachers"].html_name] = (
            shown if value is KEEP else ("" if value is None else str(value))
        )
    return data


def row_html(response, district) -> str:
    html = response.content.decode()
    match = re.search(rf'<tr id="plan-{district.pk}">(.*?)</tr>', html, re.S)
    assert match, district
    return match.group(1)


@pytest.fixture
def year():
    return timezone.localdate().year


# --- who sees what ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["no_role", "teacher"])
def test_only_staff_see_the_plans(client, world, role):
    client.force_login(world.users[role])
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("role", ["hr_analyst", "methodologist", "commission_member"])
def test_other_staff_read_the_plans_of_their_districts(client, world, role, year):
    PdPlan.objects.create(year=year, district=world.city, planned_teachers=40)
    response = page(signed_in(client, world.users[role]))
    assert response.context["formset"] is None
    html = response.content.decode()
    assert "<input" not in row_html(response, world.city)
    assert "40" in row_html(response, world.city)
    assert "Save the plans" not in html
    region_wide = role == "hr_analyst"
    assert (world.sairam.pk in rows(response)) is region_wide
    assert len(rows(response)) == (17 if region_wide else 1)
    response = client.post(f"{URL}?year={year}", {"form-TOTAL_FORMS": "0"})
    assert response.status_code == 403
    assert PdPlan.objects.get().planned_teachers == 40


def test_a_school_administrator_sees_no_district_whole(client, world):
    response = page(signed_in(client, world.users["school_admin"]))
    assert response.context["sections"] == []
    assert "you see none whole" in response.content.decode()


@pytest.mark.parametrize("role", ["region_admin", "superuser"])
def test_regional_administrators_and_superusers_edit_every_district(client, world, role, year):
    PdPlan.objects.create(year=year, district=world.city, planned_teachers=40)
    response = page(signed_in(client, world.users[role]))
    formset = response.context["formset"]
    assert len(formset.forms) == 17
    assert 'name="form-0-planned_teachers"' in row_html(response, world.city)
    assert 'value="40"' in row_html(response, world.city)
    assert "Plan for Turkistan city" in response.content.decode()


# --- saving -----------------------------------------------------------------------------------


def test_saving_creates_changes_and_removes_plans_in_one_go(client, world, year):
    admin = world.users["region_admin"]
    arys = District.objects.get(kato="6116")
    PdPlan.objects.create(year=year, district=world.city, planned_teachers=40)
    sairam_plan = PdPlan.objects.create(year=year, district=world.sairam, planned_teachers=7)
    untouched = PdPlan.objects.create(
        year=year, district=District.objects.get(kato="6120"), planned_teachers=3
    )
    formset = page(signed_in(client, admin)).context["formset"]
    changes = {world.city.pk: 1600, world.sairam.pk: None, arys.pk: 0}
    response = client.post(f"{URL}?year={year}", post_data(formset, changes), follow=True)
    assert response.redirect_chain == [(f"{URL}?year={year}", 302)]
    assert "3 plans saved." in response.content.decode()
    plans = {p.district_id: p for p in PdPlan.objects.filter(year=year)}
    assert {d: p.planned_teachers for d, p in plans.items()} == {
        world.city.pk: 1600,
        arys.pk: 0,
        untouched.district_id: 3,
    }
    assert plans[arys.pk].created_by == admin
    assert plans[untouched.district_id].updated_at == untouched.updated_at
    # The history tells who did what.
    history = PdPlan.history.filter(history_user=admin)
    assert sorted(history.values_list("district_id", "history_type", "planned_teachers")) == sorted(
        [(world.city.pk, "~", 1600), (arys.pk, "+", 0), (world.sairam.pk, "-", 7)]
    )
    assert not PdPlan.objects.filter(pk=sairam_plan.pk).exists()
    assert rows(response)[world.city.pk].record.changed_by == admin
    assert "Сейітова" in row_html(response, world.city) or admin.email in row_html(
        response, world.city
    )


def test_an_invalid_value_anywhere_saves_nothing(client, world, year):
    admin = world.users["region_admin"]
    PdPlan.objects.create(year=year, district=world.city, planned_teachers=40)
    formset = page(signed_in(client, admin)).context["formset"]
    errors = {
        "-1": "Ensure this value is greater than or equal to 0.",
        "many": "Enter a whole number.",
        "2.5": "Enter a whole number.",
        "1000001": "Ensure this value is less than or equal to 1000000.",
    }
    for bad, error in errors.items():
        changes = {world.city.pk: 50, world.sairam.pk: bad}
        response = client.post(f"{URL}?year={year}", post_data(formset, changes))
        assert response.status_code == 200
        sairam = row_html(response, world.sairam)
        assert "is-invalid" in sairam and error in sairam
        assert "invalid-feedback" not in row_html(response, world.city)
        # What was typed stays on the page.
        assert 'value="50"' in row_html(response, world.city)
        assert PdPlan.objects.get().planned_teachers == 40


def test_the_errors_are_in_the_users_language(client, world, year):
    admin = world.users["region_admin"]  # Kazakh by default
    client.force_login(admin)
    formset = client.get(URL).context["formset"]
    response = client.post(f"{URL}?year={year}", post_data(formset, {world.city.pk: "-1"}))
    feedback = re.search(r"invalid-feedback[^>]*>([^<]+)<", row_html(response, world.city))
    assert feedback and "Ensure this value" not in feedback.group(1)


def test_only_what_the_user_changed_is_saved(client, world, year):
    """Someone else's change after the page was opened is kept when this user left that
    number alone: the numbers the user changed are saved, the rest are not even compared."""
    admin = world.users["region_admin"]
    PdPlan.objects.create(year=year, district=world.city, planned_teachers=40)
    formset = page(signed_in(client, admin)).context["formset"]
    PdPlan.objects.filter(district=world.city).update(planned_teachers=45)
    response = client.post(f"{URL}?year={year}", post_data(formset, {world.sairam.pk: 9}))
    assert response.status_code == 302
    plans = dict(PdPlan.objects.values_list("district_id", "planned_teachers"))
    assert plans == {world.city.pk: 45, world.sairam.pk: 9}


def test_a_plan_changed_meanwhile_is_not_overwritten_unseen(client, world, year):
    """Two administrators on the same plans: the later save names each district the other
    changed (or removed), keeps every number typed and saves nothing; saving again then
    knowingly replaces the other's plan."""
    admin = world.users["region_admin"]
    arys = District.objects.get(kato="6116")
    PdPlan.objects.create(year=year, district=world.city, planned_teachers=40)
    PdPlan.objects.create(year=year, district=world.sairam, planned_teachers=7)
    formset = page(signed_in(client, admin)).context["formset"]
    # Meanwhile the other administrator changes the city's plan and removes Sairam's.
    PdPlan.objects.filter(district=world.city).update(planned_teachers=45)
    PdPlan.objects.filter(district=world.sairam).delete()
    changes = {world.city.pk: 50, world.sairam.pk: 8, arys.pk: 3}
    response = client.post(f"{URL}?year={year}", post_data(formset, changes))
    assert response.status_code == 200
    city, sairam = row_html(response, world.city), row_html(response, world.sairam)
    assert "Turkistan city: someone else changed this plan to 45 after you opened" in city
    assert "is-invalid" in city and 'value="50"' in city
    assert "Sairam district: someone else removed this plan" in sairam
    assert 'value="8"' in sairam
    arys_row = row_html(response, arys)
    assert "invalid-feedback" not in arys_row and 'value="3"' in arys_row
    assert dict(PdPlan.objects.values_list("district_id", "planned_teachers")) == {
        world.city.pk: 45
    }
    # The page now shows the plans as they are: saving again is a choice made knowingly.
    assert re.search(r'name="initial-form-\d+-planned_teachers" value="45"', city)
    again = response.context["formset"].data.dict()
    response = client.post(f"{URL}?year={year}", again)
    assert response.status_code == 302
    assert dict(PdPlan.objects.values_list("district_id", "planned_teachers")) == {
        world.city.pk: 50,
        world.sairam.pk: 8,
        arys.pk: 3,
    }


def test_the_same_number_set_meanwhile_is_no_conflict(world, year):
    admin = world.users["region_admin"]
    PdPlan.objects.create(year=year, district=world.city, planned_teachers=45)
    changed = pd_plans_save(year=year, plans={world.city: 45}, shown={world.city: 40}, actor=admin)
    assert changed == 0


def test_a_changed_list_of_districts_is_refused(client, world, year):
    admin = world.users["region_admin"]
    formset = page(signed_in(client, admin)).context["formset"]
    data = post_data(formset, {world.city.pk: 5})
    # A form too few, and two forms swapped: both are refused as a whole.
    short = {**data, "form-TOTAL_FORMS": "16"}
    response = client.post(f"{URL}?year={year}", short)
    assert "has changed since the page was opened" in response.content.decode()
    swapped = {**data, "form-0-district": data["form-1-district"]}
    response = client.post(f"{URL}?year={year}", swapped)
    assert "has changed since the page was opened" in response.content.decode()
    assert not PdPlan.objects.exists()


def test_the_year_is_the_one_asked_for(client, world, year):
    PdPlan.objects.create(year=year - 1, district=world.city, planned_teachers=999)
    admin = signed_in(client, world.users["region_admin"])
    response = page(admin, year=year - 1)
    assert response.context["year"] == year - 1
    assert rows(response)[world.city.pk].plan == 999
    assert f'href="?year={year - 2}"' in response.content.decode()
    assert f'href="?year={year}"' in response.content.decode()
    assert page(admin, year="").context["year"] == year
    assert page(admin).context["year"] == year
    formset = response.context["formset"]
    client.post(f"{URL}?year={year - 1}", post_data(formset, {world.city.pk: 998}))
    assert PdPlan.objects.get().year == year - 1
    assert PdPlan.objects.get().planned_teachers == 998


@pytest.mark.parametrize("odd", ["abc", "1999", "2101", "2025.5"])
def test_a_year_that_is_none_is_refused_not_taken_for_this_one(client, world, year, odd):
    """A save to such an address would otherwise change this year's plans."""
    signed_in(client, world.users["region_admin"])
    formset = page(client).context["formset"]
    response = client.get(URL, {"year": odd})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"There are no plans for “{odd}”: the year must be from 2000 to 2100." in html
    response = client.post(f"{URL}?year={odd}", post_data(formset, {world.city.pk: 5}))
    assert response.status_code == 400
    assert not PdPlan.objects.exists()


# --- the service ------------------------------------------------------------------------------


def test_the_services_refuse_a_user_who_does_not_set_plans(world, year):
    plan = PdPlan.objects.create(year=year, district=world.city, planned_teachers=40)
    analyst = world.users["hr_analyst"]
    with pytest.raises(PermissionDenied):
        pd_plan_delete(plan=plan, actor=analyst)
    with pytest.raises(PermissionDenied):
        pd_plans_save(
            year=year,
            plans={world.sairam: 5, world.city: None},
            shown={world.sairam: None, world.city: 40},
            actor=analyst,
        )
    assert list(PdPlan.objects.values_list("district_id", "planned_teachers")) == [
        (world.city.pk, 40)
    ]


def test_a_refused_plan_undoes_the_ones_before_it(world, year):
    """A batch with a district of another region is refused whole: the regional
    administrator's plan for their own district, saved before, is undone."""
    admin = world.users["region_admin"]
    other_region_district = District.objects.create(
        region=Region.objects.create(kato="99", name_kk="Б", name_ru="Д"),
        kato="9910",
        kind="city",
        name_kk="Б",
        name_ru="Д",
    )
    cache.clear()  # the cached list of all regions: the administrator's is no longer all
    with pytest.raises(PermissionDenied):
        pd_plans_save(
            year=year,
            plans={world.city: 5, other_region_district: 5},
            shown={world.city: None, other_region_district: None},
            actor=admin,
        )
    assert not PdPlan.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT ... FOR UPDATE) are what is under test; SQLite serialises writers",
)
def test_two_administrators_saving_the_same_plan_at_once(world, year):
    """Both saw 40 and save at the same moment: one's plan is saved, the other is told
    whose number is there now, never silently overwriting it."""
    admin, superuser = world.users["region_admin"], world.users["superuser"]
    plan = PdPlan.objects.create(year=year, district=world.city, planned_teachers=40)
    assert admin.has_perm("reports.change_pdplan", plan)  # roles loaded before the threads

    with translation.override("en"):
        results, errors = run_together(
            [
                partial(
                    pd_plans_save,
                    year=year,
                    plans={world.city: teachers},
                    shown={world.city: 40},
                    actor=actor,
                )
                for actor, teachers in ((admin, 50), (superuser, 60))
            ]
        )

    assert results == [1]
    (error,) = errors
    assert isinstance(error, PlansChangedMeanwhile)
    stored = PdPlan.objects.get().planned_teachers
    assert stored in (50, 60)
    assert error.messages == [
        f"Turkistan city: someone else changed this plan to {stored} after you opened the "
        "page. Save again to replace it with yours."
    ]
    assert PdPlan.history.filter(history_type="~").count() == 1


# --- the figures ------------------------------------------------------------------------------


def test_plan_fact_share_and_total(client, known):
    world, year = known.world, known.today.year
    response = page(signed_in(client, world.users["hr_analyst"]))
    by_district = rows(response)
    city, sairam = by_district[world.city.pk], by_district[world.sairam.pk]
    arys = by_district[District.objects.get(kato="6116").pk]
    # t1 and t3 (both of the city) completed a course this year; t5 three years ago.
    assert (city.plan, city.fact, str(city.percent)) == (10, 2, "20.0")
    assert (sairam.plan, sairam.fact, str(sairam.percent)) == (5, 0, "0.0")
    assert (arys.plan, arys.fact) == (100, 0)
    kentau = by_district[District.objects.get(kato="6120").pk]
    assert (kentau.plan, kentau.fact, kentau.percent) == (None, 0, None)
    (plans,) = [plans for plans, _lines in response.context["sections"]]
    assert (plans.total.plan, plans.total.fact, str(plans.total.percent)) == (115, 2, "1.7")
    html = response.content.decode()
    assert re.search(r'plan-total">.*?115.*?>2</a>.*?1\.7%', html, re.S)
    # Last year's plan is last year's.
    assert page(client, year=year - 1).context["sections"][0][0].total.plan == 999


def test_each_fact_is_the_count_of_the_teacher_list_it_links_to(client, known):
    world = known.world
    signed_in(client, world.users["hr_analyst"])
    response = page(client)
    (plans,) = [plans for plans, _lines in response.context["sections"]]
    for figure in [*plans.districts, plans.total]:
        assert figure.list_query["course_completed_year"] == str(known.today.year)
        listed = client.get(f"{reverse('teachers:list')}?{figure.list_querystring}")
        assert not listed.context["filter"].form.errors
        assert listed.context["page"].paginator.count == figure.fact
    assert f"district={world.city.pk}&amp;course_completed_year={known.today.year}" in (
        row_html(response, world.city)
    )


def test_the_dashboard_and_the_page_agree(known):
    user = known.world.users["region_admin"]
    (plans,) = pd_plan_list(user, known.today.year)
    region = pd_coverage(user, ReportFilters(region=known.world.region.pk))
    assert (plans.total.plan, plans.total.fact) == (region.plan, region.fact.count)
    for row in plans.districts:
        district = pd_coverage(user, ReportFilters(district=row.district.pk))
        assert (row.plan, row.fact) == (district.plan, district.fact.count)


def _add_districts(world, year, n):
    for i in range(n):
        district = District.objects.create(
            region=world.region, kato=f"619{i}", kind="district", name_kk=f"А{i}", name_ru=f"Р{i}"
        )
        PdPlan.objects.create(year=year, district=district, planned_teachers=10 + i)
        teacher = TeacherFactory(organization=OrganizationFactory(district=district))
        completed(run_ending(CourseFactory(), dt.date(year, 3, 1)), teacher)


@pytest.mark.parametrize("role", ["hr_analyst", "region_admin"])
def test_the_page_takes_the_same_queries_for_more_districts(client, world, role, year):
    signed_in(client, world.users[role])
    PdPlan.objects.create(year=year, district=world.city, planned_teachers=5)
    page(client)  # warm the caches (sessions, region ids)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = page(client)
        return len(captured), len(rows(response))

    few, districts_before = queries()
    _add_districts(world, year, 4)
    many, districts_after = queries()
    assert districts_after == districts_before + 4
    assert many == few
    assert few <= 12


def test_the_admin_keeps_the_history_too(client, world, year):
    superuser = world.users["superuser"]
    client.force_login(superuser)
    plan = PdPlan.objects.create(year=year, district=world.city, planned_teachers=40)
    response = client.post(
        f"/admin/reports/pdplan/{plan.pk}/change/",
        {"year": year, "district": world.city.pk, "planned_teachers": 41},
    )
    assert response.status_code == 302
    response = client.post(f"/admin/reports/pdplan/{plan.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not PdPlan.objects.exists()
    assert list(
        PdPlan.history.filter(history_user=superuser)
        .order_by("history_date", "history_id")
        .values_list("history_type", "planned_teachers")
    ) == [("~", 41), ("-", 41)]
    assert client.get(f"/admin/reports/pdplan/{plan.pk}/history/").status_code == 200
