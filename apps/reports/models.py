"""What the reports need that no other app records: the yearly PD plan of each district."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import JobProgress, TimeStampedModel
from apps.organizations.models import District


class PdPlan(TimeStampedModel):
    """How many teachers a district is to train in a calendar year (the region's plan,
    e.g. 16,000, is the sum over its districts): the "plan" of the plan-vs-fact figure."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district or city")
    )
    planned_teachers = models.PositiveIntegerField(_("teachers to train"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    # Who changed a plan when, and from what: the plan is an official target.
    history = HistoricalRecords(
        excluded_fields=["created_at", "updated_at"], user_model=settings.AUTH_USER_MODEL
    )

    class Meta:
        verbose_name = _("PD plan")
        verbose_name_plural = _("PD plans")
        ordering = ["-year", "district__kato"]
        constraints = [
            models.UniqueConstraint(fields=["year", "district"], name="pd_plan_once_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.district}: {self.planned_teachers}"

    @property
    def scope_keys(self) -> tuple:
        """(organisation, district, region) ids, for the permission rules."""
        return (None, self.district_id, self.district.region_id)


class ReportExport(JobProgress, TimeStampedModel):
    """The dashboard's report as a file (XLSX, CSV or PDF), in a chosen language, built by
    the worker for the filters it was asked with (the page polls its progress)."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("in progress")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requested by"),
    )
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(_("file"), upload_to="report-exports/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_format}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class SummarySubscription(TimeStampedModel):
    """A user's standing order for the monthly summary: the dashboard for the filters they
    chose, mailed in their chosen language and format early each month."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
        verbose_name=_("user"),
    )
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    file_format = models.CharField(
        _("format"), max_length=4, choices=ReportExport.Format.choices, default="pdf"
    )
    last_sent_month = models.DateField(
        _("last sent for"),
        null=True,
        blank=True,
        help_text=_("The first day of the last month the summary was mailed for."),
    )
    last_problem = models.TextField(
        _("why the last summary was not sent"),
        blank=True,
        help_text=_("Empty when the last summary went out; shown on the subscriptions page."),
    )

    class Meta:
        verbose_name = _("monthly summary subscription")
        verbose_name_plural = _("monthly summary subscriptions")
        ordering = ["user", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "query"], name="report_subscription_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.query or '-'}"
