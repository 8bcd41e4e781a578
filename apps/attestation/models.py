"""Attestation cycles with their rules (every number of DOMAIN.md is data of a cycle, since
the rules change almost every year), applications with an append-only history and kept
versions, portfolio evidence, lesson observations and knowledge-test (ОЗП) results.
Workflows live in services.py; eligibility in eligibility.py."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.models import JobProgress, TimeStampedModel, localized
from apps.organizations.models import District, InstructionLanguage, Organization, Region
from apps.teachers.models import Position, QualificationCategory, Subject, Teacher


class Level(models.TextChoices):
    """The body whose commission attests a claimed category (DOMAIN.md)."""

    ORGANIZATION = "organization", _("organisation")
    DISTRICT = "district", _("district or city education department")
    REGION = "region", _("regional education department")
    MINISTRY = "ministry", _("ministry")


class AttestationCycle(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("cycle", "being prepared")
        OPEN = "open", pgettext_lazy("cycle", "open")
        CLOSED = "closed", pgettext_lazy("cycle", "closed")

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="attestation_cycles",
        verbose_name=_("region"),
    )
    school_year = models.CharField(
        _("school year"), max_length=9, help_text=_("For example 2026-2027.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    application_opens = models.DateField(_("applications from"))
    application_closes = models.DateField(_("applications until"))
    review_starts = models.DateField(_("portfolio review from"))
    review_ends = models.DateField(_("portfolio review until"))
    essay_topic_kk = models.TextField(_("essay topic (Kazakh)"))
    essay_topic_ru = models.TextField(_("essay topic (Russian)"))
    essay_min_words = models.PositiveSmallIntegerField(_("essay: minimum words"), default=250)
    essay_max_words = models.PositiveSmallIntegerField(_("essay: maximum words"), default=300)
    min_observations = models.PositiveSmallIntegerField(
        _("lesson observations needed in the year"), default=5
    )
    test_validity_days = models.PositiveSmallIntegerField(
        _("a test result is valid for (days)"), default=365
    )
    acceptance_working_days = models.PositiveSmallIntegerField(
        _("working days to accept or refuse"), default=1
    )
    pension_age_male = models.PositiveSmallIntegerField(_("pension age, men"), default=63)
    pension_age_female = models.PositiveSmallIntegerField(_("pension age, women"), default=61)
    pre_pension_years = models.PositiveSmallIntegerField(
        _("pre-pension: years before the pension age"), default=4
    )
    long_service_years = models.PositiveSmallIntegerField(
        _("no test when confirming a category after (years of experience)"), default=30
    )

    class Meta:
        verbose_name = _("attestation cycle")
        verbose_name_plural = _("attestation cycles")
        ordering = ["-application_opens"]
        constraints = [
            models.UniqueConstraint(fields=["region", "school_year"], name="cycle_once_per_year"),
            models.CheckConstraint(
                name="cycle_window_ordered",
                condition=Q(application_closes__gte=F("application_opens")),
            ),
            models.CheckConstraint(
                name="cycle_review_ordered", condition=Q(review_ends__gte=F("review_starts"))
            ),
            models.CheckConstraint(
                name="cycle_essay_words_ordered",
                condition=Q(essay_max_words__gte=F("essay_min_words")),
            ),
        ]

    def __str__(self) -> str:
        return self.school_year

    @property
    def essay_topic(self) -> str:
        return localized(self, "essay_topic")

    @property
    def scope_keys(self) -> tuple:
        return (None, None, self.region_id)

    def window_open(self, today) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.application_opens <= today <= self.application_closes
        )


class CategoryRule(models.Model):
    """What it takes, in a cycle, to claim a category (DOMAIN.md tables)."""

    cycle = models.ForeignKey(
        AttestationCycle, on_delete=models.CASCADE, related_name="rules", verbose_name=_("cycle")
    )
    category = models.ForeignKey(
        QualificationCategory,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("claimed category"),
    )
    from_categories = models.ManyToManyField(
        QualificationCategory,
        related_name="+",
        blank=True,
        verbose_name=_("may be claimed from"),
        help_text=_("Current categories from which this one may be claimed (the ladder)."),
    )
    from_no_category = models.BooleanField(_("may be claimed without a category"), default=False)
    min_experience_years = models.PositiveSmallIntegerField(_("minimum experience (years)"))
    test_pass_percent = models.PositiveSmallIntegerField(
        _("test pass mark, %"), validators=[MaxValueValidator(100)]
    )
    portfolio_points = models.PositiveSmallIntegerField(
        _("portfolio points needed"), null=True, blank=True
    )
    level = models.CharField(_("commission level"), max_length=12, choices=Level.choices)
    pd_hours_school = models.PositiveSmallIntegerField(_("PD hours, school teachers"))
    pd_hours_other = models.PositiveSmallIntegerField(
        _("PD hours, preschool, additional and special education, methodologists")
    )

    class Meta:
        verbose_name = _("category rule")
        verbose_name_plural = _("category rules")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "category"], name="category_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.cycle}: {self.category}"


class TestResult(TimeStampedModel):
    """A knowledge-test (ОЗП) result from the national testing centre: valid for a year."""

    __test__ = False  # not a pytest test class, whatever its name

    class Source(models.TextChoices):
        MANUAL = "manual", _("entered by staff")
        IMPORT = "import", _("imported from a file")

    teacher = models.ForeignKey(
        Teacher, on_delete=models.PROTECT, related_name="test_results", verbose_name=_("teacher")
    )
    taken_on = models.DateField(_("test date"))
    language = models.ForeignKey(
        InstructionLanguage, on_delete=models.PROTECT, related_name="+", verbose_name=_("language")
    )
    score = models.DecimalField(
        _("score"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    max_score = models.DecimalField(
        _("maximum score"), max_digits=6, decimal_places=2, validators=[MinValueValidator(1)]
    )
    certificate_number = models.CharField(_("certificate number"), max_length=40, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("test result")
        verbose_name_plural = _("test results")
        ordering = ["-taken_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="test_score_within_max", condition=Q(score__lte=F("max_score"))
            ),
            models.CheckConstraint(name="test_max_positive", condition=Q(max_score__gt=0)),
        ]
        indexes = [
            models.Index(fields=["teacher", "-taken_on"]),
            models.Index(fields=["-taken_on", "-id"]),
        ]

    def __str__(self) -> str:
        return self.certificate_number

    @property
    def percent(self) -> Decimal:
        return (self.score * 100 / self.max_score).quantize(Decimal("0.01"))

    @property
    def scope_keys(self) -> tuple:
        return self.teacher.scope_keys


class TestResultImport(JobProgress, TimeStampedModel):
    """A file of test results (IIN, date, language, score, max score, certificate number)."""

    __test__ = False

    class Status(models.TextChoices):
        CHECKED = "checked", pgettext_lazy("import", "checked")
        APPLYING = "applying", pgettext_lazy("import", "importing")
        APPLIED = "applied", pgettext_lazy("import", "imported")
        FAILED = "failed", pgettext_lazy("import", "failed")

    file = models.FileField(_("file"), upload_to="test-result-imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_rows = models.PositiveIntegerField(_("added"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("already there"), default=0)
    rejected_rows = models.PositiveIntegerField(_("rejected"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("test results import")
        verbose_name_plural = _("test results imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_running(self) -> bool:
        return self.status == self.Status.APPLYING


class TestResultImportError(models.Model):
    __test__ = False

    job = models.ForeignKey(TestResultImport, on_delete=models.CASCADE, related_name="errors")
    row_number = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=100, blank=True)
    message = models.CharField(_("error"), max_length=500)
    values = models.JSONField(default=dict)

    class Meta:
        ordering = ["row_number", "pk"]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.message}"


class Application(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("application", "draft")
        SUBMITTED = "submitted", pgettext_lazy("application", "submitted")
        ACCEPTED = "accepted", pgettext_lazy("application", "accepted")
        REFUSED = "refused", pgettext_lazy("application", "refused")
        RETURNED = "returned", pgettext_lazy("application", "returned for revision")

    class TestExemption(models.TextChoices):
        NONE = "", _("none: I take the test")
        LONG_SERVICE = "long_service", _("30+ years of experience, confirming my category")
        CONFIRMING_SENIOR = "confirming_senior", _("confirming the researcher or master category")
        LANGUAGE_CERTIFICATE = (
            "language_certificate",
            _("a listed language certificate (e.g. IELTS)"),
        )

    cycle = models.ForeignKey(
        AttestationCycle,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("cycle"),
    )
    teacher = models.ForeignKey(
        Teacher, on_delete=models.PROTECT, related_name="applications", verbose_name=_("teacher")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    # The teacher's situation when they applied (the record may change later).
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="+", verbose_name=_("position")
    )
    current_category = models.ForeignKey(
        QualificationCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current category"),
    )
    current_valid_until = models.DateField(_("current category valid until"), null=True, blank=True)
    claimed_category = models.ForeignKey(
        QualificationCategory,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("claimed category"),
    )
    test_exemption = models.CharField(
        _("test exemption"), max_length=20, choices=TestExemption.choices, blank=True
    )
    test_result = models.ForeignKey(
        TestResult,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("test result"),
    )
    essay_text = models.TextField(_("essay"), blank=True)
    essay_language = models.CharField(
        _("essay language"),
        max_length=2,
        choices=[("kk", _("Kazakh")), ("ru", _("Russian"))],
        blank=True,
    )
    # Routing: the level of the commission and the body that accepts (set on submission).
    level = models.CharField(_("commission level"), max_length=12, choices=Level.choices)
    routed_district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveSmallIntegerField(_("version"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accept_due_on = models.DateField(_("answer due by"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("attestation application")
        verbose_name_plural = _("attestation applications")
        ordering = ["-pk"]
        constraints = [
            # Once per school year.
            models.UniqueConstraint(fields=["cycle", "teacher"], name="application_once_per_cycle")
        ]
        indexes = [
            models.Index(fields=["cycle", "status", "accept_due_on"]),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["routed_district", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} → {self.claimed_category}"

    @property
    def scope_keys(self) -> tuple:
        """The organisation the teacher applied from, its district and region."""
        district = self.organization.district
        return (self.organization_id, district.pk, district.region_id)

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED, self.Status.REFUSED)

    def essay_words(self) -> int:
        return len(self.essay_text.split())


class ApplicationEvent(models.Model):
    """Append-only history: who, when, from, to, comment."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="events", verbose_name=_("application")
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=Application.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=Application.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=0)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ApplicationVersion(models.Model):
    """What was submitted each time: the application's data and its evidence, frozen."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("application"),
    )
    number = models.PositiveSmallIntegerField(_("version"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    snapshot = models.JSONField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} v{self.number}"


class Criterion(models.TextChoices):
    """Headings of the portfolio (DOMAIN.md scoring criteria) and the required documents."""

    STUDENT_RESULTS = "student_results", _("students' results over 3 years")
    OBSERVATIONS = "observations", _("lesson observations")
    STUDENT_CONTESTS = "student_contests", _("students' contests and olympiads")
    TEACHER_CONTESTS = "teacher_contests", _("the teacher's own contests")
    METHODICAL = "methodical", _("methodical materials")
    TALKS = "talks", _("talks at conferences and seminars")
    PUBLICATIONS = "publications", _("publications")
    EXPERT_WORK = "expert_work", _("jury and expert work")
    DISSEMINATION = "dissemination", _("dissemination of experience")
    PD_HOURS = "pd_hours", _("PD courses")
    CLASS_TEACHER = "class_teacher", _("class-teacher work")
    DIPLOMA = "diploma", _("diploma")
    CATEGORY_DOCUMENT = "category_document", _("current category certificate and order")
    EXEMPTION = "exemption", _("proof of a test exemption")
    OTHER = "other", _("other achievements")


class EvidenceLevel(models.TextChoices):
    SCHOOL = "school", _("school")
    DISTRICT = "district", _("district")
    REGION = "region", _("region")
    REPUBLIC = "republic", _("republic")
    INTERNATIONAL = "international", _("international")


def _evidence_path(item: "EvidenceItem", filename: str) -> str:
    from secrets import token_hex

    return f"portfolios/{item.application_id}/{token_hex(16)}"


class EvidenceItem(TimeStampedModel):
    """One piece of portfolio evidence, with its file typed by content and kept private.

    Removing an item that was part of a submitted version only marks it removed, so every
    version keeps its files."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("application"),
    )
    criterion = models.CharField(_("criterion"), max_length=20, choices=Criterion.choices)
    title = models.CharField(_("title"), max_length=255)
    level = models.CharField(_("level"), max_length=15, choices=EvidenceLevel.choices, blank=True)
    is_winner = models.BooleanField(_("winner or prize-winner"), default=False)
    happened_on = models.DateField(_("date"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=_evidence_path)
    file_type = models.CharField(max_length=10, editable=False)
    file_size = models.PositiveIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_in = models.PositiveSmallIntegerField(
        _("first submitted in version"), null=True, blank=True, editable=False
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["criterion", "pk"]
        indexes = [models.Index(fields=["application", "removed_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_keys(self) -> tuple:
        return self.application.scope_keys


class ObservationCriterion(models.Model):
    """A criterion of the lesson-observation sheet of a cycle, scored 0–3."""

    cycle = models.ForeignKey(
        AttestationCycle, on_delete=models.CASCADE, related_name="observation_criteria"
    )
    code = models.SlugField(max_length=40)
    title_kk = models.CharField(_("criterion (Kazakh)"), max_length=255)
    title_ru = models.CharField(_("criterion (Russian)"), max_length=255)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="observation_criterion_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")


class LessonObservation(TimeStampedModel):
    """A lesson observation sheet, entered by the observer themself."""

    cycle = models.ForeignKey(
        AttestationCycle, on_delete=models.PROTECT, related_name="observations"
    )
    teacher = models.ForeignKey(
        Teacher, on_delete=models.PROTECT, related_name="observations", verbose_name=_("teacher")
    )
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="observations_made",
        verbose_name=_("observer"),
    )
    observer_is_commission_member = models.BooleanField(
        _("observer is a commission member"), default=False, editable=False
    )
    observed_on = models.DateField(_("lesson date"))
    subject = models.ForeignKey(
        Subject,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subject"),
    )
    grade = models.CharField(_("class"), max_length=20, blank=True)
    topic = models.CharField(_("lesson topic"), max_length=255)
    scores = models.JSONField(_("scores"), default=dict)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("lesson observation")
        verbose_name_plural = _("lesson observations")
        ordering = ["-observed_on", "-pk"]
        indexes = [
            models.Index(fields=["teacher", "cycle"]),
            models.Index(fields=["cycle", "-observed_on", "-id"]),
        ]

    @property
    def total(self) -> int:
        return sum(self.scores.values())

    @property
    def scope_keys(self) -> tuple:
        return self.teacher.scope_keys


class CategoryFreeze(TimeStampedModel):
    """A category kept while the teacher is away (illness, child care up to age 3,
    full-time postgraduate study, military service) and up to 2 years after return."""

    class Reason(models.TextChoices):
        ILLNESS = "illness", _("long illness")
        CHILD_CARE = "child_care", _("maternity or child care up to age 3")
        POSTGRADUATE = "postgraduate", _("full-time postgraduate study")
        MILITARY = "military", _("military service")

    teacher = models.ForeignKey(
        Teacher,
        on_delete=models.PROTECT,
        related_name="category_freezes",
        verbose_name=_("teacher"),
    )
    reason = models.CharField(_("reason"), max_length=15, choices=Reason.choices)
    starts_on = models.DateField(_("away from"))
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("frozen category")
        verbose_name_plural = _("frozen categories")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                name="freeze_return_after_start",
                condition=Q(returned_on__isnull=True) | Q(returned_on__gte=F("starts_on")),
            )
        ]
