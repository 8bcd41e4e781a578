"""Certificate pages through the client: the public verification page (no sign-in, rate
limited, IIN masked), scopes of the detail page and the PDF, revoke and re-issue forms,
batch downloads, and the panels on the teacher and run pages with constant queries."""

import time
from types import SimpleNamespace

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_ratelimit import core as ratelimit_core

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.certificates import panels, services
from apps.certificates.models import Certificate, CertificateBatch
from tests.factories import TeacherFactory, UserFactory

S = Certificate.Status
VERIFY = "/verify/"


@pytest.fixture
def certificate(world, complete_run):
    complete_run([world.teacher_a])
    return Certificate.objects.get(teacher=world.teacher_a)


def signed_in(client, user):
    client.force_login(user)
    return client


def other_school_admin(world):
    user = UserFactory()
    role_assignment_create(user=user, role=Role.SCHOOL_ADMIN, organization=world.school_b)
    return user


# --- the public verification page ---------------------------------------------------------------


def test_verify_needs_no_sign_in_and_is_not_indexed(client, db):
    response = client.get(VERIFY)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response.context["looked_up"] is False


def test_verify_a_valid_certificate(client, certificate):
    response = client.get(VERIFY, {"code": certificate.display_code.lower()})
    assert response.status_code == 200
    assert response.context["certificate"] == certificate
    html = response.content.decode()
    for shown in (certificate.holder_name, certificate.register_number, certificate.masked_iin):
        assert shown in html
    assert certificate.holder_iin not in html
    assert certificate.masked_iin == "********" + certificate.holder_iin[-4:]


def test_verify_a_revoked_certificate(client, certificate, pd):
    services.certificate_revoke(certificate=certificate, actor=pd.staff, reason="Выдан ошибочно")
    response = client.get(VERIFY, {"code": certificate.code})
    assert response.context["certificate"].status == S.REVOKED
    assert "Выдан ошибочно" in response.content.decode()


def test_verify_a_replaced_certificate_points_to_its_replacement(client, certificate, pd):
    new = services.certificate_reissue(certificate=certificate, actor=pd.staff, reason="Имя")
    response = client.get(VERIFY, {"code": certificate.code})
    assert response.context["certificate"].status == S.REPLACED
    html = response.content.decode()
    assert new.register_number in html
    assert f"?code={new.code}" in html
    assert new.display_code in html


@pytest.mark.parametrize("code", ["0000-0000-0000-0000", "not a code", "A" * 40])
def test_verify_an_unknown_code(client, certificate, code):
    response = client.get(VERIFY, {"code": code})
    assert response.status_code == 200
    assert response.context["looked_up"] is True
    assert response.context["certificate"] is None


@override_settings(CERTIFICATE_VERIFY_RATE="3/m")
def test_verify_is_rate_limited_per_address(client, certificate, monkeypatch):
    # The same instant throughout, so that the counting window cannot roll over mid-test.
    now = time.time()
    monkeypatch.setattr(ratelimit_core, "time", SimpleNamespace(time=lambda: now))
    for _ in range(3):
        assert client.get(VERIFY, {"code": certificate.code}).status_code == 200
    limited = client.get(VERIFY, {"code": certificate.code})
    assert limited.status_code == 429
    assert limited.templates[0].name == "429.html"
    # The empty form is not a look-up; another address has its own allowance.
    assert client.get(VERIFY).status_code == 200
    other = client.get(VERIFY, {"code": certificate.code}, REMOTE_ADDR="10.0.0.7")
    assert other.status_code == 200


# --- detail, PDF, revoke and re-issue -------------------------------------------------------------


def test_detail_is_scoped(client, world, pd, certificate):
    url = reverse("certificates:detail", args=[certificate.pk])
    assert signed_in(client, other_school_admin(world)).get(url).status_code == 404
    assert signed_in(client, world.users["no_role"]).get(url).status_code == 404
    for user in (world.users["teacher"], world.users["school_admin"], pd.staff):
        assert signed_in(client, user).get(url).status_code == 200


def test_the_holder_downloads_the_stored_pdf(client, world, certificate):
    response = signed_in(client, world.users["teacher"]).get(
        reverse("certificates:pdf", args=[certificate.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert certificate.register_number in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == certificate.pdf.read()
    other = signed_in(client, other_school_admin(world))
    assert other.get(reverse("certificates:pdf", args=[certificate.pk])).status_code == 404


def test_a_pdf_not_rendered_yet_is_rendered_on_download(client, world, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(pdf="", pdf_sha256="")
    response = signed_in(client, world.users["teacher"]).get(
        reverse("certificates:pdf", args=[certificate.pk])
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert Certificate.objects.get(pk=certificate.pk).pdf_sha256


def test_revoke_and_reissue_forms_only_for_those_allowed(client, world, pd, certificate):
    url = reverse("certificates:detail", args=[certificate.pk])
    revoke_url = reverse("certificates:revoke", args=[certificate.pk])
    holder = signed_in(client, world.users["teacher"])
    assert revoke_url not in holder.get(url).content.decode()
    assert holder.post(revoke_url, {"revoke-reason": "Хочу"}).status_code == 403
    provider = signed_in(client, pd.staff)
    assert revoke_url in provider.get(url).content.decode()


def test_revoke_through_the_page(client, pd, certificate):
    staff = signed_in(client, pd.staff)
    url = reverse("certificates:revoke", args=[certificate.pk])
    response = staff.post(url, {"revoke-reason": ""})
    assert response.status_code == 200
    assert response.context["revoke_form"].errors["reason"]
    assert Certificate.objects.get(pk=certificate.pk).status == S.VALID
    response = staff.post(url, {"revoke-reason": "Выдан ошибочно"})
    assert response.status_code == 302
    assert Certificate.objects.get(pk=certificate.pk).status == S.REVOKED
    # A second attempt is a page error, not a crash.
    response = staff.post(url, {"revoke-reason": "Ещё раз"})
    assert response.context["revoke_form"].non_field_errors()


def test_reissue_through_the_page(client, world, certificate):
    admin = signed_in(client, world.users["region_admin"])
    response = admin.post(
        reverse("certificates:reissue", args=[certificate.pk]), {"reissue-reason": "Имя"}
    )
    new = Certificate.objects.get(replaces=certificate)
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:detail", args=[new.pk])
    old_page = admin.get(reverse("certificates:detail", args=[certificate.pk])).content.decode()
    assert reverse("certificates:detail", args=[new.pk]) in old_page
    new_page = admin.get(response["Location"]).content.decode()
    assert reverse("certificates:detail", args=[certificate.pk]) in new_page


# --- batch downloads --------------------------------------------------------------------------


def test_batch_from_the_run_page_to_the_download(
    client, world, pd, complete_run, django_capture_on_commit_callbacks
):
    run = complete_run([world.teacher_a, world.teacher_b])
    staff = signed_in(client, pd.staff)
    run_page = staff.get(reverse("courses:run_detail", args=[run.pk])).content.decode()
    assert reverse("certificates:batch_create", args=[run.pk]) in run_page
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("certificates:batch_create", args=[run.pk]), {"format": "pdf"}
        )
    batch = CertificateBatch.objects.get(run=run)
    assert response["Location"] == reverse("certificates:batch_detail", args=[batch.pk])
    page = staff.get(response["Location"])
    download = reverse("certificates:batch_download", args=[batch.pk])
    assert download in page.content.decode()
    poll = staff.get(response["Location"], HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"
    file = staff.get(download)
    assert file["Content-Type"] == "application/pdf"
    assert b"".join(file.streaming_content).startswith(b"%PDF")
    # A batch is its creator's.
    other = signed_in(client, world.users["region_admin"])
    assert other.get(download).status_code == 404


def test_batch_refusals_come_back_to_the_run_page(client, world, pd, complete_run):
    run = complete_run([world.teacher_a])
    url = reverse("certificates:batch_create", args=[run.pk])
    assert signed_in(client, world.users["teacher"]).post(url, {"format": "zip"}).status_code == 403
    response = signed_in(client, pd.staff).post(url, {"format": "rar"})
    assert response["Location"] == reverse("courses:run_detail", args=[run.pk])
    assert not CertificateBatch.objects.exists()


def test_a_running_batch_polls_its_progress(client, pd, certificate):
    batch = CertificateBatch.objects.create(
        run=certificate.enrolment.run, format="zip", created_by=pd.staff, total_rows=10
    )
    CertificateBatch.objects.filter(pk=batch.pk).update(processed_rows=4)
    staff = signed_in(client, pd.staff)
    url = reverse("certificates:batch_detail", args=[batch.pk])
    assert 'hx-trigger="every 1s"' in staff.get(url).content.decode()
    poll = staff.get(url, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in poll
    assert "40%" in poll.content.decode()
    assert staff.get(reverse("certificates:batch_download", args=[batch.pk])).status_code == 404


# --- panels -----------------------------------------------------------------------------------


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_teacher_panel_lists_certificates_with_constant_queries(client, world, pd, complete_run):
    from tests.factories import CourseFactory

    url = reverse("teachers:detail", args=[world.teacher_a.pk])
    staff = signed_in(client, world.users["school_admin"])
    complete_run([world.teacher_a])
    one = _queries(lambda: staff.get(url))
    for _ in range(3):
        complete_run([world.teacher_a], course=CourseFactory(provider=pd.provider))
    html = staff.get(url).content.decode()
    assert _queries(lambda: staff.get(url)) == one
    for certificate in Certificate.objects.filter(teacher=world.teacher_a):
        assert reverse("certificates:detail", args=[certificate.pk]) in html
    # No certificates, no panel.
    other_page = staff.get(
        reverse("teachers:detail", args=[TeacherFactory(organization=world.school_a).pk])
    )
    assert "certificates/includes/teacher_panel.html" not in [t.name for t in other_page.templates]


def test_run_panel_with_constant_queries(world, pd, complete_run):
    request = RequestFactory().get("/")

    def render_panel(run, user):
        request.user = user
        result = panels.run_certificates_panel(request, run)
        if result is not None:
            template, context = result
            render_to_string(template, {"panel": context}, request=request)
        return result

    small = complete_run([world.teacher_a])
    large = complete_run([TeacherFactory(organization=world.school_a) for _ in range(6)])
    for run in (small, large):
        services.certificate_batch_create(run=run, format="zip", actor=pd.staff)
    user = UserFactory()
    pd.provider.staff.add(user)
    counts = []
    for run in (small, large):
        user = type(user).objects.get(pk=user.pk)  # per-request caches start empty
        counts.append(_queries(lambda run=run, user=user: render_panel(run, user)))
    assert counts[0] == counts[1]
    assert render_panel(large, pd.staff)[1]["counts"].valid == 6
    assert render_panel(large, world.users["teacher"]) is None


def test_admin_shows_certificates_and_batches_read_only(client, world, pd, certificate):
    CertificateBatch.objects.create(
        run=certificate.enrolment.run, format="zip", created_by=pd.staff
    )
    admin = signed_in(client, world.users["superuser"])
    for name in ("certificate", "certificatebatch"):
        assert admin.get(reverse(f"admin:certificates_{name}_changelist")).status_code == 200
    page = admin.get(reverse("admin:certificates_certificate_change", args=[certificate.pk]))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert admin.get(reverse("admin:certificates_certificate_add")).status_code == 403
