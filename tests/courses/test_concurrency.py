"""Seats under real concurrency, on PostgreSQL: simultaneous enrolments never overbook a
run or a district quota, the waitlist keeps a gapless order, and simultaneous cancellations
promote exactly as many teachers as they free seats."""

from functools import partial

import pytest
from django.db import connection

from apps.courses import services
from apps.courses.models import DistrictQuota, Enrolment
from apps.courses.selectors import with_waitlist_position
from tests.concurrency import run_together
from tests.factories import CourseRunFactory, TeacherFactory

S = Enrolment.Status

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT ... FOR UPDATE) are what is under test; SQLite has none and "
        "serialises every writer anyway",
    ),
]


def staff(world):
    admin = world.users["region_admin"]
    admin.has_perm("courses.enrol_teachers")  # load its roles once, before the threads share it
    return admin


def enrolments(run, status):
    return Enrolment.objects.filter(run=run, status=status)


def assert_waitlist_is_ordered_without_gaps(run, expected_length):
    rows = list(
        with_waitlist_position(enrolments(run, S.WAITLISTED))
        .order_by("waitlisted_at", "pk")
        .values_list("pk", "waitlist_position")
    )
    assert [position for _pk, position in rows] == list(range(1, expected_length + 1))
    # Both the waitlist time and the id are taken under the run's lock: the same order.
    assert [pk for pk, _position in rows] == sorted(pk for pk, _position in rows)


def test_100_simultaneous_enrolments_fill_30_seats_and_queue_the_rest_in_order(world):
    admin = staff(world)
    run = CourseRunFactory(capacity=30)
    teachers = [TeacherFactory(organization=world.school_a) for _ in range(100)]

    results, errors = run_together(
        [partial(services.enrolment_create, run=run, teacher=t, actor=admin) for t in teachers]
    )

    assert errors == []
    assert len(results) == 100
    assert enrolments(run, S.CONFIRMED).count() == 30
    assert enrolments(run, S.WAITLISTED).count() == 70
    assert_waitlist_is_ordered_without_gaps(run, 70)
    assert Enrolment.objects.filter(run=run).values("teacher").distinct().count() == 100


def test_simultaneous_cancellations_promote_exactly_as_many_as_they_free(world):
    admin = staff(world)
    run = CourseRunFactory(capacity=30)
    for _ in range(45):
        services.enrolment_create(
            run=run, teacher=TeacherFactory(organization=world.school_b), actor=admin
        )
    waitlist = list(enrolments(run, S.WAITLISTED).order_by("waitlisted_at", "pk"))
    leaving = list(enrolments(run, S.CONFIRMED).order_by("?")[:10])

    results, errors = run_together(
        [partial(services.enrolment_cancel, enrolment=e, actor=admin) for e in leaving]
    )

    assert errors == []
    promoted = [e.pk for batch in results for e in batch]
    assert sorted(promoted) == sorted(e.pk for e in waitlist[:10])  # the first ten, no more
    assert enrolments(run, S.CONFIRMED).count() == 30
    assert set(enrolments(run, S.WAITLISTED).values_list("pk", flat=True)) == {
        e.pk for e in waitlist[10:]
    }
    assert_waitlist_is_ordered_without_gaps(run, 5)


def test_a_district_quota_holds_under_simultaneous_enrolments(world):
    admin = staff(world)
    run = CourseRunFactory(capacity=30)
    DistrictQuota.objects.create(run=run, district=world.city, seats=5)
    city = [TeacherFactory(organization=world.school_a) for _ in range(20)]
    sairam = [TeacherFactory(organization=world.school_c) for _ in range(20)]

    _results, errors = run_together(
        [
            partial(services.enrolment_create, run=run, teacher=t, actor=admin)
            for pair in zip(city, sairam, strict=True)
            for t in pair
        ]
    )

    assert errors == []
    confirmed = enrolments(run, S.CONFIRMED)
    assert confirmed.filter(district=world.city).count() == 5
    assert confirmed.filter(district=world.sairam).count() == 20
    assert enrolments(run, S.WAITLISTED).filter(district=world.city).count() == 15
    assert_waitlist_is_ordered_without_gaps(run, 15)
