"""Expiry notices under real concurrency, on PostgreSQL: two beat runs at once (a retried
task, or two schedulers) send every notice exactly once."""

from functools import partial

import pytest
from django.core import mail
from django.db import connection

from apps.attestation.models import ExpiryNotice
from apps.attestation.services import expiry
from tests.concurrency import run_together

from .test_expiry_notices import TODAY, expiring, in_months, notify

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent inserts waiting on a unique index are what is under test; SQLite "
        "serialises every writer anyway",
    ),
]


@pytest.mark.parametrize("chunk_size", [500, 3])
def test_two_runs_at_once_send_each_notice_once(world, settings, monkeypatch, chunk_size):
    settings.CATEGORY_EXPIRY_NOTICE_MONTHS = [12, 6, 3]
    monkeypatch.setattr(expiry, "CHUNK_SIZE", chunk_size)
    teachers = [
        expiring(world.school_b, in_months((3, 6, 12)[n % 3]), email=f"t{n}@example.kz")
        for n in range(20)
    ]

    results, errors = run_together([partial(notify, TODAY) for _ in range(4)])

    assert errors == []
    assert sum(results) == 20
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        teacher.email for teacher in teachers
    )
    assert ExpiryNotice.objects.count() == 7 * 3 + 7 * 2 + 6
