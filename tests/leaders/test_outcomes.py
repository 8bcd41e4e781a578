"""The outcomes of the programme: every figure of the funnel, the appointment rate and the
median days to the first appointment, checked against a hand count; the page, the XLSX
export and the scope."""

import datetime as dt
import io
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.leaders import selectors, services
from apps.leaders.models import Candidate, Intake

from .builders import apply_all, attend_module, complete_training, decide_selection

# The hand count. City (6110): c0–c3 at school A, c4–c5 at school B; Sairam (6152): c6–c9.
#   c0, c1 appointed (c1 twice: the first counts); c2 in the reserve; c3 admitted, then
#   withdrew; c4 failed the test; c5 admitted, did not complete (no reports).
#   c6 appointed; c7 in the reserve; c8 passed every stage beyond the 7 places; c9 withdrew
#   during selection.
# Appointed 10, 30 (and 100) and 45 days after entering the reserve.
EXPECTED = {
    #        applicants, admitted, completed, reserve, appointed, rate, median days
    "6110": (6, 5, 3, 3, 2, 2 / 3, 20.0),  # median of 10 and 30
    "6152": (4, 2, 2, 2, 1, 1 / 2, 45.0),
    "total": (10, 7, 5, 5, 3, 3 / 5, 30.0),  # median of 10, 30 and 45
}


@pytest.fixture
def region(world, intake):
    staff = world.users["region_admin"]
    Intake.objects.filter(pk=intake.pk).update(capacity=7)
    intake.refresh_from_db()
    schools = [world.school_a] * 4 + [world.school_b] * 2 + [world.school_c] * 4
    pairs = apply_all(intake, schools)
    c = [candidate for candidate, _person in pairs]
    services.candidate_withdraw(candidate=c[9], actor=pairs[9][1].user, reason="Отбасылық жағдай")
    decide_selection(intake, staff, fail_test=[c[4]], final_scores={c[8]: Decimal(51)})
    today = timezone.localdate()
    entered = today - dt.timedelta(days=200)
    attend_module(intake, staff, before=entered)
    # Leaves during the training: admitted, not completed.
    services.candidate_withdraw(candidate=Candidate.objects.get(pk=c[3].pk), actor=pairs[3][1].user)
    complete_training(
        intake,
        staff,
        graduates=[pairs[i] for i in (0, 1, 2, 6, 7)],
        host=world.school_b,
        reserve_from=entered,
    )
    for index, post, organization, days in (
        (0, "deputy", world.school_b, 10),
        (1, "deputy", world.school_a, 30),
        (1, "head", world.school_b, 100),
        (6, "head", world.school_c, 45),
    ):
        services.appointment_record(
            candidate=Candidate.objects.get(pk=c[index].pk),
            actor=staff,
            post=post,
            organization=organization,
            appointed_on=entered + dt.timedelta(days=days),
            order_number=f"№ {index}-{days}-к",
        )
    statuses = list(Candidate.objects.filter(pk__in=[x.pk for x in c]).order_by("pk"))
    assert [s.status for s in statuses] == [
        "appointed", "appointed", "reserve", "not_completed", "stopped",
        "not_completed", "appointed", "reserve", "stopped", "withdrawn",
    ]  # fmt: skip
    return SimpleNamespace(intake=intake, candidates=c, world=world)


def figures(row) -> tuple:
    return (*row.funnel, row.appointment_rate, row.median_days)


def test_selector_matches_the_hand_count(region, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        (group,) = selectors.outcomes_by_intake(region.world.users["region_admin"])
    assert group.intake == region.intake
    assert [row.district.kato for row in group.districts] == ["6110", "6152"]
    for row in group.districts:
        assert figures(row) == pytest.approx(EXPECTED[row.district.kato])
    assert figures(group.total) == pytest.approx(EXPECTED["total"])


def test_filters_by_district_and_intake(region):
    admin = region.world.users["region_admin"]
    (group,) = selectors.outcomes_by_intake(admin, district=region.world.sairam)
    assert [r.district.kato for r in group.districts] == ["6152"]
    assert figures(group.total) == pytest.approx(EXPECTED["6152"])
    other = Intake.objects.create(
        programme=region.intake.programme,
        year=region.intake.year + 1,
        application_opens=region.intake.application_opens,
        application_closes=region.intake.application_closes,
        capacity=5,
    )
    assert selectors.outcomes_by_intake(admin, intake=other) == []


def _page_rows(html: str) -> dict:
    """{data-row: [cell texts]} of the page's table."""
    rows = {}
    for key, body in re.findall(r'<tr data-row="([^"]+)"[^>]*>(.*?)</tr>', html, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, re.S)
        rows[key] = [re.sub(r"\s+", " ", cell).strip() for cell in cells[1:]]
    return rows


def test_page_shows_the_funnel_with_its_table(client, region):
    client.force_login(region.world.users["region_admin"])
    response = client.get(reverse("leaders:outcomes"))
    assert response.status_code == 200
    html = response.content.decode()
    rows = _page_rows(html)
    assert rows == {
        "6110": ["6", "5", "3", "3", "2", "67%", "20"],
        "6152": ["4", "2", "2", "2", "1", "50%", "45"],
        "total": ["10", "7", "5", "5", "3", "60%", "30"],
    }
    chart = response.context["chart"]
    assert chart["datasets"] == [{"label": str(region.intake), "data": [10, 7, 5, 5, 3]}]
    assert 'id="outcomes-chart" role="img" aria-label=' in html
    assert "vendor/chartjs/chart.umd.min.js" in html


def test_a_district_methodologist_sees_only_their_district(client, region):
    methodologist = region.world.users["methodologist"]  # district 6110
    (group,) = selectors.outcomes_by_intake(methodologist)
    assert [r.district.kato for r in group.districts] == ["6110"]
    assert figures(group.total) == pytest.approx(EXPECTED["6110"])
    client.force_login(methodologist)
    rows = _page_rows(client.get(reverse("leaders:outcomes")).content.decode())
    assert set(rows) == {"6110", "total"}
    assert rows["total"][:5] == ["6", "5", "3", "3", "2"]


def test_export_is_the_same_table_in_the_users_language(client, region):
    admin = region.world.users["region_admin"]
    admin.preferred_language = "ru"
    admin.save(update_fields=["preferred_language"])
    client.force_login(admin)
    response = client.get(reverse("leaders:outcomes_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    values = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    intake = str(region.intake)
    assert values == [
        [intake, str(region.world.city), 6, 5, 3, 3, 2, pytest.approx(2 / 3), 20],
        [intake, str(region.world.sairam), 4, 2, 2, 2, 1, 0.5, 45],
        [intake, "Итого", 10, 7, 5, 5, 3, 0.6, 30],
    ]
    assert all(cell.font.bold for cell in sheet[4])
    assert sheet["H2"].number_format == "0.0%"


@pytest.mark.parametrize("role", ["teacher", "no_role"])
def test_outcomes_need_a_staff_role(client, world, role):
    client.force_login(world.users[role])
    assert client.get(reverse("leaders:outcomes")).status_code == 403
    assert client.get(reverse("leaders:outcomes_export")).status_code == 403


def test_page_queries_do_not_grow_with_the_data(client, region, django_assert_max_num_queries):
    client.force_login(region.world.users["region_admin"])
    with django_assert_max_num_queries(14) as small:
        client.get(reverse("leaders:outcomes"))
    staff = region.world.users["region_admin"]
    today = timezone.localdate()
    earlier = services.intake_create(
        actor=staff,
        programme=region.intake.programme,
        positions=region.intake.positions.all(),
        year=region.intake.year - 1,
        application_opens=today - dt.timedelta(days=1),
        application_closes=today + dt.timedelta(days=1),
        capacity=5,
    )
    earlier = services.intake_set_status(intake=earlier, actor=staff, status="applications")
    more = apply_all(earlier, [region.world.school_c] * 3)
    assert len(more) == 3
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("leaders:outcomes"))
    assert len(response.context["groups"]) == 2
