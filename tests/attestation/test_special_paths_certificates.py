"""Category certificates and the special paths: a sanction revokes the holder's valid
certificates (the public check then says so, with the sanction as the reason); a category
whose validity was extended after its certificate was issued (a freeze's end, pre-pension)
is said to be kept until its new date, not expired, on the public check and the
certificate's page; the public look-up reads all it shows in one query."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.attestation.models import CategoryCertificate, CategoryFreeze, Sanction
from apps.attestation.selectors.orders import category_certificate_by_code
from apps.attestation.services import special
from apps.core.dates import add_years, short_date
from apps.teachers.models import QualificationCategory, Teacher
from tests.factories import TeacherFactory, next_iin

from .conftest import commission_with_members
from .test_orders_services import decided, issue

pytestmark = pytest.mark.usefixtures("english", "private_storage")

CS = CategoryCertificate.Status
KEPT = "The category is kept until {date} (extended after this certificate was issued)."


@pytest.fixture(autouse=True)
def _empty_cache():
    """The verification rate limit counts in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def commission(cycle):
    return commission_with_members(cycle)


def today():
    return timezone.localdate()


def certificate_of(world, cycle, teacher, number="12-к") -> CategoryCertificate:
    """The expert category put into force by an order, with its certificate."""
    decision = decided(world, cycle, teacher)
    issue(world.users["region_admin"], [decision], number=number)
    return CategoryCertificate.objects.get(decision=decision)


def years_later(certificate, *, ended_on):
    """As if the certificate's term ran out: the certificate and the holder's record both
    say the category ended on `ended_on`."""
    CategoryCertificate.objects.filter(pk=certificate.pk).update(valid_until=ended_on)
    Teacher.objects.filter(pk=certificate.teacher_id).update(
        category_awarded_on=add_years(ended_on, -5), category_valid_until=ended_on
    )


def check(client, code) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/verify/", {"code": code})
    assert response.status_code == 200
    return response.content.decode()


# --- sanctions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        (Sanction.Kind.FALSIFIED, "falsified portfolio"),
        (Sanction.Kind.TEST_BREACH, "breach of the test rules"),
    ],
)
def test_a_sanction_revokes_the_valid_certificates(client, world, cycle, kind, label):
    teacher = world.teacher_a
    certificate = certificate_of(world, cycle, teacher)
    earlier = CategoryCertificate.objects.create(
        **{
            field.name: getattr(certificate, field.name)
            for field in CategoryCertificate._meta.concrete_fields
            if field.name not in ("id", "register_number", "code", "decision", "pdf")
        }
        | {
            "register_number": "ATT-2020-000001",
            "code": "ABCDEFGHJKMNPQRS",
            "status": CS.REPLACED,
            "revoked_at": timezone.now() - dt.timedelta(days=400),
            "revoke_reason": "Re-issued",
        }
    )
    assert "genuine and valid" in check(client, certificate.code)

    special.sanction_impose(
        teacher=teacher, kind=kind, reason="Сертификат жалған", actor=world.users["methodologist"]
    )

    certificate.refresh_from_db()
    assert certificate.status == CS.REVOKED
    assert certificate.revoked_at is not None
    assert label in certificate.revoke_reason and "Сертификат жалған" in certificate.revoke_reason
    earlier.refresh_from_db()  # only the valid ones are touched
    assert (earlier.status, earlier.revoke_reason) == (CS.REPLACED, "Re-issued")
    html = check(client, certificate.code)
    assert "was revoked on" in html and "Сертификат жалған" in html
    assert "genuine and valid" not in html


# --- a validity extended after the certificate --------------------------------------------------


def test_a_freeze_extends_the_category_past_the_certificate(client, world, cycle):
    teacher = world.teacher_a
    certificate = certificate_of(world, cycle, teacher)
    years_later(certificate, ended_on=today() - dt.timedelta(days=10))
    staff = world.users["school_admin"]
    freeze = special.category_freeze_start(
        teacher=Teacher.objects.get(pk=teacher.pk),
        reason=CategoryFreeze.Reason.CHILD_CARE,
        starts_on=today() - dt.timedelta(days=400),
        actor=staff,
    )
    freeze = special.category_freeze_end(
        freeze=freeze, returned_on=today() - dt.timedelta(days=5), actor=staff
    )

    html = check(client, certificate.code)
    assert KEPT.format(date=short_date(freeze.kept_until)) in html
    certificate.refresh_from_db()
    assert f"the term printed on it ended on {short_date(certificate.valid_until)}" in html
    assert "EXPIRED" not in html and "genuine and valid" not in html


def test_pre_pension_keeps_the_category_past_the_certificate(client, world, cycle):
    birth = add_years(today(), -61 + 3)  # a woman three years from her pension
    teacher = TeacherFactory(
        organization=world.school_a, birth_date=birth, sex="F", iin=next_iin(birth, "F")
    )
    certificate = certificate_of(world, cycle, teacher)
    years_later(certificate, ended_on=today() - relativedelta(months=2))
    grant = special.category_pre_pension_keep(
        teacher=Teacher.objects.get(pk=teacher.pk), actor=world.users["methodologist"]
    )

    kept = KEPT.format(date=short_date(grant.valid_until))
    assert kept in check(client, certificate.code)
    client.force_login(world.users["methodologist"])
    url = reverse("attestation:category_certificate_detail", args=[certificate.pk])
    page = client.get(url).content.decode()
    assert 'id="category-kept"' in page and kept in page


def test_another_category_now_leaves_the_certificate_expired(client, world, cycle):
    teacher = world.teacher_a
    certificate = certificate_of(world, cycle, teacher)
    years_later(certificate, ended_on=today() - dt.timedelta(days=10))
    # The holder has another category now, valid for years: not the certificate's.
    Teacher.objects.filter(pk=teacher.pk).update(
        category=QualificationCategory.objects.get(code="researcher"),
        category_awarded_on=today() - dt.timedelta(days=5),
        category_valid_until=add_years(today(), 5),
    )
    html = check(client, certificate.code)
    assert "EXPIRED" in html
    assert "is kept until" not in html
    client.force_login(world.users["methodologist"])
    url = reverse("attestation:category_certificate_detail", args=[certificate.pk])
    assert 'id="category-kept"' not in client.get(url).content.decode()


def test_the_public_lookup_is_one_query(world, cycle, django_assert_num_queries):
    certificate = certificate_of(world, cycle, world.teacher_a)
    years_later(certificate, ended_on=today() - dt.timedelta(days=10))
    Teacher.objects.filter(pk=world.teacher_a.pk).update(category_valid_until=add_years(today(), 2))
    with django_assert_num_queries(1):
        found = category_certificate_by_code(certificate.code)
        assert found.document.kept_until == add_years(today(), 2)
        assert found.document.replacement is None
