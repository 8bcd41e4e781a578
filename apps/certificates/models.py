"""Issued course certificates: frozen data, register numbers, verification codes, the
stored PDF, revocation and re-issue, and batch downloads. Workflows live in services.py."""

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.models import JobProgress, TimeStampedModel, localized
from apps.courses.models import Course, CourseRun, Enrolment, Provider
from apps.teachers.models import Teacher


class RegisterCounter(models.Model):
    """The last register number used per prefix (provider code) and year; locked to issue."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="register_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_value}"


# Verification codes: 16 characters of Crockford's base32 (80 random bits), without the
# letters that read like digits (I, L, O) or need explaining (U).
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16


class VerifiableDocument:
    """What a printed, publicly verifiable certificate offers besides its fields: the
    course certificate here and the category certificate of attestation, which share the
    verification codes, the public check and re-issue in place of a certificate. A plain
    mixin without fields (each model declares its own, with its own names and constraints),
    so it changes no table. Expects `register_number`, `code`, `holder_iin`, the holder as
    `teacher` and a `replaces` one-to-one field with `related_name="replaced_by"`."""

    def __str__(self) -> str:
        return self.register_number

    @property
    def scope_keys(self) -> tuple:
        """Whoever may see the holder may see the certificate."""
        return self.teacher.scope_keys

    @property
    def display_code(self) -> str:
        """The verification code in groups of four, as printed: 7K3M-9QXD-2HVA-PB4N."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def masked_iin(self) -> str:
        """The IIN as the public verification page shows it: only the last four digits."""
        return "*" * (len(self.holder_iin) - 4) + self.holder_iin[-4:]

    @property
    def verify_url(self) -> str:
        """The public address the QR code opens."""
        return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/verify/?code={self.code}"

    @property
    def replacement(self) -> Self | None:
        """The certificate re-issued in place of this one, if any."""
        return getattr(self, "replaced_by", None)


def _pdf_path(certificate: "Certificate", filename: str) -> str:
    return f"certificates/{certificate.year}/{certificate.code}.pdf"


class Certificate(VerifiableDocument, TimeStampedModel):
    class Status(models.TextChoices):
        VALID = "valid", pgettext_lazy("certificate", "valid")
        REVOKED = "revoked", pgettext_lazy("certificate", "revoked")
        REPLACED = "replaced", pgettext_lazy("certificate", "replaced by a re-issue")

    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("enrolment"),
    )
    teacher = models.ForeignKey(
        Teacher, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("holder")
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("provider")
    )
    register_number = models.CharField(_("register number"), max_length=24, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("reason"), max_length=500, blank=True)

    # The data printed on the certificate, frozen when it is issued.
    holder_name = models.CharField(_("holder's name"), max_length=310)
    holder_iin = models.CharField(_("IIN"), max_length=12)
    course_title_kk = models.CharField(_("course (Kazakh)"), max_length=255)
    course_title_ru = models.CharField(_("course (Russian)"), max_length=255)
    agreement_reference = models.CharField(_("programme agreement"), max_length=100, blank=True)
    course_format = models.CharField(_("format"), max_length=10, choices=Course.Format.choices)
    hours = models.PositiveSmallIntegerField(_("hours"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    provider_name_kk = models.CharField(_("provider (Kazakh)"), max_length=255)
    provider_name_ru = models.CharField(_("provider (Russian)"), max_length=255)
    assessment_score = models.DecimalField(
        _("assessment score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    pdf = models.FileField(_("PDF"), upload_to=_pdf_path, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            # One certificate in force per enrolment; revoked and replaced ones stay on record.
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(status="valid"), name="certificate_one_valid"
            ),
            models.CheckConstraint(
                name="certificate_revoked_has_reason",
                condition=Q(status="valid") | ~Q(revoke_reason=""),
            ),
        ]
        indexes = [models.Index(fields=["teacher", "status"])]

    @property
    def course_title(self) -> str:
        return localized(self, "course_title")

    @property
    def provider_name(self) -> str:
        return localized(self, "provider_name")


class CertificateEvent(models.Model):
    """Append-only history of a certificate: issued, revoked, re-issued; who, when, why."""

    class Action(models.TextChoices):
        ISSUED = "issued", pgettext_lazy("certificate event", "issued")
        REVOKED = "revoked", pgettext_lazy("certificate event", "revoked")
        REPLACED = "replaced", pgettext_lazy("certificate event", "replaced by a re-issue")

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="events", verbose_name=_("certificate")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("certificate event")
        verbose_name_plural = _("certificate events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.certificate} · {self.get_action_display()}"


class CertificateBatch(JobProgress, TimeStampedModel):
    """A run's certificates as one ZIP or one merged PDF, built by the worker."""

    class Format(models.TextChoices):
        ZIP = "zip", _("ZIP of PDF files")
        PDF = "pdf", _("one merged PDF")

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job", "queued")
        RUNNING = "running", pgettext_lazy("job", "running")
        DONE = "done", pgettext_lazy("job", "done")
        FAILED = "failed", pgettext_lazy("job", "failed")

    run = models.ForeignKey(
        CourseRun,
        on_delete=models.CASCADE,
        related_name="certificate_batches",
        verbose_name=_("course run"),
    )
    format = models.CharField(_("format"), max_length=3, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(_("file"), upload_to="certificate-batches/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )

    class Meta:
        verbose_name = _("certificate download")
        verbose_name_plural = _("certificate downloads")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.run} · {self.get_format_display()}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def provider_id(self) -> int:
        return self.run.course.provider_id
