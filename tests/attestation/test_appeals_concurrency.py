"""Appeals under real concurrency, on PostgreSQL: two appeals against one decision at once
leave one, the other refused in words; two answers to one appeal at once leave one, and
the application moves back to review once."""

from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from apps.attestation.models import Appeal, AppealEvent, ApplicationEvent
from apps.attestation.services import appeals
from tests.concurrency import run_together

from .test_appeals_services import decided, lodge

pytestmark = [
    pytest.mark.usefixtures("private_storage"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks under concurrent transactions are under test",
    ),
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def in_english(call):
    with translation.override("en"):
        return call()


def test_two_appeals_at_once_leave_one(world, cycle):
    decision = decided(world, cycle)
    teacher = world.users["teacher"]
    results, errors = run_together(
        [
            partial(
                in_english,
                partial(appeals.appeal_lodge, decision=decision, actor=teacher, text=text),
            )
            for text in ("Бірінші", "Екінші")
        ]
    )
    assert len(results) == 1
    [error] = errors
    assert isinstance(error, ValidationError)
    assert error.messages == ["An appeal against this decision is already being reviewed."]
    assert Appeal.objects.count() == 1


def test_two_answers_at_once_leave_one(world, cycle):
    decision = decided(world, cycle)
    appeal = lodge(world, decision)
    reviewer = world.users["region_admin"]
    results, errors = run_together(
        [
            partial(
                in_english,
                partial(
                    appeals.appeal_decide,
                    appeal=appeal,
                    actor=reviewer,
                    upheld=upheld,
                    reason="Жауап",
                ),
            )
            for upheld in (True, False)
        ]
    )
    assert len(results) == 1
    [error] = errors
    assert "cannot become" in error.messages[0]
    assert AppealEvent.objects.filter(appeal=appeal).count() == 2
    back_to_review = ApplicationEvent.objects.filter(
        application_id=decision.application_id, from_status="decided", to_status="accepted"
    )
    assert back_to_review.count() == (1 if results[0].status == "upheld" else 0)
