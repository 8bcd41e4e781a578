"""A decision and its appeal never cross: an order puts a decision into force only once its
appeal period is over (dated after it) and no appeal against it is being reviewed, saying
from which date it can be issued; the order page offers only those decisions and shows the
others apart with their date (in constant queries); the ministry's decisions, which come
with the ministry's own order, wait for no period and are not appealed here."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.attestation.models import Appeal, Application, Decision, Level, Order
from apps.attestation.selectors import orders as selectors
from apps.attestation.services import appeals
from apps.core.dates import short_date
from apps.teachers.models import Teacher
from tests.factories import TeacherFactory, UserFactory

from .conftest import commission_with_members
from .test_orders_services import (
    decided,
    issue,
    master_claim,  # noqa: F401  (fixture)
    messages_of,
    record,
)

pytestmark = pytest.mark.usefixtures("english", "private_storage")

S = Application.Status
NEW = reverse("attestation:order_create")


@pytest.fixture
def commission(cycle):
    return commission_with_members(cycle)  # Turkistan city: expert claims of schools A and B


def today():
    return timezone.localdate()


def lodge(world, decision):
    """Teacher A's appeal (the world's teacher account is theirs)."""
    return appeals.appeal_lodge(
        decision=decision, actor=world.users["teacher"], text="Балл дұрыс қойылмады."
    )


def in_force_from(decision) -> dt.date:
    return appeals.appeal_lodge_until(decision) + dt.timedelta(days=1)


# --- the appeal period in dates ----------------------------------------------------------------


def test_the_cutoff_counts_working_days_across_a_public_holiday():
    """Decided on 20 March 2025 (or on the Nauryz holidays after it), appealable until
    1 April: in force from 2 April; one decided on 19 March, from 1 April."""
    assert appeals.in_force_cutoff(dt.date(2025, 4, 2), 5) == dt.date(2025, 3, 25)
    assert appeals.in_force_cutoff(dt.date(2025, 4, 1), 5) == dt.date(2025, 3, 19)
    # No working days to appeal: a decision is in force the day after it.
    assert appeals.in_force_cutoff(dt.date(2025, 4, 1), 0) == dt.date(2025, 3, 31)


# --- the order -------------------------------------------------------------------------------


def test_no_order_while_an_appeal_may_still_be_lodged(world, cycle, commission):
    decision = decided(world, cycle, world.teacher_a, decided_on=today())
    until = appeals.appeal_lodge_until(decision)
    with pytest.raises(ValidationError) as refused:
        issue(world.users["region_admin"], [decision], dated=today())
    message = messages_of(refused)
    assert message.startswith(world.teacher_a.full_name)
    assert f"appeals against the decision may be lodged until {short_date(until)}" in message
    assert f"the order can be issued from {short_date(in_force_from(decision))}" in message
    assert not Order.objects.exists()
    assert Application.objects.get(pk=decision.application_id).status == S.DECIDED
    # Meanwhile the teacher may still appeal.
    assert lodge(world, decision).status == Appeal.Status.LODGED


def test_an_order_is_not_dated_within_the_appeal_period(world, cycle, commission):
    decision = decided(world, cycle, world.teacher_a, decided_on=today() - dt.timedelta(days=40))
    first_day = in_force_from(decision)
    admin = world.users["region_admin"]
    with pytest.raises(ValidationError) as refused:
        issue(admin, [decision], dated=first_day - dt.timedelta(days=1))
    assert f"comes into force on {short_date(first_day)}" in messages_of(refused)
    order = issue(admin, [decision], dated=first_day)
    assert order.certificates.get().order_date == first_day


def test_an_appeal_under_review_holds_the_order_until_it_is_answered(world, cycle, commission):
    decision = decided(world, cycle, world.teacher_a, decided_on=today())
    appeal = lodge(world, decision)
    # The review outlasts the appeal period.
    Decision.objects.filter(pk=decision.pk).update(decided_on=today() - dt.timedelta(days=40))
    admin = world.users["region_admin"]
    with pytest.raises(ValidationError) as refused:
        issue(admin, [decision])
    assert (
        "an appeal against the decision is being reviewed "
        f"(the answer is due by {short_date(appeal.due_on)}): the order waits for the answer"
    ) in messages_of(refused)
    assert not Order.objects.exists()

    appeals.appeal_decide(appeal=appeal, actor=admin, upheld=False, reason="Негізсіз.")
    issue(admin, [decision])
    assert Application.objects.get(pk=decision.application_id).status == S.COMPLETED


def test_an_upheld_appeal_leaves_nothing_to_order(world, cycle, commission):
    decision = decided(world, cycle, world.teacher_a, decided_on=today())
    appeal = lodge(world, decision)
    Decision.objects.filter(pk=decision.pk).update(decided_on=today() - dt.timedelta(days=40))
    admin = world.users["region_admin"]
    appeals.appeal_decide(appeal=appeal, actor=admin, upheld=True, reason="Қайта қаралсын.")
    with pytest.raises(ValidationError) as refused:
        issue(admin, [decision])
    assert "revised on appeal" in messages_of(refused)
    assert Application.objects.get(pk=decision.application_id).status == S.ACCEPTED


# --- the ministry's decisions --------------------------------------------------------------------


def test_a_ministry_decision_comes_with_its_order_and_is_not_appealed_here(
    client,
    world,
    master_claim,  # noqa: F811
):
    user = UserFactory(preferred_language="en")
    role_assignment_create(user=user, role=Role.TEACHER)
    Teacher.objects.filter(pk=master_claim.teacher_id).update(user=user)
    master_claim.teacher.user = user

    # Decided and ordered the same day: no appeal period to wait for here.
    decision = record(world, master_claim, decided_on=today(), order_dated=today())
    assert decision.order is not None
    assert appeals.decision_level(decision) == Level.MINISTRY

    with pytest.raises(ValidationError) as refused:
        appeals.appeal_lodge(decision=decision, actor=user, text="Келіспеймін.")
    assert refused.value.code == "ministry"
    assert "cannot be appealed here" in refused.value.messages[0]
    assert not Appeal.objects.exists()

    client.force_login(user)
    response = client.get(reverse("attestation:application_detail", args=[master_claim.pk]))
    page = response.content.decode()
    assert response.context["decision_section"].appeal_open is False
    assert 'id="appeal-closed"' in page and "cannot be appealed here" in page
    assert reverse("attestation:appeal_lodge", args=[decision.pk]) not in page


# --- the order page ------------------------------------------------------------------------------


def _appealed(world, cycle, teacher, *, due_on):
    """A decision long past its period, with an appeal against it still under review."""
    decision = decided(world, cycle, teacher)
    Appeal.objects.create(
        decision=decision,
        application=decision.application,
        status=Appeal.Status.LODGED,
        text="Шағым",
        review_level=Level.REGION,
        due_on=due_on,
    )
    return decision


def test_the_page_offers_decisions_in_force_and_shows_the_others_with_their_date(
    client, world, cycle, commission
):
    in_force = decided(world, cycle, world.teacher_a)
    due_on = today() + dt.timedelta(days=4)
    appealed = _appealed(world, cycle, world.teacher_b, due_on=due_on)
    recent_teacher = TeacherFactory(organization=world.school_b)
    recent = decided(world, cycle, recent_teacher, decided_on=today())

    client.force_login(world.users["methodologist"])
    response = client.get(NEW, {"commission": commission.pk})

    form = response.context["form"]
    assert [d.pk for d in form.fields["decisions"].queryset] == [in_force.pk]
    assert form.fields["decisions"].initial == [in_force.pk]
    waiting = {item.decision.pk: item for item in response.context["waiting"]}
    assert set(waiting) == {appealed.pk, recent.pk}
    assert (waiting[recent.pk].in_force_from, waiting[recent.pk].appeal_due_on) == (
        in_force_from(recent),
        None,
    )
    assert (waiting[appealed.pk].in_force_from, waiting[appealed.pk].appeal_due_on) == (
        None,
        due_on,
    )
    html = response.content.decode()
    assert html.count('type="checkbox" name="decisions"') == 1
    waiting_html = html[html.index('id="waiting-decisions"') :]
    assert recent_teacher.full_name in waiting_html
    assert f"In force from {short_date(in_force_from(recent))}" in waiting_html
    assert f"the answer is due by {short_date(due_on)}" in waiting_html
    assert world.teacher_a.full_name not in waiting_html

    # A decision not offered cannot be slipped in either.
    response = client.post(
        f"{NEW}?commission={commission.pk}",
        {
            "decisions": [recent.pk],
            "number": "1",
            "dated": today().isoformat(),
            "issuing_body_kk": "Бөлім",
            "issuing_body_ru": "Отдел",
        },
    )
    assert "decisions" in response.context["form"].errors
    assert not Order.objects.exists()


def test_a_commission_with_only_waiting_decisions_is_not_offered(client, world, cycle, commission):
    decided(world, cycle, world.teacher_a, decided_on=today())
    admin = world.users["region_admin"]
    assert not selectors.orderable_decisions(user=admin).exists()
    assert selectors.orderable_commissions(admin) == []
    client.force_login(admin)
    response = client.get(NEW)
    assert response.templates[0].name == "attestation/orders/order_choose.html"
    assert response.context["choices"] == []


def test_the_page_takes_the_same_queries_whatever_waits(client, world, cycle, commission):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(NEW, {"commission": commission.pk})
        assert response.status_code == 200
        return len(captured.captured_queries), len(response.context["waiting"])

    decided(world, cycle, world.teacher_a)
    decided(world, cycle, world.teacher_b, decided_on=today())
    client.force_login(world.users["methodologist"])
    small, shown = queries()
    assert shown == 1
    for _ in range(3):
        decided(world, cycle, TeacherFactory(organization=world.school_b), decided_on=today())
    _appealed(world, cycle, TeacherFactory(organization=world.school_b), due_on=today())
    assert queries() == (small, 5)
