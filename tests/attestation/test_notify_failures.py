"""One undeliverable address does not hold back the others: the category-expiry notices
(per teacher and per digest), the decisions of a closed session and a new appeal's notice
to its reviewers each log the failed mail and send the rest."""

import datetime as dt
import logging
import smtplib

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.attestation.models import ExpiryNotice, Level
from apps.attestation.services import appeals, expiry
from apps.attestation.services import sessions as services
from apps.teachers.models import QualificationCategory
from tests.factories import TeacherFactory, UserFactory

from . import test_appeals_services as appeal_tests
from . import test_sessions_services as base
from .conftest import submit_review_sheets
from .test_sessions_services import decide, voting

# The sessions' fixtures, shared with the service tests.
english = base.english
pytestmark = pytest.mark.usefixtures("private_storage")
commission, secretary, session = base.commission, base.secretary, base.session
applications, scheduled = base.applications, base.scheduled

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def refused(monkeypatch):
    """`refused(module, *addresses)`: the module's mails to those addresses fail as an SMTP
    server refusing the recipient would; the others go to the outbox."""

    def install(module, *addresses):
        real = module.mail_send_localized

        def send(*, to, **kwargs):
            if to in addresses:
                raise smtplib.SMTPRecipientsRefused({to: (550, b"5.1.1 No such user")})
            return real(to=to, **kwargs)

        monkeypatch.setattr(module, "mail_send_localized", send)

    return install


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_an_expiry_notice_that_fails_does_not_stop_the_others(world, settings, refused, caplog):
    settings.CATEGORY_EXPIRY_NOTICE_MONTHS = [12, 6, 3]
    expert = QualificationCategory.objects.get(code="expert")
    teachers = [
        TeacherFactory(
            organization=world.school_b,
            category=expert,
            category_awarded_on=TODAY - relativedelta(years=4),
            category_valid_until=TODAY + relativedelta(months=2),
            email=f"teacher{n}@example.kz",
        )
        for n in range(3)
    ]
    admins = [UserFactory(email=f"admin{n}@example.kz") for n in range(2)]
    for admin in admins:
        role_assignment_create(user=admin, role=Role.SCHOOL_ADMIN, organization=world.school_b)
    refused(expiry, "teacher0@example.kz", "admin0@example.kz")

    with caplog.at_level(logging.ERROR, logger=expiry.__name__):
        assert expiry.category_expiry_notify(today=TODAY) == 3

    assert recipients() == ["admin1@example.kz", "teacher1@example.kz", "teacher2@example.kz"]
    [digest] = [m for m in mail.outbox if m.to == ["admin1@example.kz"]]
    assert all(t.full_name in digest.body for t in teachers)
    assert len(caplog.records) == 2 and all(r.exc_info for r in caplog.records)
    # The failed teacher's notice is recorded like the others: it is not sent twice.
    assert ExpiryNotice.objects.filter(teacher=teachers[0], months=3).exists()


def test_a_decision_mail_that_fails_does_not_stop_the_others(
    world, session, secretary, scheduled, applications, refused, caplog
):
    world.teacher_b.user = UserFactory(email="teacher-b@example.kz")
    world.teacher_b.save()
    submit_review_sheets(applications)
    decide(session, secretary, dict.fromkeys(voting(session.commission), "for"))
    services.session_close(session=session, actor=secretary, protocol_number="3")
    refused(services, world.users["teacher"].email)  # teacher A's, the first decision's
    decision_ids = list(session.decisions.order_by("item__number").values_list("pk", flat=True))

    with caplog.at_level(logging.ERROR, logger=services.__name__):
        services.decisions_notify(decision_ids=decision_ids)

    assert recipients() == ["teacher-b@example.kz"]
    [record] = caplog.records
    assert record.exc_info and str(decision_ids[0]) in record.getMessage()


def test_an_appeal_notice_that_fails_does_not_stop_the_other_reviewers(
    world, cycle, refused, caplog
):
    teacher = world.teacher_a
    teacher.category = None
    teacher.category_awarded_on = teacher.category_valid_until = None
    teacher.save()
    decision = appeal_tests.decided(world, cycle, claimed="moderator", level=Level.ORGANIZATION)
    appeal = appeal_tests.lodge(world, decision)
    methodologist, region_admin = world.users["methodologist"], world.users["region_admin"]
    assert appeals.appeal_reviewers(appeal) == sorted(
        [methodologist, region_admin], key=lambda user: user.pk
    )
    first = appeals.appeal_reviewers(appeal)[0]
    refused(appeals, first.email)

    with caplog.at_level(logging.ERROR, logger=appeals.__name__):
        appeals.appeal_lodged_notify(appeal_id=appeal.pk)

    other = region_admin if first == methodologist else methodologist
    assert recipients() == [other.email]
    [record] = caplog.records
    assert record.exc_info
