"""The registry of teachers and the reference lists it uses (positions, subjects, categories)."""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.identifiers import validate_iin
from apps.core.models import BilingualNameModel, JobProgress, TimeStampedModel
from apps.core.text import validate_person_name
from apps.organizations.models import InstructionLanguage, Organization


class QualificationCategory(BilingualNameModel):
    """A rung of a qualification ladder (DOMAIN.md); the rules per cycle live in attestation."""

    class Track(models.TextChoices):
        TEACHER = "teacher", _("teacher ladder")
        LEGACY = "legacy", _("legacy category")
        # Heads and deputy heads climb separate ladders (3rd -> 2nd -> 1st category).
        HEAD = "head", _("heads' ladder")
        DEPUTY = "deputy", _("deputy heads' ladder")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    track = models.CharField(_("track"), max_length=10, choices=Track.choices)
    rank = models.PositiveSmallIntegerField(
        _("rank"), help_text=_("Order on its ladder; higher is a higher category.")
    )
    validity_years = models.PositiveSmallIntegerField(_("valid for (years)"), null=True, blank=True)

    class Meta:
        verbose_name = _("qualification category")
        verbose_name_plural = _("qualification categories")
        ordering = ["track", "rank"]

    @property
    def is_manager(self) -> bool:
        return self.track in (self.Track.HEAD, self.Track.DEPUTY)


class Position(BilingualNameModel):
    class StaffGroup(models.TextChoices):
        # PD-hour rules differ between these groups (DOMAIN.md, PD hours for attestation).
        SCHOOL = "school", _("school teacher")
        PRESCHOOL = "preschool", _("preschool teacher")
        ADDITIONAL = "additional", _("additional education teacher")
        SPECIAL = "special", _("special education teacher")
        METHODOLOGIST = "methodologist", _("methodologist")
        MANAGER = "manager", _("head or deputy head")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    staff_group = models.CharField(_("staff group"), max_length=15, choices=StaffGroup.choices)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["name_ru"]


class Subject(BilingualNameModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["name_ru"]


# Kept at module level so the services can write one history row for a create that also
# sets subjects (simple-history would otherwise add a row per m2m signal).
teacher_history = HistoricalRecords(
    excluded_fields=["search_text", "created_at", "updated_at"],
    m2m_fields=["subjects"],
    user_model=settings.AUTH_USER_MODEL,
)


class Teacher(TimeStampedModel):
    class Sex(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    class Education(models.TextChoices):
        HIGHER = "higher", _("higher")
        POSTGRADUATE = "postgraduate", _("postgraduate (master's, PhD)")
        VOCATIONAL = "vocational", _("technical and vocational")
        OTHER = "other", _("other")

    iin = models.CharField(_("IIN"), max_length=12, unique=True, validators=[validate_iin])
    last_name = models.CharField(_("last name"), max_length=100, validators=[validate_person_name])
    first_name = models.CharField(
        _("first name"), max_length=100, validators=[validate_person_name]
    )
    middle_name = models.CharField(
        _("patronymic"), max_length=100, blank=True, validators=[validate_person_name]
    )
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="teachers",
        verbose_name=_("organisation"),
    )
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="teachers", verbose_name=_("position")
    )
    subjects = models.ManyToManyField(
        Subject, related_name="teachers", blank=True, verbose_name=_("subjects")
    )
    teaching_language = models.ForeignKey(
        InstructionLanguage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teachers",
        verbose_name=_("language of instruction"),
    )
    experience_start = models.DateField(_("pedagogical experience since"), null=True, blank=True)
    education = models.CharField(
        _("education"), max_length=15, choices=Education.choices, blank=True
    )
    education_institution = models.CharField(
        _("educational institution"), max_length=255, blank=True
    )
    specialty = models.CharField(_("specialty"), max_length=255, blank=True)

    category = models.ForeignKey(
        QualificationCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teachers",
        verbose_name=_("qualification category"),
    )
    category_awarded_on = models.DateField(_("category awarded on"), null=True, blank=True)
    category_valid_until = models.DateField(_("category valid until"), null=True, blank=True)

    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teacher",
        verbose_name=_("user account"),
    )
    # Lower-cased "last first patronymic", kept by the services; trigram-indexed on PostgreSQL.
    search_text = models.CharField(max_length=310, editable=False, blank=True, default="")

    history = teacher_history

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="teacher_name_idx"),
            models.Index(fields=["organization", "last_name", "first_name", "id"]),
            models.Index(fields=["category", "last_name", "first_name", "id"]),
            models.Index(fields=["category_valid_until", "id"]),
            models.Index(fields=["email"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="teacher_iin_12_chars", condition=models.Q(iin__regex=r"^[0-9]{12}$")
            ),
            models.CheckConstraint(
                name="teacher_category_dates_ordered",
                condition=models.Q(category_valid_until__isnull=True)
                | models.Q(category_awarded_on__isnull=True)
                | models.Q(category_valid_until__gt=models.F("category_awarded_on")),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def scope_keys(self) -> tuple:
        """(organisation, district, region) ids, for the permission rules."""
        district = self.organization.district
        return (self.organization_id, district.pk, district.region_id)

    @property
    def category_expired(self) -> bool:
        return bool(self.category_valid_until and self.category_valid_until < timezone.localdate())

    def experience_years(self, on: dt.date | None = None) -> int | None:
        if self.experience_start is None:
            return None
        on = on or timezone.localdate()
        years = on.year - self.experience_start.year
        if (on.month, on.day) < (self.experience_start.month, self.experience_start.day):
            years -= 1
        return max(years, 0)


def _import_upload_path(job: "ImportJob", filename: str) -> str:
    # The stored name never reuses the uploaded one (it may hold anything).
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ImportJob(JobProgress, TimeStampedModel):
    """One uploaded spreadsheet of teacher records: checked first (dry run), then applied.

    Progress and counts live on this row (the page polls it); the apply step commits them
    with each batch, so a worker killed half way resumes where it stopped.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("waiting for the column check")
        CHECKING = "checking", _("checking")
        CHECKED = "checked", _("checked, waiting for confirmation")
        APPLYING = "applying", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("Rows without an organisation BIN go to this organisation."),
    )
    file = models.FileField(_("file"), upload_to=_import_upload_path)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=4)
    sheet = models.CharField(_("sheet"), max_length=255, blank=True)
    sheet_names = models.JSONField(_("sheets"), default=list, blank=True)
    header = models.JSONField(_("header"), default=list, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), default=1)
    preview = models.JSONField(_("first rows"), default=list, blank=True)
    mapping = models.JSONField(
        _("column mapping"), default=dict, blank=True, help_text="{column index: field}"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    # Which step the counters below belong to: the check (a forecast) or the apply.
    phase = models.CharField(max_length=5, blank=True)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    phase_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("teacher import")
        verbose_name_plural = _("teacher imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def scope_keys(self) -> tuple:
        if self.organization_id is None:
            return (None, None, None)
        return self.organization.scope_keys

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.APPLYING)

    @property
    def rows_per_second(self) -> int | None:
        if not self.phase_started_at or not self.processed_rows:
            return None
        end = self.finished_at if not self.is_running and self.finished_at else timezone.now()
        seconds = (end - self.phase_started_at).total_seconds()
        return int(self.processed_rows / seconds) if seconds > 0 else None


class ImportRowError(models.Model):
    """A rejected row: its original cells and why, for the report and the error file."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("row"))
    cells = models.JSONField(_("cells"), default=list)
    messages = models.JSONField(_("reasons"), default=list, help_text="[[column, message], ...]")

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["job", "row_number"]
        indexes = [models.Index(fields=["job", "row_number"])]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number}"


class ExportJob(JobProgress, TimeStampedModel):
    """A large export of the filtered teacher list, built by the worker (the page polls)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("in progress")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    file_format = models.CharField(_("format"), max_length=4)
    language = models.CharField(_("language"), max_length=5)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("teacher export")
        verbose_name_plural = _("teacher exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_format}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
