"""Orders under real concurrency, on PostgreSQL: the same order number typed twice at
once is refused in words (not a database error), a decision goes into one order only,
and simultaneous orders share one gapless sequence of register numbers."""

import datetime as dt
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from apps.attestation.models import CategoryCertificate, Order
from apps.attestation.services import orders
from tests.concurrency import run_together
from tests.factories import TeacherFactory

from .conftest import commission_with_members
from .test_orders_services import decided

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and unique indexes under concurrent transactions are under test",
    ),
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def issue_in_english(actor, decisions, number):
    with translation.override("en"):
        return orders.order_issue(
            actor=actor,
            decisions=decisions,
            number=number,
            dated=timezone.localdate() - dt.timedelta(days=1),
            issuing_body_kk="Түркістан қаласы білім бөлімі",
            issuing_body_ru="Отдел образования по городу Туркестан",
        )


@pytest.fixture
def decisions(world, cycle):
    commission_with_members(cycle)
    teachers = [TeacherFactory(organization=world.school_b) for _ in range(6)]
    return [decided(world, cycle, teacher) for teacher in teachers]


def test_the_same_number_at_once_is_refused_in_words(world, decisions):
    admin = world.users["region_admin"]
    results, errors = run_together(
        [partial(issue_in_english, admin, [decision], "5") for decision in decisions[:2]]
    )
    assert len(results) == 1
    [error] = errors
    assert isinstance(error, ValidationError)
    assert error.message_dict["number"][0].startswith("This body already has an order No. 5")
    assert Order.objects.count() == 1
    assert CategoryCertificate.objects.count() == 1


def test_a_decision_goes_into_one_order_only(world, decisions):
    admin = world.users["region_admin"]
    results, errors = run_together(
        [partial(issue_in_english, admin, [decisions[0]], number) for number in ("1", "2")]
    )
    assert len(results) == 1
    [error] = errors
    assert "already in order" in " ".join(error.messages)
    assert CategoryCertificate.objects.count() == 1


def test_simultaneous_orders_share_one_gapless_sequence(world, decisions):
    admin = world.users["region_admin"]
    calls = [
        partial(issue_in_english, admin, decisions[n : n + 2], f"{n}-к") for n in range(0, 6, 2)
    ]
    results, errors = run_together(calls)
    assert errors == []
    year = timezone.localdate().year
    numbers = sorted(CategoryCertificate.objects.values_list("register_number", flat=True))
    assert numbers == [f"ATT-{year}-{n:06d}" for n in range(1, 7)]
    for order in results:  # each order's certificates numbered together, in one block
        own = sorted(
            int(n[-6:]) for n in order.certificates.values_list("register_number", flat=True)
        )
        assert own == [own[0], own[0] + 1]
