"""The "1000 leaders" programme: intakes with their selection stages and training plan,
candidates with an append-only decision log, stage results, module attendance,
internships, mentoring, reflective reports, the reserve, appointments and vacancies.
Workflows live in services.py."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.models import BilingualNameModel, TimeStampedModel, localized
from apps.organizations.models import Organization, Region
from apps.teachers.models import Position, QualificationCategory, Teacher


class Programme(BilingualNameModel, TimeStampedModel):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="leader_programmes", verbose_name=_("region")
    )

    class Meta:
        verbose_name = _("leadership programme")
        verbose_name_plural = _("leadership programmes")
        ordering = ["pk"]

    @property
    def scope_keys(self) -> tuple:
        return (None, None, self.region_id)


class Intake(TimeStampedModel):
    """A yearly cohort: who may apply, how they are selected, how many are admitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("intake", "being prepared")
        APPLICATIONS = "applications", pgettext_lazy("intake", "taking applications")
        SELECTION = "selection", pgettext_lazy("intake", "selection")
        TRAINING = "training", pgettext_lazy("intake", "training")
        FINISHED = "finished", pgettext_lazy("intake", "finished")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="intakes", verbose_name=_("programme")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    application_opens = models.DateField(_("applications from"))
    application_closes = models.DateField(_("applications until"))
    capacity = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1)], help_text=_("How many are admitted.")
    )
    min_experience_years = models.PositiveSmallIntegerField(
        _("minimum pedagogical experience (years)"), default=1
    )
    positions = models.ManyToManyField(
        Position, related_name="+", verbose_name=_("positions that may apply")
    )
    categories = models.ManyToManyField(
        QualificationCategory,
        related_name="+",
        blank=True,
        verbose_name=_("categories that may apply"),
        help_text=_("Empty: any category, or none."),
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("training: minimum attendance, %"), default=80, validators=[MaxValueValidator(100)]
    )
    min_report_score = models.DecimalField(
        _("training: minimum mean score of the reflective report"),
        max_digits=5,
        decimal_places=2,
        default=60,
    )
    reserve_term_years = models.PositiveSmallIntegerField(_("years in the reserve"), default=3)

    class Meta:
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year"], name="intake_once_per_year"),
            models.CheckConstraint(
                name="intake_window_ordered",
                condition=Q(application_closes__gte=F("application_opens")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.year}"

    @property
    def scope_keys(self) -> tuple:
        return self.programme.scope_keys


class Stage(models.Model):
    """A selection stage with its score scale and pass rule."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("application")
        TEST = "test", _("test")
        WRITTEN = "written", _("written task")
        INTERVIEW = "interview", _("interview")
        COMMISSION = "commission", _("commission")

    class Rule(models.TextChoices):
        MIN_SCORE = "min_score", _("at least the pass score")
        TOP = "top", _("the best N (ties at the cut-off all pass)")

    intake = models.ForeignKey(
        Intake, on_delete=models.CASCADE, related_name="stages", verbose_name=_("intake")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("stage"), max_length=12, choices=Kind.choices)
    max_score = models.DecimalField(
        _("maximum score"), max_digits=6, decimal_places=2, validators=[MinValueValidator(1)]
    )
    rule = models.CharField(_("pass rule"), max_length=10, choices=Rule.choices)
    pass_score = models.DecimalField(
        _("pass score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    top_n = models.PositiveIntegerField(_("how many pass"), null=True, blank=True)
    closed_at = models.DateTimeField(_("results decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("selection stage")
        verbose_name_plural = _("selection stages")
        ordering = ["intake", "order"]
        constraints = [
            models.UniqueConstraint(fields=["intake", "order"], name="stage_order_unique"),
            models.CheckConstraint(
                name="stage_rule_has_its_number",
                condition=Q(rule="min_score", pass_score__isnull=False)
                | Q(rule="top", top_n__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return _("%(order)s. %(stage)s") % {"order": self.order, "stage": self.get_kind_display()}


class Candidate(TimeStampedModel):
    class Status(models.TextChoices):
        APPLIED = "applied", pgettext_lazy("candidate", "in selection")
        STOPPED = "stopped", pgettext_lazy("candidate", "not selected")
        WITHDRAWN = "withdrawn", pgettext_lazy("candidate", "withdrew")
        ADMITTED = "admitted", pgettext_lazy("candidate", "admitted, in training")
        NOT_COMPLETED = "not_completed", pgettext_lazy("candidate", "did not complete")
        COMPLETED = "completed", pgettext_lazy("candidate", "completed the training")
        RESERVE = "reserve", pgettext_lazy("candidate", "in the reserve")
        APPOINTED = "appointed", pgettext_lazy("candidate", "appointed")

    intake = models.ForeignKey(
        Intake, on_delete=models.PROTECT, related_name="candidates", verbose_name=_("intake")
    )
    teacher = models.ForeignKey(
        Teacher,
        on_delete=models.PROTECT,
        related_name="leader_candidacies",
        verbose_name=_("teacher"),
    )
    status = models.CharField(_("status"), max_length=14, choices=Status.choices)
    # Where the teacher worked when they applied: the scope staff see them in.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    motivation = models.TextField(_("motivation letter"))
    stopped_at = models.ForeignKey(
        Stage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stopped at stage"),
    )
    stop_reason = models.CharField(_("reason"), max_length=500, blank=True)
    reserve_from = models.DateField(_("in the reserve from"), null=True, blank=True)
    reserve_until = models.DateField(_("in the reserve until"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["intake", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["intake", "teacher"], name="candidate_once_per_intake")
        ]
        indexes = [models.Index(fields=["intake", "status"])]

    def __str__(self) -> str:
        return str(self.teacher)

    @property
    def scope_keys(self) -> tuple:
        district = self.organization.district
        return (self.organization_id, district.pk, district.region_id)


class CandidateEvent(models.Model):
    """Append-only log of every decision about a candidate."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(
        _("from"), max_length=14, choices=Candidate.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=14, choices=Candidate.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class StageResult(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("entered by staff")
        IMPORT = "import", _("imported from a file")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="results")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="results")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    passed = models.BooleanField(_("passed"), null=True, editable=False)
    rank = models.PositiveIntegerField(_("rank"), null=True, editable=False)
    source = models.CharField(max_length=10, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["stage", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "stage"], name="stage_result_once"),
            models.CheckConstraint(name="stage_score_not_negative", condition=Q(score__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.stage}: {self.score}"


class Level(models.TextChoices):
    BASIC = "basic", _("basic level")
    EXPERT = "expert", _("expert level")
    PROFESSIONAL = "professional", _("professional level")


class Module(models.Model):
    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="modules")
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=255)
    title_ru = models.CharField(_("title (Russian)"), max_length=255)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        ordering = ["intake", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="module_dates_ordered", condition=Q(ends_on__gte=F("starts_on"))
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")


class ModuleAttendance(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="attendance")
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="module_attendance"
    )
    present = models.BooleanField(_("attended"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["module", "candidate"], name="module_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.module}: {'+' if self.present else '-'}"


class Internship(TimeStampedModel):
    """A placement at a leading school, with the participant's report on it."""

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="internship")
    host = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("host school")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    report = models.TextField(_("internship report"), blank=True)
    report_submitted_at = models.DateTimeField(_("report submitted at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="internship_dates_ordered", condition=Q(ends_on__gte=F("starts_on"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate} @ {self.host}"


class Mentorship(TimeStampedModel):
    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="mentorship")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="mentees",
        verbose_name=_("mentor"),
    )
    assigned_on = models.DateField(_("assigned on"))

    def __str__(self) -> str:
        return f"{self.mentor} → {self.candidate}"


class MentorMeeting(models.Model):
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("date"))
    notes = models.TextField(_("notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return str(self.date)


class ReflectiveReport(TimeStampedModel):
    """The final assessment: the participant's reflective report, scored by reviewers."""

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="reflective_report"
    )
    text = models.TextField(_("reflective report"))
    submitted_at = models.DateTimeField(_("submitted at"))

    def __str__(self) -> str:
        return str(self.candidate)


class ReportReview(models.Model):
    report = models.ForeignKey(ReflectiveReport, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    comment = models.TextField(_("comment"), blank=True)
    reviewed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "reviewer"], name="report_review_once")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.score}"


class Post(models.TextChoices):
    HEAD = "head", _("head of an organisation")
    DEPUTY = "deputy", _("deputy head")


class Appointment(TimeStampedModel):
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="appointments")
    post = models.CharField(_("post"), max_length=8, choices=Post.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    appointed_on = models.DateField(_("appointed on"))
    order_number = models.CharField(_("order number"), max_length=40)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-appointed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.candidate}: {self.get_post_display()}"


class Vacancy(TimeStampedModel):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="leader_vacancies",
        verbose_name=_("organisation"),
    )
    post = models.CharField(_("post"), max_length=8, choices=Post.choices)
    opened_on = models.DateField(_("open since"))
    filled_by = models.OneToOneField(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="vacancy"
    )

    class Meta:
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        ordering = ["opened_on", "pk"]

    def __str__(self) -> str:
        return f"{self.organization}: {self.get_post_display()}"

    @property
    def scope_keys(self) -> tuple:
        return self.organization.scope_keys
