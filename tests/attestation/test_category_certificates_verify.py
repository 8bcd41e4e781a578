"""The public verification page finds category certificates too (through the look-up
attestation registers with the certificates app): genuine and valid, revoked with the
reason, replaced by a newer one, expired; and course certificates show as before."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from apps.attestation.models import CategoryCertificate
from apps.attestation.selectors.orders import category_certificate_by_code
from apps.attestation.services import orders
from apps.certificates import verification
from apps.certificates.models import Certificate
from apps.core.dates import add_years, short_date
from apps.teachers.models import Teacher
from tests.certificates.conftest import complete_run, pd  # noqa: F401  (fixtures)

from .conftest import commission_with_members
from .test_orders_services import decided, issue

VERIFY = "/verify/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """The verification rate limit counts in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate(world, cycle, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    commission_with_members(cycle)
    decision = decided(world, cycle, world.teacher_a)
    issue(world.users["region_admin"], [decision], number="12-к")
    return CategoryCertificate.objects.get(decision=decision)


def check(client, code):
    """The public page as an anonymous visitor who switched the interface to English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(VERIFY, {"code": code})
    assert response.status_code == 200
    return response, response.content.decode()


def test_the_lookup_is_registered_by_attestation():
    assert category_certificate_by_code in verification._lookups


def test_a_valid_category_certificate(client, certificate):
    response, html = check(client, certificate.display_code.lower())
    assert response.context["certificate"] == certificate
    assert response.context["found"].template == "certificates/verify/category.html"
    assert "genuine and valid" in html
    for shown in (
        certificate.register_number,
        certificate.holder_name,
        certificate.masked_iin,
        certificate.category_name,
        certificate.position_name,
        certificate.issuing_body,
        "12-к",
        short_date(certificate.valid_until),
        short_date(certificate.order_date),
        short_date(certificate.issued_on),
    ):
        assert shown in html, shown
    assert certificate.holder_iin not in html
    assert "EXPIRED" not in html


def test_a_revoked_category_certificate(client, world, certificate):
    orders.category_certificate_revoke(
        certificate=certificate, actor=world.users["region_admin"], reason="Қате берілген"
    )
    _response, html = check(client, certificate.code)
    assert "was revoked on" in html
    assert "Қате берілген" in html
    assert "genuine and valid" not in html


def test_a_replaced_category_certificate_points_to_the_newer_one(client, certificate):
    newer = CategoryCertificate.objects.create(
        **{
            field.name: getattr(certificate, field.name)
            for field in CategoryCertificate._meta.concrete_fields
            if field.name not in ("id", "register_number", "code", "decision", "pdf")
        }
        | {
            "register_number": "ATT-2099-000001",
            "code": "ABCDEFGHJKMNPQRS",
            "replaces": certificate,
        }
    )
    CategoryCertificate.objects.filter(pk=certificate.pk).update(
        status="replaced", revoked_at=timezone.now(), revoke_reason="Re-issued"
    )
    _response, html = check(client, certificate.code)
    assert "replaced by a newer one" in html
    assert newer.register_number in html
    assert f"?code={newer.code}" in html
    assert newer.display_code in html
    assert "genuine and valid" not in html


def test_a_valid_certificate_past_its_date_says_expired(client, certificate):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    CategoryCertificate.objects.filter(pk=certificate.pk).update(valid_until=yesterday)
    Teacher.objects.filter(pk=certificate.teacher_id).update(
        category_awarded_on=add_years(yesterday, -5), category_valid_until=yesterday
    )
    _response, html = check(client, certificate.code)
    assert "EXPIRED" in html
    assert "genuine and valid" not in html


def test_an_unknown_code_finds_nothing(client, certificate):
    response, html = check(client, "0000-0000-0000-0000")
    assert response.context["certificate"] is None
    assert "No certificate has this code" in html
    assert category_certificate_by_code("not a code") is None


def test_course_certificates_show_as_before(client, world, complete_run):  # noqa: F811
    complete_run([world.teacher_b])
    course = Certificate.objects.get(teacher=world.teacher_b)
    response, html = check(client, course.code)
    assert response.context["certificate"] == course
    assert response.context["found"].template == "certificates/verify/course.html"
    assert "The certificate is genuine and valid." in html
    for shown in (course.register_number, course.course_title, course.provider_name):
        assert shown in html
