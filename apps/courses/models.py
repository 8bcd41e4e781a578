"""The PD catalogue (providers, courses, runs), enrolment with its history, attendance and
external PD certificates. Workflows live in services.py."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.identifiers import validate_bin
from apps.core.models import BilingualNameModel, TimeStampedModel, localized
from apps.organizations.models import District, InstructionLanguage
from apps.teachers.models import Position, Subject, Teacher


class Provider(BilingualNameModel, TimeStampedModel):
    """An organisation that runs PD courses (Өрлеу, NIS CPE, a university, a private centre)."""

    code = models.CharField(
        _("register code"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,8}$", _("Two to eight capital Latin letters."))],
        help_text=_("Starts the certificate register numbers, e.g. ORL in ORL-2026-000123."),
    )
    bin = models.CharField(_("BIN"), max_length=12, unique=True, validators=[validate_bin])
    website = models.URLField(_("website"), blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="provider_memberships",
        blank=True,
        verbose_name=_("provider staff"),
        help_text=_("Users who manage this provider's courses, runs and certificates."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("PD provider")
        verbose_name_plural = _("PD providers")
        ordering = ["code"]

    @property
    def provider_id(self) -> int:
        """For the permission rules: objects managed by a provider expose `provider_id`."""
        return self.pk


class Course(TimeStampedModel):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        ONLINE = "online", _("online")
        BLENDED = "blended", _("blended")

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="courses", verbose_name=_("provider")
    )
    title_kk = models.CharField(_("title (Kazakh)"), max_length=255)
    title_ru = models.CharField(_("title (Russian)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    hours = models.PositiveSmallIntegerField(
        _("hours"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    language = models.ForeignKey(
        InstructionLanguage,
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("language of instruction"),
    )
    target_subjects = models.ManyToManyField(
        Subject, related_name="courses", blank=True, verbose_name=_("for teachers of")
    )
    target_positions = models.ManyToManyField(
        Position, related_name="courses", blank=True, verbose_name=_("for positions")
    )
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="required_for",
        blank=True,
        verbose_name=_("prerequisites"),
        help_text=_("Courses a teacher must have completed before enrolling."),
    )
    agreement_reference = models.CharField(
        _("programme agreement"),
        max_length=100,
        blank=True,
        help_text=_(
            "Reference of the ministry agreement of the programme, printed on certificates."
        ),
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance, %"), default=80, validators=[MaxValueValidator(100)]
    )
    assessment_required = models.BooleanField(
        _("final assessment required"),
        default=True,
        help_text=_("Completion needs a passed final assessment as well as the attendance."),
    )
    is_active = models.BooleanField(_("in the catalogue"), default=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title_ru"]
        constraints = [
            models.CheckConstraint(
                name="course_min_attendance_le_100", condition=Q(min_attendance_percent__lte=100)
            ),
            models.CheckConstraint(name="course_hours_positive", condition=Q(hours__gt=0)),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")


class CourseRun(TimeStampedModel):
    """One group of a course: dates, place or link, seats, deadline and trainer."""

    class State(models.TextChoices):
        # Derived from dates, seats and flags by `state()`; never stored.
        OPEN = "open", pgettext_lazy("run state", "open for enrolment")
        FULL = "full", pgettext_lazy("run state", "full, waitlist open")
        CLOSED = "closed", pgettext_lazy("run state", "enrolment closed")
        IN_PROGRESS = "in_progress", pgettext_lazy("run state", "in progress")
        FINISHED = "finished", pgettext_lazy("run state", "finished, results pending")
        COMPLETED = "completed", pgettext_lazy("run state", "completed")
        CANCELLED = "cancelled", pgettext_lazy("run state", "cancelled")

    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="runs", verbose_name=_("course")
    )
    code = models.CharField(_("group"), max_length=40)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    enrolment_deadline = models.DateField(_("enrolment deadline"))
    location = models.CharField(_("location"), max_length=255, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("seats"), validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trained_runs",
        verbose_name=_("trainer account"),
        help_text=_("The trainer marks attendance and results with this account."),
    )
    trainer_name = models.CharField(_("trainer"), max_length=200, blank=True)
    approval_required = models.BooleanField(
        _("self-enrolment needs approval"),
        default=False,
        help_text=_("A teacher's own request waits for their school or a methodologist."),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("results recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("course run")
        verbose_name_plural = _("course runs")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "code"], name="course_run_code_unique"),
            models.CheckConstraint(
                name="course_run_dates_ordered", condition=Q(ends_on__gte=F("starts_on"))
            ),
            models.CheckConstraint(
                name="course_run_deadline_before_end",
                condition=Q(enrolment_deadline__lte=F("ends_on")),
            ),
            models.CheckConstraint(
                name="course_run_capacity_positive", condition=Q(capacity__gt=0)
            ),
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.course.title} ({self.code})"

    @property
    def provider_id(self) -> int:
        return self.course.provider_id

    def state(self, *, today, confirmed: int) -> str:
        if self.cancelled_at:
            return self.State.CANCELLED
        if self.completed_at:
            return self.State.COMPLETED
        if today > self.ends_on:
            return self.State.FINISHED
        if today >= self.starts_on:
            return self.State.IN_PROGRESS
        if today > self.enrolment_deadline:
            return self.State.CLOSED
        if confirmed >= self.capacity:
            return self.State.FULL
        return self.State.OPEN


class DistrictQuota(models.Model):
    """At most `seats` confirmed places of a run for teachers of one district."""

    run = models.ForeignKey(
        CourseRun, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("course run")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district or city")
    )
    seats = models.PositiveSmallIntegerField(_("seats"))

    class Meta:
        verbose_name = _("district quota")
        verbose_name_plural = _("district quotas")
        constraints = [
            models.UniqueConstraint(fields=["run", "district"], name="district_quota_unique")
        ]

    def __str__(self) -> str:
        return f"{self.district}: {self.seats}"


class RunSession(models.Model):
    """A day of a run, on which the trainer marks attendance."""

    run = models.ForeignKey(
        CourseRun, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("course run")
    )
    date = models.DateField(_("date"))

    class Meta:
        verbose_name = _("session day")
        verbose_name_plural = _("session days")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["run", "date"], name="run_session_unique")]

    def __str__(self) -> str:
        return str(self.date)


class Enrolment(TimeStampedModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("enrolment", "requested")
        CONFIRMED = "confirmed", pgettext_lazy("enrolment", "confirmed")
        WAITLISTED = "waitlisted", pgettext_lazy("enrolment", "on the waitlist")
        CANCELLED = "cancelled", pgettext_lazy("enrolment", "cancelled")
        ATTENDED = "attended", pgettext_lazy("enrolment", "attending")
        COMPLETED = "completed", pgettext_lazy("enrolment", "completed")
        NOT_COMPLETED = "not_completed", pgettext_lazy("enrolment", "not completed")

    run = models.ForeignKey(
        CourseRun, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("course run")
    )
    teacher = models.ForeignKey(
        Teacher, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("teacher")
    )
    status = models.CharField(_("status"), max_length=15, choices=Status.choices)
    # The teacher's district when they enrolled: what the run's district quotas count.
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district or city")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    waitlisted_at = models.DateTimeField(_("on the waitlist since"), null=True, blank=True)
    assessment_passed = models.BooleanField(_("final assessment passed"), null=True, blank=True)
    assessment_score = models.DecimalField(
        _("assessment score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    attendance_percent = models.PositiveSmallIntegerField(_("attendance, %"), null=True, blank=True)
    hours_credited = models.PositiveSmallIntegerField(_("PD hours credited"), default=0)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["run", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "teacher"], name="enrolment_once_per_run"),
            models.CheckConstraint(
                name="enrolment_hours_only_when_completed",
                condition=Q(status="completed") | Q(hours_credited=0),
            ),
            models.CheckConstraint(
                name="enrolment_waitlist_has_time",
                condition=~Q(status="waitlisted") | Q(waitlisted_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["run", "status", "waitlisted_at", "id"]),
            models.Index(fields=["teacher", "status"]),
            # With the teacher: the teachers who completed a course within some dates are
            # read from the index alone (the reports' PD coverage and drill-down).
            models.Index(fields=["status", "completed_on", "teacher"]),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} → {self.run}"

    @property
    def scope_keys(self) -> tuple:
        return self.teacher.scope_keys

    @property
    def provider_id(self) -> int:
        return self.run.course.provider_id


class EnrolmentEvent(models.Model):
    """Append-only history of an enrolment's status: who, when, from, to, why."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="events", verbose_name=_("enrolment")
    )
    from_status = models.CharField(
        _("from"), max_length=15, choices=Enrolment.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=15, choices=Enrolment.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("enrolment event")
        verbose_name_plural = _("enrolment events")
        ordering = ["at", "pk"]
        # The course-completion report looks up the few cancellations among all the events.
        indexes = [models.Index(fields=["to_status", "enrolment"], name="enrolment_event_to_idx")]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class Attendance(models.Model):
    session = models.ForeignKey(
        RunSession,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("session day"),
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("enrolment")
    )
    present = models.BooleanField(_("present"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.session}: {'+' if self.present else '-'}"


def _external_upload_path(item: "ExternalTraining", filename: str) -> str:
    # The stored name never reuses the uploaded one; the type was checked by content.
    from secrets import token_hex

    return f"external-pd/{item.teacher_id}/{token_hex(16)}"


class ExternalTraining(TimeStampedModel):
    """PD a teacher took elsewhere, uploaded with proof; counts once a methodologist confirms it."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("external PD", "waiting for confirmation")
        CONFIRMED = "confirmed", pgettext_lazy("external PD", "confirmed")
        REJECTED = "rejected", pgettext_lazy("external PD", "rejected")

    teacher = models.ForeignKey(
        Teacher,
        on_delete=models.PROTECT,
        related_name="external_trainings",
        verbose_name=_("teacher"),
    )
    title = models.CharField(_("course title"), max_length=255)
    provider_name = models.CharField(_("provider"), max_length=255)
    number = models.CharField(_("certificate number"), max_length=60, blank=True)
    hours = models.PositiveSmallIntegerField(
        _("hours"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    file = models.FileField(_("scan of the certificate"), upload_to=_external_upload_path)
    file_type = models.CharField(max_length=10, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.CharField(_("reviewer's comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("external PD certificate")
        verbose_name_plural = _("external PD certificates")
        ordering = ["-ends_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="external_training_dates_ordered", condition=Q(ends_on__gte=F("starts_on"))
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_keys(self) -> tuple:
        return self.teacher.scope_keys
