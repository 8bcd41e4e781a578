"""The teacher list keeps and shows the filters its form does not offer (those the reports'
figures link with): a removable chip for each, with the value's label; hidden inputs that
keep them when a visible filter changes (htmx too); the export links keep them."""

import csv
import html
import io
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.leaders.models import Intake, Programme
from apps.organizations.models import District, Region
from apps.teachers.filters import TeacherFilter
from tests.factories import OrganizationFactory, TeacherFactory
from tests.reports.conftest import application, candidate, cycle_opening, decide

LIST = reverse("teachers:list")


@pytest.fixture
def admin_client(client, world):
    user = world.users["region_admin"]
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    client.force_login(user)
    return client


@pytest.fixture
def decided(world):
    """This year's cycle: teachers A (female) and B (male) of the city have a decision, C
    (female, Sairam) too; nobody took PD."""
    today = timezone.localdate()
    for teacher, sex in ((world.teacher_a, "F"), (world.teacher_b, "M"), (world.teacher_c, "F")):
        teacher.sex = sex
        teacher.save()
    cycle = cycle_opening(world.region, today.replace(month=1, day=1), "2026-2027")
    for teacher in (world.teacher_a, world.teacher_b, world.teacher_c):
        decide(application(cycle, teacher, "decided"), "meets")
    return cycle


def query_of(world, cycle, **more) -> dict:
    return {
        "district": str(world.city.pk),  # in the form
        "sex": "F",
        "age_band": "40-49",
        "attestation_cycle": str(cycle.pk),
        "attestation_result": "decided",
        "trained": "no",
        **more,
    }


def chips(response) -> dict[str, tuple[str, str]]:
    """{filter name: (text, href)} of the chips on the page."""
    found = re.findall(
        r'<a class="[^"]*active-filter"\s+data-filter="(\w+)" href="([^"]*)">\s*(.*?)\s*<span',
        response.content.decode(),
        re.S,
    )
    return {name: (html.unescape(text), html.unescape(href)) for name, href, text in found}


def hidden_inputs(response) -> dict[str, str]:
    form = re.search(r'<form method="get".*?</form>', response.content.decode(), re.S).group(0)
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


def listed(response) -> set[int]:
    return {row.pk for row in response.context["page"].object_list}


def test_each_filter_the_form_lacks_is_a_chip_with_labels(admin_client, world, decided):
    response = admin_client.get(LIST, query_of(world, decided))
    assert listed(response) == {world.teacher_a.pk}
    assert {name: text for name, (text, _href) in chips(response).items()} == {
        "sex": "Sex: female",
        "age_band": "Age: 40–49",
        "attestation_cycle": "Applied for attestation in: 2026-2027",
        "attestation_result": "Attestation decision: decided (the decision in force)",
        "trained": "PD within the last 3 years: not taken",
    }
    assert "Also filtered by:" in response.content.decode()


def test_more_filters_read_with_their_labels(admin_client, world):
    programme = Programme.objects.create(region=world.region, name_kk="Көшбасшы", name_ru="Лидер")
    today = timezone.localdate()
    intake = Intake.objects.create(
        programme=programme,
        year=today.year,
        application_opens=today,
        application_closes=today,
        capacity=5,
    )
    candidate(intake, world.teacher_a, "admitted")
    query = {
        "leaders_intake": intake.pk,
        "leaders_stage": "admitted",
        "course_completed_year": today.year,
        "organization_kind": "college",
        "experience_band": "unknown",
    }
    texts = {name: text for name, (text, _h) in chips(admin_client.get(LIST, query)).items()}
    assert texts == {
        "leaders_intake": f"Leaders programme intake: Лидер {today.year}",
        "leaders_stage": "Leaders programme: reached: admitted to the training",
        "course_completed_year": f"Completed a course in (year): {today.year}",
        "organization_kind": "Type of organisation: college",
        "experience_band": "Pedagogical experience: not recorded",
    }


def test_no_chips_for_the_visible_filters(admin_client, world):
    response = admin_client.get(LIST, {"district": world.city.pk, "sort": "-name", "q": "а"})
    assert chips(response) == {}
    assert 'id="active-filters"' not in response.content.decode()
    assert hidden_inputs(response) == {}


def test_a_chip_removes_only_its_filter(admin_client, world, decided):
    query = query_of(world, decided)
    response = admin_client.get(LIST, {**query, "page": "1"})
    for name, (_text, href) in chips(response).items():
        path, _, rest = href.partition("?")
        assert path == LIST
        kept = QueryDict(rest)
        assert kept.dict() == {
            **{k: v for k, v in query.items() if k != name},
            "sort": "name",
        }
    # Without "female", teacher B (a man of the city, decided) is listed too.
    response = admin_client.get(chips(response)["sex"][1])
    assert listed(response) == {world.teacher_a.pk, world.teacher_b.pk}
    assert "sex" not in chips(response) and "attestation_result" in chips(response)


def test_the_form_keeps_them_as_hidden_inputs(admin_client, world, decided):
    query = query_of(world, decided)
    response = admin_client.get(LIST, query)
    assert hidden_inputs(response) == {k: v for k, v in query.items() if k != "district"}


def test_an_htmx_change_of_a_visible_filter_keeps_them(admin_client, world, decided):
    """What the browser sends when the district is changed: the form's inputs, the hidden
    ones with them."""
    first = admin_client.get(LIST, query_of(world, decided))
    sent = {**hidden_inputs(first), "district": str(world.sairam.pk), "q": "", "sort": "name"}
    response = admin_client.get(LIST, sent, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert listed(response) == {world.teacher_c.pk}
    assert response.context["page"].paginator.count == 1
    assert "1 teacher" in response.content.decode()
    assert set(chips(response)) == set(hidden_inputs(first))
    # The chips' links carry the new district.
    assert f"district={world.sairam.pk}" in chips(response)["sex"][1]


def test_the_export_links_keep_them(admin_client, world, decided):
    query = query_of(world, decided, district="", region=str(world.region.pk))
    response = admin_client.get(LIST, query)
    assert listed(response) == {world.teacher_a.pk, world.teacher_c.pk}
    links = dict(re.findall(r'id="export-(csv|xlsx)" href="([^"]*)"', response.content.decode()))
    assert set(links) == {"csv", "xlsx"}
    for link in links.values():
        params = QueryDict(html.unescape(link).partition("?")[2])
        for name in ("region", "sex", "age_band", "attestation_cycle", "attestation_result"):
            assert params[name] == query[name]
    exported = admin_client.get(html.unescape(links["csv"]))
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) - 1 == response.context["page"].paginator.count == 2


def test_a_district_chosen_drops_a_region_and_an_organisation_elsewhere(client, world):
    """A report's link gave a region (a hidden chip) and an organisation; the user then
    picks a district of another region: the list is that district's, counted right, not
    quietly empty, and neither the region nor the organisation is carried on."""
    superuser = world.users["superuser"]
    superuser.preferred_language = "en"
    superuser.save(update_fields=["preferred_language"])
    client.force_login(superuser)
    elsewhere = District.objects.create(
        region=Region.objects.create(kato="99", name_kk="Б", name_ru="Д"),
        kato="9910",
        kind="city",
        name_kk="Б",
        name_ru="Д",
    )
    teacher = TeacherFactory(organization=OrganizationFactory(district=elsewhere), sex="F")
    world.teacher_a.sex = "F"
    world.teacher_a.save()
    first = client.get(LIST, {"region": world.region.pk, "sex": "F"})
    assert set(hidden_inputs(first)) == {"region", "sex"}

    sent = {**hidden_inputs(first), "district": elsewhere.pk, "organization": world.school_a.pk}
    response = client.get(LIST, sent, HTTP_HX_REQUEST="true")
    assert listed(response) == {teacher.pk}
    assert response.context["page"].paginator.count == 1
    assert set(chips(response)) == {"sex"}
    assert not response.context["filter"].form.errors
    links = dict(re.findall(r'id="export-(csv|xlsx)" href="([^"]*)"', response.content.decode()))
    params = QueryDict(html.unescape(links["csv"]).partition("?")[2])
    assert "region" not in params and "organization" not in params

    # An organisation of the district chosen stays.
    in_city = {"district": world.city.pk, "organization": world.school_a.pk, "sex": "F"}
    response = client.get(LIST, {**in_city, "region": world.region.pk})
    assert listed(response) == {world.teacher_a.pk}
    assert response.context["filter"].form.cleaned_data["organization"] == world.school_a


def test_a_refused_value_is_a_chip_with_its_error(admin_client, world):
    response = admin_client.get(LIST, {"attestation_status": "lost", "sex": "F"})
    assert response.status_code == 200
    found = chips(response)
    text, href = found["attestation_status"]
    assert text.startswith("Attestation application: lost (Select a valid choice.")
    assert 'btn-outline-danger active-filter"' in response.content.decode()
    assert QueryDict(href.partition("?")[2]).dict() == {"sex": "F", "sort": "name"}
    assert found["sex"][0] == "Sex: female"


def test_an_organisation_the_form_hides_is_a_chip_too(admin_client, world):
    """A region-wide user's organisation box waits for a district: a link that gives an
    organisation alone still tells the user the list is of that organisation."""
    response = admin_client.get(LIST, {"organization": world.school_c.pk})
    assert listed(response) == {world.teacher_c.pk}
    text, _href = chips(response)["organization"]
    assert text == f"Organisation: {world.school_c.name}"
    assert response.content.decode().count('name="organization"') == 1
    assert hidden_inputs(response) == {"organization": str(world.school_c.pk)}


def test_the_chips_add_no_query(admin_client, world, decided, monkeypatch):
    """The labels come from the values already validated: the page with six report filters
    takes only the queries of the filters themselves."""
    query = query_of(world, decided)
    admin_client.get(LIST, query)
    with CaptureQueriesContext(connection) as with_chips:
        admin_client.get(LIST, query)
    monkeypatch.setattr(TeacherFilter, "active_extra_filters", lambda self: [])
    with CaptureQueriesContext(connection) as without_chips:
        admin_client.get(LIST, query)
    assert len(with_chips) == len(without_chips)
