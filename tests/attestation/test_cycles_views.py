"""Cycle pages through the client: who sees which cycles, preparing, editing (with the
rules table), opening and closing; every refusal leaves the cycle as it was."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.attestation import services
from apps.attestation.models import AttestationCycle, CategoryRule
from apps.organizations.models import District, Region

pytestmark = pytest.mark.usefixtures("english")

C = AttestationCycle.Status
ROLES = [
    "no_role",
    "teacher",
    "school_admin",
    "methodologist",
    "commission_member",
    "hr_analyst",
    "region_admin",
    "superuser",
]
MANAGERS = {"region_admin", "superuser"}


def url(name, *args):
    return reverse(f"attestation:{name}", args=args)


@pytest.fixture
def other_region_cycle(world):
    """A cycle of another region, which nobody of the `world` region sees but a superuser."""
    region = Region.objects.create(kato="99", name_kk="Басқа облыс", name_ru="Другая область")
    District.objects.create(
        region=region, kato="9910", kind="city", name_kk="Басқа қала", name_ru="Другой город"
    )
    cache.clear()  # the ids of all regions are cached (apps.accounts.scopes.all_region_ids)
    today = timezone.localdate()
    return services.cycle_create(
        actor=world.users["superuser"],
        region=region,
        school_year="2026-2027",
        application_opens=today,
        application_closes=today + dt.timedelta(days=20),
        review_starts=today + dt.timedelta(days=30),
        review_ends=today + dt.timedelta(days=90),
        essay_topic_kk="Тақырып",
        essay_topic_ru="Тема",
    )


def form_data(cycle, **changes):
    """The edit form as the page fills it, with `changes`; a rule's values are changed with
    keys like `rule__expert__test_pass_percent`."""
    data = {
        name: getattr(cycle, name).isoformat()
        if isinstance(getattr(cycle, name), dt.date)
        else getattr(cycle, name)
        for name in services.CYCLE_EDITABLE
    }
    rules = list(cycle.rules.select_related("category").order_by("pk"))
    data.update(
        {
            "form-TOTAL_FORMS": len(rules),
            "form-INITIAL_FORMS": len(rules),
            "form-MIN_NUM_FORMS": 0,
            "form-MAX_NUM_FORMS": 1000,
        }
    )
    for i, rule in enumerate(rules):
        prefix = f"form-{i}-"
        values = {
            "id": rule.pk,
            "from_categories": [c.pk for c in rule.from_categories.all()],
            "min_experience_years": rule.min_experience_years,
            "test_pass_percent": rule.test_pass_percent,
            "portfolio_points": rule.portfolio_points or "",
            "level": rule.level,
            "pd_hours_school": rule.pd_hours_school,
            "pd_hours_other": rule.pd_hours_other,
        }
        if rule.from_no_category:
            values["from_no_category"] = "on"
        for key, value in list(changes.items()):
            if key.startswith(f"rule__{rule.category.code}__"):
                values[key.rsplit("__", 1)[1]] = value
                del changes[key]
        data.update({prefix + name: value for name, value in values.items()})
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_sees_the_cycles_of_their_region(
    client, world, cycle, other_region_cycle, role
):
    client.force_login(world.users[role])
    response = client.get(url("cycle_list"))
    assert response.status_code == 200
    shown = list(response.context["cycles"])
    if role == "superuser":
        assert set(shown) == {cycle, other_region_cycle}
    elif role == "no_role":
        assert shown == []  # no scope, no teacher record: no region
    else:
        assert shown == [cycle]
    assert (url("cycle_create") in response.content.decode()) is (role in MANAGERS)
    assert (url("cycle_update", cycle.pk) in response.content.decode()) is (role in MANAGERS)


def test_a_cycle_page_shows_dates_rules_and_criteria(client, world, cycle):
    client.force_login(world.users["teacher"])
    response = client.get(url("cycle_detail", cycle.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert cycle.essay_topic_kk in page
    rules = {rule.category.code: rule for rule in response.context["rules"]}
    assert len(rules) == 10
    assert "teacher-expert" in page and "District or city education department" in page
    for criterion in cycle.observation_criteria.all():
        assert criterion.title in page
    assert url("cycle_status", cycle.pk) not in page  # no management for a teacher


def test_a_cycle_of_another_region_is_not_found(client, world, other_region_cycle):
    client.force_login(world.users["region_admin"])
    for name in ("cycle_detail", "cycle_update"):
        assert client.get(url(name, other_region_cycle.pk)).status_code == 404
    response = client.post(url("cycle_status", other_region_cycle.pk), {"status": "open"})
    assert response.status_code == 404


def test_a_manager_prepares_a_cycle_with_the_defaults(client, world):
    client.force_login(world.users["region_admin"])
    page = client.get(url("cycle_create"))
    assert page.context["form"]["essay_min_words"].value() == 250  # the model's defaults
    data = {
        "region": world.region.pk,
        "school_year": "2027-2028",
        "application_opens": "2027-05-01",
        "application_closes": "2027-06-30",
        "review_starts": "2028-01-10",
        "review_ends": "2028-08-20",
        "essay_topic_kk": "Тақырып",
        "essay_topic_ru": "Тема",
        "essay_min_words": 250,
        "essay_max_words": 300,
        "min_observations": 5,
        "test_validity_days": 365,
        "acceptance_working_days": 1,
        "pension_age_male": 63,
        "pension_age_female": 61,
        "pre_pension_years": 4,
        "long_service_years": 30,
    }
    response = client.post(url("cycle_create"), data)
    cycle = AttestationCycle.objects.get(school_year="2027-2028")
    assert response.status_code == 302
    assert response["Location"] == url("cycle_detail", cycle.pk)
    assert (cycle.status, cycle.region) == (C.DRAFT, world.region)
    assert cycle.rules.count() == 10
    assert cycle.observation_criteria.count() == 6

    # The same school year again: an error on the page, nothing created.
    response = client.post(url("cycle_create"), {**data, "application_closes": "2027-04-01"})
    assert response.status_code == 200
    assert "cannot close before it opens" in response.content.decode()
    response = client.post(url("cycle_create"), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert AttestationCycle.objects.count() == 1


@pytest.mark.parametrize("role", sorted(set(ROLES) - MANAGERS))
def test_others_do_not_prepare_or_change_cycles(client, world, cycle, role):
    client.force_login(world.users[role])
    assert client.get(url("cycle_create")).status_code == 403
    assert client.post(url("cycle_create"), {"school_year": "2030-2031"}).status_code == 403
    # No-role users do not even see the cycle.
    expected = 404 if role == "no_role" else 403
    assert client.get(url("cycle_update", cycle.pk)).status_code == expected
    assert client.post(url("cycle_status", cycle.pk), {"status": "closed"}).status_code == expected
    cycle.refresh_from_db()
    assert cycle.status == C.OPEN


def test_editing_dates_and_the_rules_table(client, world, cycle):
    client.force_login(world.users["region_admin"])
    page = client.get(url("cycle_update", cycle.pk))
    assert page.status_code == 200
    assert len(page.context["rules"].forms) == 10
    data = form_data(
        cycle,
        min_observations=4,
        essay_topic_ru="Новая тема",
        rule__expert__test_pass_percent=75,
        rule__expert__pd_hours_other=40,
    )
    response = client.post(url("cycle_update", cycle.pk), data)
    assert response.status_code == 302
    cycle.refresh_from_db()
    expert = CategoryRule.objects.get(cycle=cycle, category__code="expert")
    assert (cycle.min_observations, cycle.essay_topic_ru) == (4, "Новая тема")
    assert (expert.test_pass_percent, expert.pd_hours_other) == (75, 40)


def test_a_wrong_rule_is_shown_and_nothing_is_saved(client, world, cycle):
    client.force_login(world.users["region_admin"])
    expert = CategoryRule.objects.get(cycle=cycle, category__code="expert")
    data = form_data(
        cycle,
        min_observations=4,
        rule__moderator__from_categories=[expert.category.pk],  # a higher category
    )
    response = client.post(url("cycle_update", cycle.pk), data)
    assert response.status_code == 200
    assert response.context["rule_errors"] == [
        "teacher-moderator: It cannot be claimed from the higher category “teacher-expert”."
    ]
    assert "higher category" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.min_observations == 5

    # A category of another ladder is not even offered.
    head = CategoryRule.objects.get(cycle=cycle, category__code="head-3").category
    response = client.post(
        url("cycle_update", cycle.pk), form_data(cycle, rule__moderator__from_categories=[head.pk])
    )
    assert response.status_code == 200
    assert not response.context["rules"].is_valid()

    response = client.post(
        url("cycle_update", cycle.pk), form_data(cycle, rule__expert__test_pass_percent=120)
    )
    assert response.status_code == 200
    assert "Test pass mark, %" in response.context["rule_errors"][0]
    assert CategoryRule.objects.get(cycle=cycle, category__code="expert").test_pass_percent == 70


def test_a_closed_cycle_is_not_edited(client, world, cycle):
    services.cycle_set_status(cycle=cycle, actor=world.users["region_admin"], status="closed")
    client.force_login(world.users["region_admin"])
    response = client.post(url("cycle_update", cycle.pk), form_data(cycle, min_observations=3))
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.min_observations == 5
    page = client.get(url("cycle_detail", cycle.pk)).content.decode()
    assert url("cycle_update", cycle.pk) not in page


def test_opening_and_closing(client, world, cycle):
    client.force_login(world.users["region_admin"])
    response = client.post(url("cycle_status", cycle.pk), {"status": "closed"}, follow=True)
    cycle.refresh_from_db()
    assert cycle.status == C.CLOSED
    assert "closed" in response.content.decode()
    client.post(url("cycle_status", cycle.pk), {"status": "open"})
    cycle.refresh_from_db()
    assert cycle.status == C.OPEN


def test_a_refused_status_change_is_explained(client, world, cycle):
    draft = services.cycle_create(
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
    client.force_login(world.users["region_admin"])
    response = client.post(url("cycle_status", draft.pk), {"status": "open"}, follow=True)
    assert "Another cycle of the region is open" in response.content.decode()
    response = client.post(url("cycle_status", draft.pk), {"status": "closed"}, follow=True)
    assert "cannot become" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == C.DRAFT
    assert client.post(url("cycle_status", draft.pk), {"status": "nonsense"}).status_code == 404
    assert client.get(url("cycle_status", draft.pk)).status_code == 405
