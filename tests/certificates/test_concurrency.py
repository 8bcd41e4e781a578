"""Register numbers under real concurrency, on PostgreSQL: runs of one provider completed
at the same moment get one gapless sequence of numbers, none twice."""

from functools import partial

import pytest
from django.db import connection

from apps.certificates.models import Certificate
from apps.courses.services import assessment_record, attendance_mark, run_complete
from tests.concurrency import run_together
from tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    ProviderFactory,
    TeacherFactory,
    UserFactory,
    run_with_sessions,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT ... FOR UPDATE) are what is under test; SQLite has none",
    ),
]


def test_simultaneous_completions_share_one_gapless_sequence():
    provider = ProviderFactory(code="ORL")
    course = CourseFactory(provider=provider)
    trainer = UserFactory()
    runs = []
    for _ in range(12):
        run = run_with_sessions(past=2, course=course, trainer=trainer)
        enrolments = [EnrolmentFactory(run=run, teacher=TeacherFactory()) for _ in range(3)]
        present = {(s.pk, e.pk) for s in run.sessions.all() for e in enrolments}
        attendance_mark(run=run, present=present, actor=trainer)
        for enrolment in enrolments:
            assessment_record(enrolment=enrolment, passed=True, score=None, actor=trainer)
        runs.append(run)

    results, errors = run_together([partial(run_complete, run=run, actor=trainer) for run in runs])

    assert errors == []
    assert [r["completed"] for r in results] == [3] * 12
    numbers = sorted(Certificate.objects.values_list("register_number", flat=True))
    year = Certificate.objects.values_list("year", flat=True).first()
    assert numbers == [f"ORL-{year}-{n:06d}" for n in range(1, 37)]
    # Each run's certificates are numbered together, in one block.
    for run in runs:
        own = sorted(
            int(n[-6:])
            for n in Certificate.objects.filter(enrolment__run=run).values_list(
                "register_number", flat=True
            )
        )
        assert own == list(range(own[0], own[0] + 3))
