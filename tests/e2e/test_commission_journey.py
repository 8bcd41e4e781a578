"""Journey: a commission member scores a portfolio on the criteria sheet; the commission's
secretary plans a session, puts the application on the agenda, records attendance and
the members' votes, and closes the session: the decision is recorded and the protocol
made."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.attestation.models import Application, CommissionMember, Decision
from apps.attestation.services import commissions
from tests.attestation.conftest import accepted_application, commission_with_members
from tests.e2e.test_attestation_journey import open_cycle, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_member_scores_and_the_secretary_closes_the_session(page, world):
    cycle = open_cycle(world)
    commission = commission_with_members(cycle)
    application = accepted_application(world, cycle, world.teacher_a)
    assert application.commission_id == commission.pk
    seats = list(commission.members.select_related("user").order_by("pk"))
    voting = [m for m in seats if m.role != CommissionMember.Role.SECRETARY]
    secretary = next(m for m in seats if m.role == CommissionMember.Role.SECRETARY)
    me, others = voting[1], [voting[0], *voting[2:]]
    criteria = list(cycle.review_criteria.all())
    for seat in others:  # the rest of the commission has scored already
        commissions.review_save(
            application=application,
            actor=seat.user,
            scores={c.code: c.max_points * 2 // 3 for c in criteria},
            submit=True,
        )

    # The member scores the portfolio.
    sign_in(page, me.user)
    page.get_by_role("link", name="Portfolios to review").first.click()
    page.get_by_role("link", name=world.teacher_a.full_name).click()
    assert page.locator("#threshold").inner_text() == "84"
    for criterion in criteria:
        page.locator(f"#id_score_{criterion.code}").fill(str(criterion.max_points - 1))
    page.wait_for_load_state()  # the portfolio's files are shown inline and load first
    with page.expect_navigation():
        page.get_by_role("button", name="Submit my scores").click()
    page.wait_for_selector(".alert-success")
    total = sum(c.max_points - 1 for c in criteria)
    assert page.locator("#my-total").inner_text().startswith(f"{total} of ")
    assert application.reviews.get(member=me).submitted_at is not None

    # The secretary plans the session, runs it and closes it.
    page.context.clear_cookies()
    sign_in(page, secretary.user)
    page.goto(f"/attestation/commissions/{commission.pk}/")
    page.get_by_role("link", name="Plan a session").click()
    starts = timezone.localtime() + dt.timedelta(hours=1)
    page.get_by_label("Date and time").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Place").fill("Мәжіліс залы")
    page.get_by_role("button", name="Plan the session").click()

    # Planned: straight on to its agenda.
    page.locator(f"#candidate-{application.pk}").check()
    page.get_by_role("button", name="Put the ticked applications on the agenda").click()
    page.get_by_role("link", name="Back to the session").click()

    for seat in voting:
        page.get_by_label(seat.full_name).check()
    page.get_by_role("button", name="Save the attendance").click()
    page.wait_for_selector("#votes-grid select")
    for select in page.locator("#votes-grid select").all():
        select.select_option("for")
    page.get_by_role("button", name="Save the votes").click()
    page.wait_for_selector(".alert-success")

    page.get_by_role("link", name="Close the session").click()
    page.get_by_label("Protocol number").fill("7")
    page.get_by_role("button", name="Close the session and record the decisions").click()
    page.wait_for_selector("#protocol-number")
    assert page.locator("#protocol-number").inner_text() == "7"

    application.refresh_from_db()
    assert application.status == Application.Status.DECIDED
    decision = application.decisions.get()
    assert decision.outcome == Decision.Outcome.MEETS
    assert decision.assigned_category.code == "expert"
    assert (decision.votes_for, decision.votes_against) == (7, 0)
    page.reload()
    page.wait_for_selector("#protocol-link")
