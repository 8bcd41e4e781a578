"""Commissions and scoring sheets under real concurrency, on PostgreSQL: simultaneous
requests create one commission per body, seat one chair, and keep one sheet per member,
each refusal in words rather than a database error."""

import threading
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from apps.attestation import services as application_services
from apps.attestation.models import Commission, CommissionMember, Review
from apps.attestation.services import commissions as services
from apps.teachers.models import QualificationCategory
from tests.concurrency import run_together
from tests.factories import UserFactory

from .conftest import accepted_application, commission_with_members, credit_pd_hours, make_complete

pytestmark = [
    pytest.mark.usefixtures("private_storage"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT ... FOR UPDATE) are what is under test; SQLite has none and "
        "serialises every writer anyway",
    ),
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def staff(world):
    methodologist = world.users["methodologist"]
    methodologist.has_perm("attestation.manage_commissions")  # roles loaded before the threads
    return methodologist


def only_refusals(errors) -> bool:
    return all(isinstance(e, ValidationError) for e in errors)


def test_simultaneous_creations_make_one_commission_per_body(world, cycle):
    actor = staff(world)
    create = partial(
        services.commission_create,
        actor=actor,
        cycle=cycle,
        level="district",
        district=world.city,
        name_kk="Комиссия",
        name_ru="Комиссия",
    )

    results, errors = run_together([create] * 6)

    assert len(results) == 1 and len(errors) == 5
    assert only_refusals(errors), errors
    assert {e.messages[0] for e in errors} == {
        "This body already has a commission for the 2026-2027 cycle."
    }
    assert Commission.objects.count() == 1


def test_simultaneous_chairs_seat_one(world, cycle):
    actor = staff(world)
    commission = commission_with_members(cycle, formed=False)
    CommissionMember.objects.filter(commission=commission, role="chair").delete()
    seat = partial(
        services.member_add,
        commission=commission,
        actor=actor,
        role="chair",
        full_name="Төраға",
        position="Бөлім басшысы",
        experience_years=20,
    )

    results, errors = run_together([partial(seat, user=UserFactory()) for _ in range(5)])

    assert len(results) == 1 and len(errors) == 4
    assert only_refusals(errors), errors
    assert commission.members.filter(role="chair").count() == 1


def test_simultaneous_saves_keep_one_sheet_per_member(world, cycle):
    commission = commission_with_members(cycle)
    application = accepted_application(world, cycle, world.teacher_a)
    member = commission.members.filter(role="member").first()
    member.user.has_perm("attestation.review_application", application)  # seats loaded once
    save = partial(services.review_save, application=application, actor=member.user)

    results, errors = run_together(
        [partial(save, scores={"talks": points}) for points in range(1, 7)]
    )

    assert errors == []
    assert len(results) == 6
    review = Review.objects.get()
    assert review.total in range(1, 7)


def test_an_application_accepted_while_its_commission_is_created_ends_with_it(
    world, cycle, monkeypatch
):
    """The race the cycle's row lock closes: the acceptance looks for the commission while
    the creation has not committed it, and the creation attaches the waiting applications
    while the acceptance has not committed. Each side waits (a little) for the other at
    exactly that point, so without the lock the application would be left without one."""
    actor = staff(world)
    application = application_services.application_start(
        cycle=cycle,
        teacher=world.teacher_a,
        claimed_category=QualificationCategory.objects.get(code="expert"),
        actor=actor,
    )
    credit_pd_hours(world.teacher_a)
    application = make_complete(application, actor=actor)
    application = application_services.application_submit(application=application, actor=actor)
    assert application.commission is None
    looked_up, attached = threading.Event(), threading.Event()
    find, attach = application_services.commission_for, services._attach_waiting_applications

    def slow_find(application):
        found = find(application)
        looked_up.set()
        attached.wait(timeout=2)
        return found

    def slow_attach(commission):
        looked_up.wait(timeout=2)
        count = attach(commission)
        attached.set()
        return count

    monkeypatch.setattr(application_services, "commission_for", slow_find)
    monkeypatch.setattr(services, "_attach_waiting_applications", slow_attach)
    create = partial(
        services.commission_create,
        actor=actor,
        cycle=cycle,
        level="district",
        district=world.city,
        name_kk="Комиссия",
        name_ru="Комиссия",
    )
    accept = partial(application_services.application_accept, application=application, actor=actor)

    _results, errors = run_together([create, accept])

    assert errors == []
    application.refresh_from_db()
    assert application.status == "accepted"
    assert application.commission == Commission.objects.get()
