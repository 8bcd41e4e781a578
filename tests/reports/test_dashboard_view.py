"""The dashboard page: who may open it, each scope's figures, the filters and their errors,
the drill-down, and every teacher count on the page agreeing with the list it links to."""

import datetime as dt
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from apps.organizations.models import InstructionLanguage, Region
from apps.reports.exports.content import sections
from apps.reports.models import PdPlan
from apps.teachers.models import Position
from tests.factories import CourseFactory, EnrolmentFactory, OrganizationFactory, TeacherFactory

from .conftest import application, candidate, completed, decide, run_ending

URL = "/reports/"


@dataclass
class CountLink:
    href: str
    count: int
    text: str
    table: str | None
    row: str | None


@dataclass
class Page(HTMLParser):
    """The count links of a page (each with its table and row) and its drill-down links."""

    links: list = field(default_factory=list)
    drill: dict = field(default_factory=dict)
    trail: list = field(default_factory=list)
    trail_links: list = field(default_factory=list)

    def __post_init__(self):
        super().__init__()
        self._table = self._row = self._link = self._drill = None
        self._in_trail = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "table":
            self._table = attrs.get("id")
        elif tag == "tr":
            self._row = attrs.get("data-key") or attrs.get("data-unit")
        elif tag == "ol" and attrs.get("id") == "dashboard-trail":
            self._in_trail = True
        elif tag == "a" and "count-link" in classes:
            self._link = CountLink(
                attrs["href"], int(attrs["data-count"]), "", self._table, self._row
            )
        elif tag == "a" and "drill-link" in classes:
            self._drill = attrs["href"]
        elif tag == "a" and self._in_trail:
            self.trail_links.append(attrs["href"])

    def handle_data(self, data):
        if self._link is not None:
            self._link.text += data
        if self._drill is not None:
            self.drill[data.strip()] = self._drill
        elif self._in_trail and data.strip():
            self.trail.append(data.strip())

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.links.append(self._link)
            self._link = None
        elif tag == "a":
            self._drill = None
        elif tag == "table":
            self._table = None
        elif tag == "ol":
            self._in_trail = False

    def count(self, table, row):
        """The first count of the row (in the drill-down: its teachers)."""
        return next(each for each in self.links if each.table == table and each.row == row).count


def parse(response) -> Page:
    page = Page()
    page.feed(response.content.decode())
    return page


def english(user):
    user.preferred_language = "en"
    user.save()
    return user


def signed_in(client, user):
    client.force_login(english(user))
    return client


def listed(client, href) -> int:
    """The number of teachers the teacher list says it shows."""
    response = client.get(href)
    assert response.status_code == 200, href
    assert not response.context["filter"].form.errors, href
    shown = re.search(r'id="result-count">([^<]*)<', response.content.decode()).group(1)
    count = int(re.sub(r"\D", "", shown))
    assert count == response.context["page"].paginator.count, href
    return count


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["teacher", "no_role"])
def test_teachers_and_users_without_a_role_may_not_open_it(client, world, role):
    assert signed_in(client, world.users[role]).get(URL).status_code == 403


def test_the_menu_shows_reports_to_staff_only(client, world):
    assert 'href="/reports/"' in signed_in(client, world.users["hr_analyst"]).get("/").text
    assert 'href="/reports/"' not in signed_in(client, world.users["teacher"]).get("/").text


@pytest.mark.parametrize(
    "role, teachers",
    [
        ("hr_analyst", 6),
        ("region_admin", 6),
        ("superuser", 6),
        ("methodologist", 4),
        ("commission_member", 4),
        ("school_admin", 2),
    ],
)
def test_each_scope_sees_its_own_figures(client, known, role, teachers):
    response = signed_in(client, known.world.users[role]).get(URL)
    assert response.status_code == 200
    assert response.context["figures"].teachers == teachers
    assert parse(response).links[0].count == teachers  # the first key figure
    drilled = sum(row.teachers.count for row, _query in response.context["drill_rows"])
    assert drilled == teachers


def test_the_page_shows_the_figures_of_the_known_region(client, known):
    world = known.world
    response = signed_in(client, world.users["hr_analyst"]).get(URL)
    page = parse(response)
    assert response.context["query"] == (
        f"period_start={known.today.year}-01-01&period_end={known.today.year}-12-31"
    )
    assert {row: page.count("table-category", row) for row in ("moderator", "expert", "none")} == {
        "moderator": 2,
        "expert": 2,
        "none": 1,
    }
    assert page.count("table-category", "total") == 6
    assert [page.count("table-expiring", key) for key in ("0", "3", "6", "12")] == [1, 1, 2, 3]
    assert page.count("table-pd", "trained") == 4
    assert page.count("table-attestation", "decided") == 2
    assert page.count("table-pass-rates", "total") == 3
    assert page.count("table-pass-districts", "6110") == 2
    assert page.count("table-leaders", "applied") == 6
    assert page.count("table-sex", "F") == 4
    assert page.count("drilldown", str(world.city.pk)) == 4
    text = response.text
    assert "66.7%" in text and "Appointment rate" in text
    assert 'aria-valuetext="2 of 115"' in text  # the plan against the fact
    assert 'id="dashboard-charts"' in text and 'data-chart="category"' in text
    assert response.context["charts"]["category"]["datasets"] == [
        {"label": "Teachers", "values": [2, 2, 1, 1]}
    ]


def test_numbers_are_formatted_in_the_users_language(client, known):
    user = known.world.users["hr_analyst"]
    user.preferred_language = "ru"
    user.save()
    client.force_login(user)
    text = client.get(URL).text
    assert "66,7" in text and "66.7" not in text


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"teaching_language": "kk"},
        {"position": "deputy-director"},
        {"district": "city"},
        {"district": "city", "organization": "school_b"},
        {"district": "sairam", "organization_kind": "college"},
        {"period_start": "last-year"},
    ],
    ids=lambda filters: "-".join(filters) or "all",
)
def test_every_teacher_link_lists_as_many_teachers_as_it_says(client, known, filters):
    world = known.world
    params = {}
    for name, value in filters.items():
        if name == "teaching_language":
            params[name] = InstructionLanguage.objects.get(code=value).pk
        elif name == "position":
            params[name] = Position.objects.get(code=value).pk
        elif name in ("district", "organization"):
            params[name] = getattr(world, value).pk
        elif name == "period_start":
            year = known.today.year - 1
            params.update(period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31))
        else:
            params[name] = value
    signed_in(client, world.users["hr_analyst"])
    response = client.get(URL, params)
    assert response.status_code == 200
    page = parse(response)
    assert len(page.links) > 5
    for link in page.links:
        assert int(re.sub(r"\D", "", link.text)) == link.count, link
        assert link.href.startswith("/teachers/"), link
        assert listed(client, link.href) == link.count, link


def test_drilling_down_and_back_up(client, known):
    world = known.world
    signed_in(client, world.users["hr_analyst"])
    top = parse(client.get(URL))
    # The one region there is: its analyst's scope, named.
    assert top.trail == [world.region.name]
    city_name = world.city.name
    response = client.get(top.drill[city_name])
    assert response.context["form"].cleaned_data["district"] == world.city
    page = parse(response)
    assert page.trail == [world.region.name, city_name]
    assert response.context["drilldown"].level == "organization"
    assert set(page.drill) == {world.school_a.name, world.school_b.name}
    assert page.count("drilldown", str(world.school_a.pk)) == 2
    school = client.get(page.drill[world.school_b.name])
    assert school.context["figures"].teachers == 2
    assert school.context["drilldown"].level is None
    assert 'id="drilldown"' not in school.text
    assert parse(school).trail == [world.region.name, city_name, world.school_b.name]
    # Back up to the region: the breadcrumb's first link, the period kept.
    up = client.get(parse(school).trail_links[0])
    assert up.context["drilldown"].level == "district"
    assert up.context["query"] == client.get(URL).context["query"]


def test_a_methodologists_trail_starts_at_their_district(client, known):
    world = known.world
    signed_in(client, world.users["methodologist"])
    top = parse(client.get(URL))
    assert top.trail == [world.city.name]
    school = parse(client.get(top.drill[world.school_a.name]))
    assert school.trail == [world.city.name, world.school_a.name]
    # Up to their district, never to a region of which they see one district only.
    assert len(school.trail_links) == 1 and "region=" not in school.trail_links[0]
    back = client.get(school.trail_links[0])
    assert back.context["drilldown"].level == "organization"
    assert back.context["figures"].teachers == 4


def test_a_school_admins_trail_is_their_school(client, known):
    world = known.world
    signed_in(client, world.users["school_admin"])
    page = parse(client.get(URL))
    assert page.trail == [world.school_a.name] and page.trail_links == []
    drilled = client.get(URL, {"organization": world.school_a.pk})
    assert parse(drilled).trail == [world.school_a.name]


def test_a_superusers_trail_names_the_one_region_or_the_whole_scope(client, known):
    world = known.world
    signed_in(client, world.users["superuser"])
    drilled = {"region": world.region.pk, "district": world.city.pk}
    assert parse(client.get(URL)).trail == [world.region.name]
    assert parse(client.get(URL, drilled)).trail == [world.region.name, world.city.name]
    Region.objects.create(kato="99", name_kk="Сынақ", name_ru="Тест", name_en="Test")
    cache.clear()  # the cached list of regions
    assert parse(client.get(URL)).trail == ["Whole scope"]
    page = parse(client.get(URL, drilled))
    assert page.trail == ["Whole scope", world.region.name, world.city.name]
    # The analyst of one region of several: their region.
    signed_in(client, world.users["hr_analyst"])
    assert parse(client.get(URL)).trail == [world.region.name]


def test_a_filter_keeps_in_the_drill_down_links(client, known):
    world = known.world
    kazakh = InstructionLanguage.objects.get(code="kk")
    signed_in(client, world.users["hr_analyst"])
    response = client.get(URL, {"teaching_language": kazakh.pk})
    assert response.context["figures"].teachers == 3
    drilled = client.get(parse(response).drill[world.city.name])
    assert drilled.context["form"].cleaned_data["teaching_language"] == kazakh
    assert drilled.context["figures"].teachers == 2


def test_a_methodologist_sees_the_schools_of_their_district_only(client, known):
    world = known.world
    signed_in(client, world.users["methodologist"])
    page = parse(client.get(URL))
    assert set(page.drill) == {world.school_a.name, world.school_b.name}
    response = client.get(URL, {"district": world.sairam.pk})
    assert response.status_code == 400
    assert "figures" not in response.context


def test_invalid_filters_show_the_errors_and_no_figures(client, known):
    signed_in(client, known.world.users["hr_analyst"])
    response = client.get(URL, {"period_start": "2026-03-01", "period_end": "2026-02-01"})
    assert response.status_code == 400
    assert "The period ends before it starts." in response.text
    assert "figures" not in response.context and 'id="dashboard-figures"' not in response.text
    assert 'id="dashboard-errors"' in response.text


def test_the_errors_are_in_the_users_language(client, known):
    user = known.world.users["hr_analyst"]
    user.preferred_language = "ru"
    user.save()
    client.force_login(user)
    response = client.get(URL, {"period_start": "not a date", "district": 999999})
    assert response.status_code == 400
    with translation.override("ru"):
        messages = [
            gettext("Enter a valid date."),
            gettext("Select a valid choice. That choice is not one of the available choices."),
        ]
    assert messages[0] != "Enter a valid date."
    for message in messages:
        assert message in response.text


def test_htmx_redraws_the_filters_and_the_figures_only(client, known):
    signed_in(client, known.world.users["hr_analyst"])
    response = client.get(URL, {"position": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="dashboard-figures"' in response.text
    assert 'id="dashboard-filters"' in response.text
    invalid = client.get(URL, {"period_end": "2000-01-01"}, headers={"HX-Request": "true"})
    assert invalid.status_code == 400
    assert "<html" not in invalid.text and 'id="dashboard-errors"' in invalid.text


def test_going_back_to_a_page_htmx_no_longer_holds_gives_the_whole_page(client, known):
    signed_in(client, known.world.users["hr_analyst"])
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = client.get(URL, headers=restore)
    assert "<html" in response.text and 'id="dashboard-figures"' in response.text
    # The page and its body share the address: a cache must keep them apart.
    for headers in ({}, {"HX-Request": "true"}):
        assert "HX-Request" in client.get(URL, headers=headers)["Vary"]


def _unit_row(response, unit) -> str:
    return re.search(rf'<tr data-unit="{unit.pk}">(.*?)</tr>', response.text, re.S).group(1)


def test_a_plan_of_none_is_a_plan_and_a_plan_exceeded_stops_the_bar(client, known):
    world = known.world
    plans = PdPlan.objects.filter(year=known.today.year)
    plans.update(planned_teachers=0)
    signed_in(client, world.users["hr_analyst"])
    response = client.get(URL)
    figures = response.context["figures"]
    assert figures.pd.plan == 0 and figures.pd.fact.count == 2
    assert 'id="pd-plan">0<' in response.text
    assert 'aria-valuetext="2 of 0"' in response.text  # the region's plan, met
    city = _unit_row(response, world.city)
    assert "no plan" not in city and "of 0" in city and 'aria-valuenow="100"' in city

    plans.filter(district=world.sairam).update(planned_teachers=1)
    text = client.get(URL).text
    assert 'aria-valuetext="2 of 1"' in text
    bar = re.search(
        r'aria-valuetext="2 of 1">\s*<div class="progress-bar[^"]*" style="([^"]*)"', text
    )
    assert bar.group(1) == "width: 100%"
    assert "(200.0%)" in text  # the real share, in words
    assert 'aria-valuemax="1"' not in text and 'aria-valuenow="2"' not in text


def test_the_trained_teachers_count_says_teachers_with_its_number(client, known):
    page = parse(signed_in(client, known.world.users["hr_analyst"]).get(URL))
    trained = [link for link in page.links if link.text == "4 teachers"]
    assert len(trained) == 1 and trained[0].count == 4 and "trained=yes" in trained[0].href


def test_the_charts_and_tables_say_what_the_exported_report_says(client, known):
    response = signed_in(client, known.world.users["hr_analyst"]).get(URL)
    charts = response.context["charts"]
    exported = {section.key: section for section in sections(response.context["figures"])}
    rates = exported["pass_by_category"]
    assert [d["label"] for d in charts["pass-rates"]["datasets"]] == [
        column.label for column in rates.columns[1:3]
    ]
    assert charts["pass-rates"]["datasets"][0]["label"] == "Decisions"
    assert charts["courses"]["labels"] == [c.label for c in exported["courses"].columns[1:5]]
    assert charts["courses"]["labels"][0] == "Completed"
    # The tables' headers are the charts' words.
    headers = set(re.findall(r'<th scope="col" class="text-end">([^<]*)</th>', response.text))
    assert set(charts["courses"]["labels"]) <= headers
    assert {dataset["label"] for dataset in charts["pass-rates"]["datasets"]} <= headers
    # Every chart drawn has its canvas; one with nothing to draw has no data.
    assert {"category", "pd", "courses", "pass-rates", "leaders", "sex"} <= set(charts)


def _page_queries(client, params) -> int:
    """The page's queries once the caches it fills (the list of regions) are warm."""
    client.get(URL, params)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, params).status_code == 200
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_data(client, known):
    world = known.world
    signed_in(client, world.users["hr_analyst"])
    levels = [{}, {"district": world.city.pk}]
    small = [_page_queries(client, params) for params in levels]
    run = run_ending(CourseFactory(hours=80), known.today)
    for n in range(10):
        school = OrganizationFactory(district=world.city if n % 2 else world.sairam)
        teacher = TeacherFactory(organization=school)
        completed(run, teacher) if n % 2 else EnrolmentFactory(run=run, teacher=teacher)
        decide(application(known.cycle, teacher, "decided", claimed="master"), "meets")
        candidate(known.intake, teacher, ("applied", "reserve")[n % 2])
    larger = [_page_queries(client, params) for params in levels]
    assert larger == small
    assert max(small) <= 40, small
