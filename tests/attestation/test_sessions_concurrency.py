"""Sessions under real concurrency, on PostgreSQL: a replayed "close" records the decisions
once, two sessions of one commission cannot take the same protocol number, and an
application goes on one agenda only, each refusal in words rather than a database error."""

from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.attestation.models import AgendaItem, CommissionSession, Decision, DocumentJob
from apps.attestation.services import sessions as services
from tests.concurrency import run_together

from . import test_sessions_services as base
from .conftest import accepted_application, submit_review_sheets
from .test_sessions_services import decide, plan, voting

pytestmark = [
    pytest.mark.usefixtures("private_storage"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT ... FOR UPDATE) are what is under test; SQLite has none and "
        "serialises every writer anyway",
    ),
]

# The sessions' fixtures, shared with the service tests.
english = base.english
commission, secretary, session = base.commission, base.secretary, base.session


@pytest.fixture
def runner(secretary, session):
    """The secretary, with their seats read before the threads start (as a request would)."""
    assert secretary.has_perm("attestation.run_sessions", session)
    return secretary


def refusals(errors) -> set[str]:
    assert all(isinstance(e, ValidationError) for e in errors), errors
    return {message for e in errors for message in e.messages}


def test_a_replayed_close_records_the_decisions_once(world, cycle, session, runner):
    applications = [accepted_application(world, cycle, t) for t in (world.teacher_a,)]
    submit_review_sheets(applications)
    services.session_agenda_add(session=session, actor=runner, applications=applications)
    decide(session, runner, dict.fromkeys(voting(session.commission), "for"))
    close = partial(services.session_close, session=session, actor=runner, protocol_number="1")

    results, errors = run_together([close] * 4)

    assert len(results) == 1 and len(errors) == 3
    assert refusals(errors) == {"The session is “closed”: it can no longer be changed."}
    assert Decision.objects.count() == 1 and DocumentJob.objects.count() == 1


def test_two_sessions_cannot_take_the_same_protocol_number(world, cycle, commission, runner):
    sessions = [plan(commission, runner, days=days) for days in (3, 4)]
    for target, teacher in zip(sessions, (world.teacher_a, world.teacher_b), strict=True):
        application = accepted_application(world, cycle, teacher)
        submit_review_sheets([application])
        services.session_agenda_add(session=target, actor=runner, applications=[application])
        decide(target, runner, dict.fromkeys(voting(commission), "for"))

    results, errors = run_together(
        [
            partial(services.session_close, session=s, actor=runner, protocol_number="8")
            for s in sessions
        ]
    )

    assert len(results) == 1 and len(errors) == 1
    assert refusals(errors) == {"This commission already has a protocol No. 8."}
    assert CommissionSession.objects.filter(protocol_number="8").count() == 1


def test_an_application_goes_on_one_agenda_only(world, cycle, commission, runner):
    application = accepted_application(world, cycle, world.teacher_a)
    sessions = [plan(commission, runner, days=days) for days in (3, 4, 5)]

    results, errors = run_together(
        [
            partial(
                services.session_agenda_add, session=s, actor=runner, applications=[application]
            )
            for s in sessions
        ]
    )

    assert errors == []
    assert sum(len(r.added) for r in results) == 1
    assert sum(len(r.skipped) for r in results) == 2
    assert AgendaItem.objects.filter(application=application).count() == 1
