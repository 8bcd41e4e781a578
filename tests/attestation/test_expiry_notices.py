"""Category-expiry notices, the daily beat task: one notice per threshold and only the smallest
one reached, a digest per school administrator, each mail in its reader's language, nothing
for frozen or expired categories, and a constant number of queries."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.attestation import tasks
from apps.attestation.models import CategoryFreeze, ExpiryNotice
from apps.attestation.services import expiry
from apps.teachers.models import QualificationCategory

from ..factories import TeacherFactory, UserFactory

TODAY = dt.date(2026, 3, 10)
EXPERT_KK, EXPERT_RU = "педагог-сарапшы", "педагог-эксперт"


@pytest.fixture(autouse=True)
def public_url(settings):
    settings.PUBLIC_BASE_URL = "https://ustaz.example.kz/"
    settings.CATEGORY_EXPIRY_NOTICE_MONTHS = [12, 6, 3]


@pytest.fixture
def sent(monkeypatch):
    """(template, recipient, language, context) of every notice mailed, whatever the
    catalogues translate; the real mail still goes to the outbox."""
    seen = []
    real = expiry.mail_send_localized

    def spy(*, to, language, template, context):
        seen.append((template.rsplit("_", 1)[-1], to, language, context))
        return real(to=to, language=language, template=template, context=context)

    monkeypatch.setattr(expiry, "mail_send_localized", spy)
    return seen


def in_months(months, *, days=0, today=TODAY):
    return today + relativedelta(months=months, days=days)


def expiring(school, until, *, language=None, email="", category="expert"):
    """A teacher of `school` whose category is valid until `until`; with an account in
    `language` if given."""
    teacher = TeacherFactory(
        organization=school,
        category=QualificationCategory.objects.get(code=category),
        category_awarded_on=until - relativedelta(years=5),
        category_valid_until=until,
        email=email,
    )
    if language:
        teacher.user = UserFactory(preferred_language=language)
        teacher.save()
    return teacher


def school_admin(school, language="kk"):
    user = UserFactory(preferred_language=language)
    role_assignment_create(user=user, role=Role.SCHOOL_ADMIN, organization=school)
    return user


def notify(today=TODAY) -> int:
    return expiry.category_expiry_notify(today=today)


def teacher_notices(sent, teacher):
    return [
        context["item"]
        for kind, _to, _l, context in sent
        if kind == "teacher" and context["item"].teacher.pk == teacher.pk
    ]


def recorded(teacher):
    return set(ExpiryNotice.objects.filter(teacher=teacher).values_list("months", flat=True))


def mails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


# --- once per threshold -----------------------------------------------------------------------


def test_a_teacher_is_told_once_at_12_6_and_3_months_and_never_in_between(world, sent):
    teacher = expiring(world.school_b, in_months(12), email="gulnar@example.kz")

    sent_on, day = {}, TODAY
    while day <= teacher.category_valid_until + dt.timedelta(days=5):
        count = notify(day)
        assert notify(day) == 0  # a second run the same day sends nothing
        if count:
            sent_on[day] = count
        day += dt.timedelta(days=1)

    assert sent_on == {TODAY: 1, in_months(6): 1, in_months(9): 1}
    assert [item.months for item in teacher_notices(sent, teacher)] == [12, 6, 3]
    assert len(mails_to("gulnar@example.kz")) == 3
    assert recorded(teacher) == {12, 6, 3}


def test_a_teacher_already_inside_3_months_gets_only_the_3_month_notice(world, sent):
    teacher = expiring(world.school_b, in_months(2), email="late@example.kz")

    assert notify() == 1
    day = TODAY
    while day <= teacher.category_valid_until:
        day += dt.timedelta(days=1)
        assert notify(day) == 0

    assert [item.months for item in teacher_notices(sent, teacher)] == [3]
    assert len(mails_to("late@example.kz")) == 1
    # The larger thresholds are recorded as passed, so they never follow.
    assert recorded(teacher) == {3, 6, 12}


def test_a_teacher_between_6_and_12_months_gets_the_12_month_notice_first(world, sent):
    teacher = expiring(world.school_b, in_months(8))

    notify()
    notify(in_months(2))  # 6 months left now

    assert [item.months for item in teacher_notices(sent, teacher)] == [12, 6]


def test_expired_categories_and_records_without_a_category_get_nothing(world, sent):
    expiring(world.school_b, TODAY - dt.timedelta(days=1), email="gone@example.kz")
    expiring(world.school_b, TODAY, email="today@example.kz")  # expires today: too late
    no_category = expiring(world.school_b, in_months(1), email="none@example.kz")
    no_category.category = None
    no_category.save()
    expiring(world.school_b, in_months(12, days=1), email="later@example.kz")

    assert notify() == 0
    assert sent == []
    assert mail.outbox == []
    assert not ExpiryNotice.objects.exists()


def test_a_frozen_category_is_skipped_until_the_teacher_returns(world, sent):
    away = expiring(world.school_b, in_months(5), email="away@example.kz")
    freeze = CategoryFreeze.objects.create(
        teacher=away,
        reason=CategoryFreeze.Reason.CHILD_CARE,
        starts_on=TODAY - relativedelta(years=1),
    )
    back = expiring(world.school_b, in_months(5), email="back@example.kz")
    CategoryFreeze.objects.create(
        teacher=back,
        reason=CategoryFreeze.Reason.ILLNESS,
        starts_on=TODAY - relativedelta(years=1),
        returned_on=TODAY - relativedelta(months=1),
    )

    assert notify() == 1
    assert mails_to("away@example.kz") == []
    assert len(mails_to("back@example.kz")) == 1
    assert recorded(away) == set()

    freeze.returned_on = TODAY
    freeze.save()
    assert notify(TODAY + dt.timedelta(days=1)) == 1
    assert [item.months for item in teacher_notices(sent, away)] == [6]


def test_a_renewed_category_starts_afresh(world, sent):
    teacher = expiring(world.school_b, in_months(2))
    notify()
    renewed = teacher.category_valid_until + relativedelta(years=5)
    teacher.category_valid_until = renewed
    teacher.save()

    assert notify(TODAY + dt.timedelta(days=1)) == 0  # years away
    assert notify(renewed - relativedelta(months=12)) == 1

    assert [
        (item.months, item.teacher.category_valid_until) for item in teacher_notices(sent, teacher)
    ] == [
        (3, in_months(2)),
        (12, renewed),
    ]
    assert set(
        ExpiryNotice.objects.filter(teacher=teacher).values_list("valid_until", "months")
    ) == {(in_months(2), 3), (in_months(2), 6), (in_months(2), 12), (renewed, 12)}


def test_the_thresholds_come_from_the_settings(world, settings, sent):
    settings.CATEGORY_EXPIRY_NOTICE_MONTHS = [1]
    teacher = expiring(world.school_b, in_months(2))

    assert notify() == 0
    assert notify(in_months(1)) == 1
    assert recorded(teacher) == {1}


# --- recipients and languages -----------------------------------------------------------------


def test_a_russian_speaking_teacher_is_written_to_in_russian(world, sent):
    teacher = expiring(world.school_b, in_months(3), language="ru", email="registry@example.kz")

    notify()

    [message] = mails_to(teacher.user.email)
    assert mails_to("registry@example.kz") == []  # the account's address comes first
    assert [(kind, language) for kind, _to, language, _c in sent] == [("teacher", "ru")]
    assert EXPERT_RU in message.subject
    assert in_months(3).strftime("%d.%m.%Y") in message.subject
    assert "\n" not in message.subject
    assert message.body.startswith(f"Уважаемый(-ая) {teacher.first_name},")
    assert f"https://ustaz.example.kz/teachers/{teacher.pk}/" in message.body


def test_a_teacher_without_an_account_is_written_to_in_kazakh(world, sent):
    teacher = expiring(world.school_b, in_months(3), email="registry@example.kz")

    notify()

    [message] = mails_to("registry@example.kz")
    assert [(kind, language) for kind, _to, language, _c in sent] == [("teacher", "kk")]
    assert EXPERT_KK in message.subject
    assert EXPERT_RU not in message.subject + message.body
    assert message.body.startswith(f"Құрметті {teacher.first_name},")
    assert f"https://ustaz.example.kz/teachers/{teacher.pk}/" in message.body
    assert "&quot;" not in message.body and "&#x27;" not in message.body  # plain text


def test_a_teacher_with_no_address_at_all_still_counts_and_reaches_the_administrators(world, sent):
    admin = school_admin(world.school_b)
    teacher = expiring(world.school_b, in_months(3))

    assert notify() == 1

    [message] = mail.outbox
    assert message.to == [admin.email]
    assert teacher.full_name in message.body
    assert recorded(teacher) == {3, 6, 12}


def test_each_school_administrator_gets_one_digest_in_their_language(world, sent, monkeypatch):
    monkeypatch.setattr(expiry, "CHUNK_SIZE", 2)  # the teachers fall on several pages
    kazakh_admin = world.users["school_admin"]  # school A
    russian_admin = school_admin(world.school_a, language="ru")
    both_schools = school_admin(world.school_a)
    role_assignment_create(user=both_schools, role=Role.SCHOOL_ADMIN, organization=world.school_b)
    school_a = [
        expiring(world.school_a, in_months(12)),
        expiring(world.school_a, in_months(6)),
        expiring(world.school_a, in_months(1)),
    ]
    in_b = expiring(world.school_b, in_months(12))
    in_c = expiring(world.school_c, in_months(12))  # school C has no administrator
    expiring(world.school_a, in_months(13))  # not yet

    assert notify() == 5

    [kk_digest] = mails_to(kazakh_admin.email)
    [ru_digest] = mails_to(russian_admin.email)
    [both_digest] = mails_to(both_schools.email)
    assert len(mail.outbox) == 3  # none of the teachers has an address
    for digest in (kk_digest, ru_digest):
        assert all(digest.body.count(t.full_name) == 1 for t in school_a)
        assert in_b.full_name not in digest.body and in_c.full_name not in digest.body
    assert all(both_digest.body.count(t.full_name) == 1 for t in [*school_a, in_b])
    assert EXPERT_KK in kk_digest.body and EXPERT_RU not in kk_digest.body
    assert EXPERT_RU in ru_digest.body and EXPERT_KK not in ru_digest.body
    assert f"https://ustaz.example.kz/teachers/{school_a[2].pk}/" in kk_digest.body
    digests = {
        to: (language, context["items"]) for kind, to, language, context in sent if kind == "admin"
    }
    assert digests[russian_admin.email][0] == "ru"
    # Soonest first, each with the threshold reached.
    assert [(item.teacher.pk, item.months) for item in digests[kazakh_admin.email][1]] == [
        (school_a[2].pk, 3),
        (school_a[1].pk, 6),
        (school_a[0].pk, 12),
    ]

    mail.outbox.clear()
    assert notify(TODAY + dt.timedelta(days=1)) == 0
    assert mail.outbox == []


def test_an_administrator_who_is_no_longer_active_gets_no_digest(world, sent):
    admin = world.users["school_admin"]
    admin.is_active = False
    admin.save()
    expiring(world.school_a, in_months(3))

    assert notify() == 1
    assert mail.outbox == []


# --- the beat task ----------------------------------------------------------------------------


def test_the_beat_task_runs_the_service_for_today(world, sent):
    today = timezone.localdate()
    teacher = expiring(world.school_b, in_months(1, today=today), email="task@example.kz")

    tasks.category_expiry_notify_task()
    tasks.category_expiry_notify_task()

    assert len(mails_to("task@example.kz")) == 1
    assert recorded(teacher) == {3, 6, 12}


# --- scale ------------------------------------------------------------------------------------


def _crowd(world, count):
    """`count` teachers crossing a threshold today in three schools, some with accounts in
    each language, and the administrators of two of the schools."""
    school_admin(world.school_b, language="ru")
    schools = (world.school_a, world.school_b, world.school_c)
    languages = (None, "ru", "kk", "en")
    for n in range(count):
        expiring(schools[n % 3], in_months((3, 6, 12)[n % 3], days=-n), language=languages[n % 4])


def _notify_queries(today=TODAY) -> int:
    with CaptureQueriesContext(connection) as queries:
        notify(today)
    return len(queries)


@pytest.mark.parametrize("count", [3, 40])
def test_a_run_takes_a_fixed_number_of_queries(world, count, django_assert_max_num_queries):
    _crowd(world, count)
    # The page of due teachers, the notices inserted, the administrators, the empty page.
    with django_assert_max_num_queries(4):
        assert notify() == count
    with_accounts = count - (count + 3) // 4
    assert len(mail.outbox) == with_accounts + 2  # and the digests of schools A and B


def test_the_queries_do_not_grow_with_the_teachers(world):
    _crowd(world, 3)
    small = _notify_queries()
    ExpiryNotice.objects.all().delete()
    _crowd(world, 60)
    ExpiryNotice.objects.all().delete()

    assert _notify_queries() == small
    assert ExpiryNotice.objects.filter(months=12).count() == 63
