"""The certificates service layer: issue on completion (register numbers, codes, frozen
data, history, e-mail), the stored PDF, revocation, re-issue and batch downloads."""

import datetime as dt
import hashlib
import io
import re
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from pypdf import PdfReader

from apps.certificates import selectors, services
from apps.certificates.models import (
    CODE_ALPHABET,
    Certificate,
    CertificateBatch,
    CertificateEvent,
    RegisterCounter,
)
from apps.courses.models import Enrolment
from tests.factories import CourseFactory, ProviderFactory, TeacherFactory, UserFactory

S = Certificate.Status


@pytest.fixture
def rendered_languages(monkeypatch):
    """(template, active language) of every e-mail template rendered: the language an
    e-mail was written in, without depending on the translation catalogues."""
    from apps.core import mail as core_mail

    seen = []
    real = core_mail.render_to_string

    def spy(template_name, context=None, *args, **kwargs):
        seen.append((template_name, translation.get_language()))
        return real(template_name, context, *args, **kwargs)

    monkeypatch.setattr(core_mail, "render_to_string", spy)
    return seen


def certificates_of(run):
    return list(selectors.run_certificates(run=run))


def test_completion_issues_numbered_certificates_with_frozen_data(world, pd, complete_run):
    teachers = [world.teacher_a, world.teacher_b, world.teacher_c]
    run = complete_run(teachers)
    certificates = certificates_of(run)
    year = timezone.localdate().year
    assert [c.register_number for c in certificates] == [f"ORL-{year}-{n:06d}" for n in (1, 2, 3)]
    # Numbered in the order of the holders' names.
    assert [c.holder_name for c in certificates] == sorted(t.full_name for t in teachers)
    first = Certificate.objects.get(teacher=world.teacher_a)
    assert first.holder_name == world.teacher_a.full_name
    assert first.holder_iin == world.teacher_a.iin
    assert (first.course_title_kk, first.course_title_ru) == (
        pd.course.title_kk,
        pd.course.title_ru,
    )
    assert first.agreement_reference == pd.course.agreement_reference
    assert (first.hours, first.course_format) == (pd.course.hours, pd.course.format)
    assert (first.starts_on, first.ends_on) == (run.starts_on, run.ends_on)
    assert first.provider_name_kk == pd.provider.name_kk
    assert str(first.assessment_score) == "87.50"
    assert first.issued_on == timezone.localdate()
    assert first.issued_by == pd.trainer
    assert first.status == S.VALID
    assert list(first.events.values_list("action", "actor")) == [("issued", pd.trainer.pk)]
    # The worker rendered and stored the PDF with its checksum.
    content = first.pdf.read()
    assert hashlib.sha256(content).hexdigest() == first.pdf_sha256
    assert world.teacher_a.last_name in PdfReader(io.BytesIO(content)).pages[0].extract_text()


def test_register_numbers_run_per_provider_and_year(world, pd, complete_run, monkeypatch):
    year = timezone.localdate().year
    complete_run([world.teacher_a, world.teacher_b])
    run = complete_run([world.teacher_c])
    assert [c.register_number for c in certificates_of(run)] == [f"ORL-{year}-000003"]
    other = CourseFactory(provider=ProviderFactory(code="NIS"))
    other_run = complete_run([world.teacher_a], course=other)
    assert [c.register_number for c in certificates_of(other_run)] == [f"NIS-{year}-000001"]
    # A new year starts again from 1.
    monkeypatch.setattr(services.timezone, "localdate", lambda: dt.date(year + 1, 1, 9))
    assert services.register_numbers(prefix="ORL", year=year + 1, count=2) == [
        f"ORL-{year + 1}-000001",
        f"ORL-{year + 1}-000002",
    ]
    assert RegisterCounter.objects.get(prefix="ORL", year=year).last_value == 3


def test_verification_codes_are_random_unambiguous_and_unique(world, complete_run):
    teachers = [TeacherFactory(organization=world.school_a) for _ in range(20)]
    codes = [c.code for c in certificates_of(complete_run(teachers))]
    assert len(set(codes)) == 20
    assert all(re.fullmatch(f"[{CODE_ALPHABET}]{{16}}", code) for code in codes)
    assert not set("ILOU") & set("".join(codes))


def test_the_hook_skips_enrolments_that_already_have_a_certificate(world, pd, complete_run):
    run = complete_run([world.teacher_a])
    enrolment = Enrolment.objects.get(run=run)
    again = services.certificates_issue_for_enrolments(
        enrolment_ids=[enrolment.pk], actor=pd.trainer
    )
    assert again == []
    with pytest.raises(ValidationError):
        services.certificate_issue(enrolment=enrolment, actor=pd.trainer)
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


def test_issue_needs_a_completed_enrolment_and_the_right_to_record_results(world, pd):
    from tests.factories import EnrolmentFactory

    enrolment = EnrolmentFactory(run__course=pd.course, teacher=world.teacher_a)
    with pytest.raises(PermissionDenied):
        services.certificate_issue(enrolment=enrolment, actor=world.users["teacher"])
    with pytest.raises(ValidationError) as error:
        services.certificate_issue(enrolment=enrolment, actor=pd.staff)
    assert error.value.code == "not_completed"


def test_the_issued_email_is_in_the_holders_language(world, complete_run, rendered_languages):
    world.users["teacher"].preferred_language = "ru"
    world.users["teacher"].save()
    world.teacher_b.email = "b@example.kz"
    world.teacher_b.save()
    complete_run([world.teacher_a, world.teacher_b])
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {world.users["teacher"].email, "b@example.kz"}
    certificate = Certificate.objects.get(teacher=world.teacher_a)
    russian = by_address[world.users["teacher"].email]
    assert certificate.register_number in russian.subject
    # The course title is picked in the active language: a marker that needs no catalogue.
    assert certificate.course_title_ru in russian.body
    assert certificate.course_title_kk not in russian.body
    assert certificate.verify_url in russian.body
    assert ("certificates/email/issued_subject.txt", "ru") in rendered_languages
    assert ("certificates/email/issued_subject.txt", "kk") in rendered_languages


def test_rendering_is_done_once(world, complete_run):
    certificate = certificates_of(complete_run([world.teacher_a]))[0]
    stored, name = certificate.pdf.read(), certificate.pdf.name
    again = services.certificate_render(certificate_id=certificate.pk)
    assert again.pdf.name == name
    assert again.pdf.read() == stored
    assert services.certificate_render(certificate_id=0) is None


def test_revoke_needs_a_reason_and_the_right(world, pd, complete_run):
    certificate = certificates_of(complete_run([world.teacher_a]))[0]
    with pytest.raises(ValidationError) as error:
        services.certificate_revoke(certificate=certificate, actor=pd.staff, reason="  ")
    assert "reason" in error.value.message_dict
    for user in (world.users["teacher"], world.users["school_admin"], pd.trainer):
        with pytest.raises(PermissionDenied):
            services.certificate_revoke(certificate=certificate, actor=user, reason="Ошибка")
    services.certificate_revoke(certificate=certificate, actor=pd.staff, reason="Выдан по ошибке")
    certificate.refresh_from_db()
    assert certificate.status == S.REVOKED
    assert certificate.revoke_reason == "Выдан по ошибке"
    assert certificate.revoked_by == pd.staff and certificate.revoked_at
    assert list(certificate.events.values_list("action", flat=True)) == ["issued", "revoked"]
    # Revoked is final: neither revoked again nor re-issued.
    for change in (services.certificate_revoke, services.certificate_reissue):
        with pytest.raises(ValidationError):
            change(certificate=certificate, actor=pd.staff, reason="Снова")


def test_reissue_after_a_name_correction(
    world, pd, complete_run, django_capture_on_commit_callbacks
):
    old = certificates_of(complete_run([world.teacher_a]))[0]
    old_pdf, old_name = old.pdf.read(), old.holder_name
    world.teacher_a.last_name = "Әбдірахманқызы"
    world.teacher_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        new = services.certificate_reissue(
            certificate=old, actor=world.users["region_admin"], reason="Фамилия исправлена"
        )
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.status == S.REPLACED
    assert old.replacement == new and new.replaces == old
    assert old.revoke_reason == "Фамилия исправлена"
    assert new.status == S.VALID
    assert new.register_number != old.register_number and new.code != old.code
    assert new.register_number.endswith("000002")
    assert new.holder_name.startswith("Әбдірахманқызы")
    assert old.holder_name == old_name
    # The old PDF is untouched, the new one carries the corrected name.
    assert old.pdf.read() == old_pdf
    assert hashlib.sha256(old_pdf).hexdigest() == old.pdf_sha256
    text = PdfReader(io.BytesIO(new.pdf.read())).pages[0].extract_text()
    assert "Әбдірахманқызы" in text
    assert list(old.events.values_list("action", flat=True)) == ["issued", "replaced"]
    assert list(new.events.values_list("action", "comment")) == [("issued", "Фамилия исправлена")]
    assert CertificateEvent.objects.count() == 3


@pytest.mark.parametrize("fmt", ["zip", "pdf"])
def test_batch_holds_the_runs_valid_certificates(
    world, pd, complete_run, django_capture_on_commit_callbacks, fmt
):
    teachers = [TeacherFactory(organization=world.school_a) for _ in range(5)]
    run = complete_run(teachers)
    certificates = certificates_of(run)
    services.certificate_revoke(certificate=certificates[0], actor=pd.staff, reason="Ошибка")
    # One PDF not rendered yet: the ZIP renders it first.
    Certificate.objects.filter(pk=certificates[1].pk).update(pdf="", pdf_sha256="")
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.certificate_batch_create(run=run, format=fmt, actor=pd.trainer)
    batch.refresh_from_db()
    assert batch.status == CertificateBatch.Status.DONE
    assert (batch.processed_rows, batch.total_rows) == (4, 4)
    assert batch.finished_at is not None
    content = batch.file.read()
    valid = [c.register_number for c in certificates[1:]]
    if fmt == "zip":
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        assert [name[:15] for name in names] == valid
        assert all(name.endswith(".pdf") for name in names)
        assert Certificate.objects.get(pk=certificates[1].pk).pdf
    else:
        pages = PdfReader(io.BytesIO(content)).pages
        assert len(pages) == 4
        assert [
            number in page.extract_text() for number, page in zip(valid, pages, strict=True)
        ] == [True] * 4
    # Running it again changes nothing.
    assert services.certificate_batch_run(batch_id=batch.pk).file.name == batch.file.name


def test_batch_rules(world, pd, complete_run):
    run = complete_run([world.teacher_a])
    with pytest.raises(PermissionDenied):
        services.certificate_batch_create(run=run, format="zip", actor=world.users["teacher"])
    with pytest.raises(ValidationError):
        services.certificate_batch_create(run=run, format="rar", actor=pd.staff)
    services.certificate_revoke(certificate=certificates_of(run)[0], actor=pd.staff, reason="x")
    with pytest.raises(ValidationError) as error:
        services.certificate_batch_create(run=run, format="zip", actor=pd.staff)
    assert error.value.code == "empty"


def test_a_failed_batch_says_why_in_its_creators_language(world, pd, complete_run, monkeypatch):
    run = complete_run([world.teacher_a])
    batch = CertificateBatch.objects.create(run=run, format="pdf", created_by=pd.staff)

    def broken(items):
        list(items)
        raise OSError("disk full")

    monkeypatch.setattr(services.pdf, "render_certificates", broken)
    with pytest.raises(OSError):
        services.certificate_batch_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == CertificateBatch.Status.FAILED
    assert "disk full" in batch.failure
    assert not batch.is_running


def test_selectors_scope(world, pd, complete_run):
    run = complete_run([world.teacher_a, world.teacher_c])
    a = Certificate.objects.get(teacher=world.teacher_a)
    c = Certificate.objects.get(teacher=world.teacher_c)
    other_admin = UserFactory()
    from apps.accounts.models import Role
    from apps.accounts.services import role_assignment_create

    role_assignment_create(user=other_admin, role=Role.SCHOOL_ADMIN, organization=world.school_b)
    visible = {
        name: set(selectors.visible_certificates(user))
        for name, user in {
            "teacher": world.users["teacher"],
            "school_admin": world.users["school_admin"],
            "other_admin": other_admin,
            "methodologist": world.users["methodologist"],
            "region_admin": world.users["region_admin"],
            "provider": pd.staff,
            "no_role": world.users["no_role"],
        }.items()
    }
    assert visible == {
        "teacher": {a},
        "school_admin": {a},
        "other_admin": set(),
        "methodologist": {a},
        "region_admin": {a, c},
        "provider": {a, c},
        "no_role": set(),
    }
    assert len(selectors.run_certificates(run=run)) == 2


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7k3m-9qxd-2hva-pb4n", "7K3M9QXD2HVAPB4N"),
        (" 7K3M 9QXD\t2HVA–PB4N ", "7K3M9QXD2HVAPB4N"),
        ("OIL0", "0110"),
    ],
)
def test_codes_are_normalised(typed, expected):
    assert selectors.normalize_code(typed) == expected
