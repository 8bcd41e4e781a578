"""Every write of the certificates app: issue (register number, verification code, frozen
data), the stored PDF, revocation, re-issue, and a run's certificates as one download.

A certificate's status is a state machine: TRANSITIONS below is the one table of allowed
moves and `_transition` the one place that changes a status, writing an append-only
CertificateEvent. Register numbers come from a RegisterCounter row locked for the
transaction (`select_for_update`), so they never repeat or skip under concurrent issuing.
"""

import hashlib
import re
import secrets
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.courses.models import CourseRun, Enrolment

from . import pdf
from .models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Certificate,
    CertificateBatch,
    CertificateEvent,
    RegisterCounter,
    VerifiableDocument,
)

S = Certificate.Status
# A certificate of either kind: the course certificate or attestation's category certificate.
D = TypeVar("D", bound=VerifiableDocument)
# Allowed status changes: a valid certificate is revoked, or replaced by a re-issue; both
# are final (a mistaken revocation is put right by a re-issue).
TRANSITIONS: dict = {
    S.VALID: {S.REVOKED, S.REPLACED},
    S.REVOKED: set(),
    S.REPLACED: set(),
}
_EVENTS = {S.REVOKED: CertificateEvent.Action.REVOKED, S.REPLACED: CertificateEvent.Action.REPLACED}
# Files of a batch ZIP: the register number and the holder's name, nothing a file system
# could trip on.
_UNSAFE_FILENAME = re.compile(r"[^\w .-]+")


# --- issue ----------------------------------------------------------------------------------


def new_code() -> str:
    """A fresh verification code (also for the category certificates of attestation)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def register_numbers(*, prefix: str, year: int, count: int) -> list[str]:
    """The next `count` register numbers of a prefix (a provider's code, or attestation's
    for category certificates) for a year, e.g. ORL-2026-000123. The counter row stays
    locked until the issuing transaction ends."""
    counter, _created = RegisterCounter.objects.select_for_update().get_or_create(
        prefix=prefix, year=year
    )
    first = counter.last_value + 1
    counter.last_value += count
    counter.save(update_fields=["last_value"])
    return [f"{prefix}-{year}-{n:06d}" for n in range(first, first + count)]


def _frozen(enrolment: Enrolment, *, register_number: str, issued_on, actor) -> Certificate:
    """A new certificate carrying today's data of the teacher, course, run and provider."""
    teacher, run = enrolment.teacher, enrolment.run
    course = run.course
    provider = course.provider
    return Certificate(
        enrolment=enrolment,
        teacher=teacher,
        provider=provider,
        register_number=register_number,
        year=issued_on.year,
        code=new_code(),
        holder_name=teacher.full_name,
        holder_iin=teacher.iin,
        course_title_kk=course.title_kk,
        course_title_ru=course.title_ru,
        agreement_reference=course.agreement_reference,
        course_format=course.format,
        hours=enrolment.hours_credited or course.hours,
        starts_on=run.starts_on,
        ends_on=run.ends_on,
        provider_name_kk=provider.name_kk,
        provider_name_ru=provider.name_ru,
        assessment_score=enrolment.assessment_score,
        issued_on=issued_on,
        issued_by=actor,
    )


def _issue(
    enrolments: list[Enrolment], *, actor, replaces: Certificate | None = None, comment: str = ""
) -> list[Certificate]:
    """Certificates for these enrolments (numbered in the given order, per provider), their
    "issued" events, and on commit their PDFs and e-mails. Call inside a transaction."""
    from .tasks import certificate_issued_notify_task, certificate_render_task

    issued_on = timezone.localdate()
    by_provider: dict[str, list[Enrolment]] = defaultdict(list)
    for enrolment in enrolments:
        by_provider[enrolment.run.course.provider.code].append(enrolment)
    certificates = []
    for prefix, group in by_provider.items():
        numbers = register_numbers(prefix=prefix, year=issued_on.year, count=len(group))
        for enrolment, number in zip(group, numbers, strict=True):
            certificate = _frozen(
                enrolment, register_number=number, issued_on=issued_on, actor=actor
            )
            certificate.replaces = replaces
            certificates.append(certificate)
    Certificate.objects.bulk_create(certificates)
    CertificateEvent.objects.bulk_create(
        CertificateEvent(
            certificate=certificate,
            action=CertificateEvent.Action.ISSUED,
            actor=actor,
            comment=comment,
        )
        for certificate in certificates
    )
    for certificate in certificates:
        certificate_render_task.delay_on_commit(certificate.pk)
        certificate_issued_notify_task.delay_on_commit(certificate.pk)
    return certificates


def _check_may_issue(actor, run: CourseRun) -> None:
    # Whoever records a run's results (its provider, trainer or a regional administrator)
    # issues its certificates.
    if not actor.has_perm("courses.mark_run", run):
        raise PermissionDenied


def _locked_enrolments(enrolment_ids):
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .filter(pk__in=enrolment_ids)
        .select_related("teacher", "run__course__provider")
        .order_by("run_id", "teacher__last_name", "teacher__first_name", "pk")
    )


def certificates_issue_for_enrolments(*, enrolment_ids, actor) -> list[Certificate]:
    """The completion hook: a certificate for each completed enrolment among these that has
    no valid one yet (runs inside `run_complete`'s transaction)."""
    with transaction.atomic():
        enrolments = list(
            _locked_enrolments(enrolment_ids)
            .filter(status=Enrolment.Status.COMPLETED)
            .exclude(certificates__status=S.VALID)
        )
        for run in {enrolment.run for enrolment in enrolments}:
            _check_may_issue(actor, run)
        return _issue(enrolments, actor=actor)


def certificate_issue(*, enrolment: Enrolment, actor) -> Certificate:
    """The certificate of one completed enrolment that has none in force."""
    with transaction.atomic():
        enrolment = _locked_enrolments([enrolment.pk]).get()
        _check_may_issue(actor, enrolment.run)
        if enrolment.status != Enrolment.Status.COMPLETED:
            raise ValidationError(
                _("A certificate is issued only to a participant who completed the course."),
                code="not_completed",
            )
        if enrolment.certificates.filter(status=S.VALID).exists():
            raise ValidationError(
                _("This participant already has a valid certificate for the course."),
                code="duplicate",
            )
        return _issue([enrolment], actor=actor)[0]


# --- the stored PDF -----------------------------------------------------------------------------


def certificate_print(certificate: Certificate) -> pdf.CertificatePrint:
    """What the PDF shows: the certificate's frozen data, nothing read afresh."""
    return pdf.CertificatePrint(
        register_number=certificate.register_number,
        code=certificate.display_code,
        verify_url=certificate.verify_url,
        holder_name=certificate.holder_name,
        holder_iin=certificate.holder_iin,
        course_title_kk=certificate.course_title_kk,
        course_title_ru=certificate.course_title_ru,
        agreement_reference=certificate.agreement_reference,
        course_format=certificate.course_format,
        hours=certificate.hours,
        starts_on=certificate.starts_on,
        ends_on=certificate.ends_on,
        provider_name_kk=certificate.provider_name_kk,
        provider_name_ru=certificate.provider_name_ru,
        assessment_score=certificate.assessment_score,
        issued_on=certificate.issued_on,
    )


def certificate_render(*, certificate_id: int) -> Certificate | None:
    """Render and store the certificate's PDF with its SHA-256, once."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        return None
    return certificate_pdf_store(certificate=certificate, render=_render)


def _render(certificate: Certificate) -> bytes:
    return pdf.render_certificate(certificate_print(certificate))


def certificate_pdf_store(*, certificate: D, render: Callable[[D], bytes]) -> D:
    """Render a certificate's PDF (a course certificate, or a category certificate of
    attestation) and store it with its SHA-256, once: a stored PDF is never rendered again
    nor replaced, so what was handed out stays byte for byte what is on file. The row is
    locked to store, in case another worker stored one meanwhile. Returns the certificate
    with its PDF."""
    if certificate.pdf:
        return certificate
    content = render(certificate)
    with transaction.atomic():
        certificate = type(certificate).objects.select_for_update().get(pk=certificate.pk)
        if not certificate.pdf:  # not stored meanwhile by another worker
            certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(content), save=False)
            certificate.pdf_sha256 = hashlib.sha256(content).hexdigest()
            certificate.save(update_fields=["pdf", "pdf_sha256", "updated_at"])
    return certificate


# --- revocation and re-issue ----------------------------------------------------------------


def _transition(certificate: Certificate, to: str, *, actor, reason: str) -> None:
    if to not in TRANSITIONS[certificate.status]:
        raise ValidationError(
            _("A certificate that is “%(from)s” cannot become “%(to)s”.")
            % {"from": S(certificate.status).label, "to": S(to).label},
            code="transition",
        )
    certificate.status = to
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = actor
    certificate.revoke_reason = reason
    certificate.save(
        update_fields=["status", "revoked_at", "revoked_by", "revoke_reason", "updated_at"]
    )
    CertificateEvent.objects.create(
        certificate=certificate, action=_EVENTS[to], actor=actor, comment=reason
    )


def _checked_change(certificate: Certificate, actor, reason: str) -> str:
    if not actor.has_perm("certificates.change_certificate", certificate):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")}, code="required")
    return reason[:500]


def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Withdraw a valid certificate (e.g. issued in error); the verification page then
    says it is revoked, with the reason and date."""
    reason = _checked_change(certificate, actor, reason)
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        _transition(certificate, S.REVOKED, actor=actor, reason=reason)
    return certificate


def certificate_reissue(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Replace a valid certificate after a correction (say the holder's name was fixed in
    the registry): a new certificate with a new register number and code and freshly
    frozen data; the old one becomes "replaced" and keeps its PDF unchanged."""
    reason = _checked_change(certificate, actor, reason)
    with transaction.atomic():
        old = Certificate.objects.select_for_update().get(pk=certificate.pk)
        _transition(old, S.REPLACED, actor=actor, reason=reason)
        enrolment = _locked_enrolments([old.enrolment_id]).get()
        return _issue([enrolment], actor=actor, replaces=old, comment=reason)[0]


# --- a run's certificates as one download -------------------------------------------------------


def certificate_batch_create(*, run: CourseRun, format: str, actor) -> CertificateBatch:
    """Queue a ZIP of the run's valid certificates, or one PDF with a page for each."""
    from .tasks import certificate_batch_run_task

    if not actor.has_perm("certificates.add_batch", run):
        raise PermissionDenied
    if format not in CertificateBatch.Format.values:
        raise ValidationError({"format": _("Choose a ZIP of PDF files or one merged PDF.")})
    if not Certificate.objects.filter(enrolment__run=run, status=S.VALID).exists():
        raise ValidationError(_("This run has no valid certificates."), code="empty")
    with transaction.atomic():
        batch = CertificateBatch.objects.create(run=run, format=format, created_by=actor)
        certificate_batch_run_task.delay_on_commit(batch.pk)
    return batch


def certificate_batch_run(*, batch_id: int) -> CertificateBatch:
    """Build the batch's file, with progress on the batch row for the page to poll. Safe to
    run twice: a finished batch is left as it is, an interrupted one starts over."""
    batch = CertificateBatch.objects.select_related("run", "created_by").get(pk=batch_id)
    if batch.status == CertificateBatch.Status.DONE:
        return batch
    ids = list(
        Certificate.objects.filter(enrolment__run=batch.run, status=S.VALID)
        .order_by("register_number")
        .values_list("pk", flat=True)
    )
    batch.status = CertificateBatch.Status.RUNNING
    batch.total_rows, batch.processed_rows, batch.failure = len(ids), 0, ""
    batch.save(update_fields=["status", "total_rows", "processed_rows", "failure", "updated_at"])
    try:
        with tempfile.TemporaryFile() as stream:
            if batch.format == CertificateBatch.Format.ZIP:
                _write_zip(batch, ids, stream)
            else:
                stream.write(pdf.render_certificates(map(certificate_print, _counted(batch, ids))))
            stream.seek(0)
            batch.file.save(
                f"run-{batch.run_id}-{batch.pk}.{batch.format}", File(stream), save=False
            )
    except Exception as exc:
        user = batch.created_by
        with translation.override(user.preferred_language if user else settings.LANGUAGE_CODE):
            batch.failure = _("The certificates could not be prepared: %(error)s") % {"error": exc}
        batch.status = CertificateBatch.Status.FAILED
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "failure", "finished_at", "updated_at"])
        raise
    batch.status = CertificateBatch.Status.DONE
    batch.processed_rows = batch.total_rows
    batch.finished_at = timezone.now()
    batch.save()
    return batch


def _counted(batch: CertificateBatch, ids: list[int], chunk: int = 200) -> Iterator[Certificate]:
    """The certificates in the order of `ids`, a chunk at a time, moving the progress bar
    about fifty times whatever the run's size."""
    step = max(10, len(ids) // 50)
    done = 0
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        rows = Certificate.objects.in_bulk(part)
        for pk in part:
            yield rows[pk]
            done += 1
            if done % step == 0:
                CertificateBatch.objects.filter(pk=batch.pk).update(processed_rows=done)


def _write_zip(batch: CertificateBatch, ids: list[int], stream) -> None:
    """The stored PDFs (rendered first where a worker has not yet), uncompressed: PDF
    streams are compressed already."""
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in _counted(batch, ids):
            if not certificate.pdf:
                certificate = certificate_render(certificate_id=certificate.pk)
            with certificate.pdf.open("rb") as handle:
                archive.writestr(_zip_name(certificate), handle.read())


def _zip_name(certificate: Certificate) -> str:
    name = _UNSAFE_FILENAME.sub("", f"{certificate.register_number} {certificate.holder_name}")
    return f"{name.strip()}.pdf"
