"""Certificates tests: runs completed through the real course services, so that the
certificates come from the completion hook exactly as in production."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from apps.courses.models import Enrolment
from apps.courses.services import assessment_record, attendance_mark, run_complete
from tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    ProviderFactory,
    UserFactory,
    provider_staff_user,
    run_with_sessions,
)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The verification rate limit counts in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pd(world):
    """A provider ORL with its staff, a course, and the trainer who records the results."""
    provider = ProviderFactory(
        code="ORL",
        name_kk="«Өрлеу» біліктілікті арттыру ұлттық орталығы",
        name_ru="Национальный центр повышения квалификации «Өрлеу»",
    )
    return SimpleNamespace(
        provider=provider,
        course=CourseFactory(provider=provider),
        staff=provider_staff_user(provider),
        trainer=UserFactory(),
    )


@pytest.fixture
def complete_run(pd, django_capture_on_commit_callbacks):
    """complete_run(teachers, course=None) -> the run, completed by its trainer: every
    teacher attended every day and passed; the certificates, their PDFs and e-mails are
    made on commit as in production."""

    def complete(teachers, *, course=None, score=Decimal("87.50")):
        run = run_with_sessions(past=3, course=course or pd.course, trainer=pd.trainer)
        enrolments = [EnrolmentFactory(run=run, teacher=teacher) for teacher in teachers]
        present = {(s.pk, e.pk) for s in run.sessions.all() for e in enrolments}
        attendance_mark(run=run, present=present, actor=pd.trainer)
        for enrolment in enrolments:
            assessment_record(enrolment=enrolment, passed=True, score=score, actor=pd.trainer)
        with django_capture_on_commit_callbacks(execute=True):
            run_complete(run=run, actor=pd.trainer)
        assert set(Enrolment.objects.filter(run=run).values_list("status", flat=True)) == {
            Enrolment.Status.COMPLETED
        }
        return run

    return complete
