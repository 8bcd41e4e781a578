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

from apps.certificates.models import VerifiableDocument
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
    # Commissions, sessions and appeals.
    commissions_formed_by = models.DateField(
        _("commissions formed by"), null=True, blank=True, help_text=_("Usually 1 September.")
    )
    commission_min_members = models.PositiveSmallIntegerField(
        _("commission: minimum voting members"), default=7
    )
    member_min_experience_years = models.PositiveSmallIntegerField(
        _("commission member: minimum experience (years)"), default=7
    )
    quorum_numerator = models.PositiveSmallIntegerField(_("quorum: numerator"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(
        _("quorum: denominator"), default=3, validators=[MinValueValidator(1)]
    )
    exclude_same_organization = models.BooleanField(
        _("members from the applicant's organisation sit out"),
        default=True,
        help_text=_("Applies to district, regional and ministry commissions."),
    )
    correction_working_days = models.PositiveSmallIntegerField(
        _("working days for a correction asked by a reviewer"), default=5
    )
    appeal_lodge_working_days = models.PositiveSmallIntegerField(
        _("working days to lodge an appeal after the decision"), default=5
    )
    appeal_review_working_days = models.PositiveSmallIntegerField(
        _("working days to review an appeal"), default=5
    )
    appeal_second_review_working_days = models.PositiveSmallIntegerField(
        _("working days to review a second appeal, by the next body"), default=15
    )
    # Special paths.
    early_min_years = models.PositiveSmallIntegerField(
        _("early attestation: years since the last one"), default=2
    )
    falsification_bar_years = models.PositiveSmallIntegerField(
        _("falsified portfolio: barred for (years)"), default=5
    )
    falsification_bar_years_heads = models.PositiveSmallIntegerField(
        _("falsified portfolio: barred for (years), heads"), default=3
    )
    lowered_category_years = models.PositiveSmallIntegerField(
        _("late application or test breach: category lowered for (years)"), default=1
    )
    freeze_kept_years = models.PositiveSmallIntegerField(
        _("frozen category: kept for (years) after return"), default=2
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
    early_min_achievements = models.PositiveSmallIntegerField(
        _("early attestation: listed achievements needed"),
        null=True,
        blank=True,
        help_text=_("Empty: this category cannot be claimed early."),
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
        CORRECTION = "correction", pgettext_lazy("application", "correction asked by a reviewer")
        SCHEDULED = "scheduled", pgettext_lazy("application", "on a session agenda")
        DECIDED = "decided", pgettext_lazy("application", "decided")
        COMPLETED = "completed", pgettext_lazy("application", "category recorded")
        DISQUALIFIED = "disqualified", pgettext_lazy("application", "closed: falsified portfolio")

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
    early = models.BooleanField(
        _("early attestation"),
        default=False,
        help_text=_("Claiming before the experience the category asks for (its own conditions)."),
    )
    commission = models.ForeignKey(
        "Commission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("commission"),
    )
    correction_due_on = models.DateField(_("correction due by"), null=True, blank=True)
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
            models.Index(fields=["commission", "status"]),
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
        return self.status in (
            self.Status.DRAFT,
            self.Status.RETURNED,
            self.Status.REFUSED,
            self.Status.CORRECTION,
        )

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
    # What was frozen, and until when it is kept once the teacher is back.
    category = models.ForeignKey(
        QualificationCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    kept_until = models.DateField(_("kept until"), null=True, blank=True)
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


# --- Review by the commission (Attestation II) -------------------------------------------------


class ReviewCriterion(models.Model):
    """A line of the portfolio scoring sheet of a cycle (DOMAIN.md criteria and points)."""

    cycle = models.ForeignKey(
        AttestationCycle, on_delete=models.CASCADE, related_name="review_criteria"
    )
    code = models.SlugField(max_length=40)
    title_kk = models.CharField(_("criterion (Kazakh)"), max_length=255)
    title_ru = models.CharField(_("criterion (Russian)"), max_length=255)
    guidance_kk = models.CharField(_("points (Kazakh)"), max_length=500, blank=True)
    guidance_ru = models.CharField(_("points (Russian)"), max_length=500, blank=True)
    max_points = models.PositiveSmallIntegerField(_("maximum points"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="review_criterion_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def guidance(self) -> str:
        return localized(self, "guidance")


class Commission(TimeStampedModel):
    """The attestation commission of a body (organisation, district, region) for a cycle.
    Ministry decisions are recorded as received, without a commission here."""

    class Status(models.TextChoices):
        FORMING = "forming", pgettext_lazy("commission", "being formed")
        FORMED = "formed", pgettext_lazy("commission", "formed")

    cycle = models.ForeignKey(
        AttestationCycle,
        on_delete=models.PROTECT,
        related_name="commissions",
        verbose_name=_("cycle"),
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district or city"),
    )
    name_kk = models.CharField(_("name (Kazakh)"), max_length=255)
    name_ru = models.CharField(_("name (Russian)"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.FORMING
    )
    formed_on = models.DateField(_("formed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("attestation commission")
        verbose_name_plural = _("attestation commissions")
        ordering = ["level", "name_ru"]
        constraints = [
            models.CheckConstraint(
                name="commission_body_matches_level",
                condition=(
                    Q(level="organization", organization__isnull=False, district__isnull=True)
                    | Q(level="district", organization__isnull=True, district__isnull=False)
                    | Q(level="region", organization__isnull=True, district__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["cycle", "organization"],
                condition=Q(level="organization"),
                name="commission_one_per_organization",
            ),
            models.UniqueConstraint(
                fields=["cycle", "district"],
                condition=Q(level="district"),
                name="commission_one_per_district",
            ),
            models.UniqueConstraint(
                fields=["cycle"], condition=Q(level="region"), name="commission_one_per_region"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def scope_keys(self) -> tuple:
        """The body the commission belongs to."""
        if self.organization_id:
            district = self.organization.district
            return (self.organization_id, district.pk, district.region_id)
        if self.district_id:
            return (None, self.district_id, self.district.region_id)
        return (None, None, self.cycle.region_id)


class CommissionMember(TimeStampedModel):
    class Role(models.TextChoices):
        CHAIR = "chair", pgettext_lazy("commission", "chair")
        MEMBER = "member", pgettext_lazy("commission", "member")
        SECRETARY = "secretary", pgettext_lazy("commission", "secretary (does not vote)")

    commission = models.ForeignKey(
        Commission, on_delete=models.CASCADE, related_name="members", verbose_name=_("commission")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="commission_seats",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    # As printed in the protocol.
    full_name = models.CharField(_("full name"), max_length=310)
    position = models.CharField(_("position and place of work"), max_length=255)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("works in"),
    )
    experience_years = models.PositiveSmallIntegerField(_("pedagogical experience (years)"))

    class Meta:
        verbose_name = _("commission member")
        verbose_name_plural = _("commission members")
        ordering = ["commission", "role", "full_name"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "user"], name="member_once"),
            models.UniqueConstraint(
                fields=["commission"], condition=Q(role="chair"), name="member_one_chair"
            ),
            models.UniqueConstraint(
                fields=["commission"], condition=Q(role="secretary"), name="member_one_secretary"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_voting(self) -> bool:
        """The chair and the members vote; the secretary does not."""
        return self.role != self.Role.SECRETARY

    @property
    def scope_keys(self) -> tuple:
        return self.commission.scope_keys


class Review(TimeStampedModel):
    """One commission member's scoring of a portfolio, independent of the others: the
    others' sheets stay hidden from a member until their own is submitted."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("application")
    )
    member = models.ForeignKey(
        CommissionMember, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("member")
    )
    version = models.PositiveSmallIntegerField(_("version reviewed"))
    scores = models.JSONField(_("points"), default=dict)
    total = models.PositiveSmallIntegerField(_("total"), default=0)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("portfolio review")
        verbose_name_plural = _("portfolio reviews")
        ordering = ["application", "member__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["application", "member"], name="review_once")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.total}"

    @property
    def scope_keys(self) -> tuple:
        return self.application.scope_keys


class CommissionSession(TimeStampedModel):
    """A meeting of a commission with an agenda of applications; closing it records the
    attendance, votes and decisions, and numbers its protocol."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("session", "planned")
        CLOSED = "closed", pgettext_lazy("session", "closed")
        CANCELLED = "cancelled", pgettext_lazy("session", "cancelled")

    commission = models.ForeignKey(
        Commission, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("commission")
    )
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    protocol_number = models.CharField(_("protocol number"), max_length=40, blank=True)
    present = models.ManyToManyField(
        CommissionMember, blank=True, related_name="sessions_attended", verbose_name=_("present")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    protocol = models.FileField(_("protocol"), upload_to="attestation/protocols/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("commission session")
        verbose_name_plural = _("commission sessions")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["commission", "-starts_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["commission", "protocol_number"],
                condition=~Q(protocol_number=""),
                name="session_protocol_number_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.commission} {self.starts_at:%Y-%m-%d}"

    @property
    def scope_keys(self) -> tuple:
        return self.commission.scope_keys


class AgendaItem(models.Model):
    session = models.ForeignKey(
        CommissionSession, on_delete=models.CASCADE, related_name="items", verbose_name=_("session")
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="agenda_items",
        verbose_name=_("application"),
    )
    number = models.PositiveSmallIntegerField(_("No."))

    class Meta:
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "application"], name="agenda_once"),
            models.UniqueConstraint(fields=["session", "number"], name="agenda_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.application}"


class Vote(models.Model):
    class Choice(models.TextChoices):
        FOR = "for", pgettext_lazy("vote", "meets the claimed category")
        AGAINST = "against", pgettext_lazy("vote", "does not meet it")

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(CommissionMember, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(_("vote"), max_length=10, choices=Choice.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="vote_once")]

    def __str__(self) -> str:
        return f"{self.member}: {self.choice}"


class Decision(TimeStampedModel):
    """What a commission (or the ministry, recorded as received) decided on an application.
    An appeal that is upheld marks it revised; the application then goes through the
    normal path again and gets a new decision."""

    class Outcome(models.TextChoices):
        MEETS = "meets", _("meets the claimed category")
        LOWER = "lower", _("does not meet it: a lower category is assigned")
        KEEP = "keep", _("does not meet it: the current category is kept")

    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("application"),
    )
    session = models.ForeignKey(
        CommissionSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("session"),
    )
    item = models.OneToOneField(
        AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="decision"
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    current_category = models.ForeignKey(
        QualificationCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current category"),
    )
    claimed_category = models.ForeignKey(
        QualificationCategory,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("claimed category"),
    )
    assigned_category = models.ForeignKey(
        QualificationCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned category"),
    )
    capped_by_test = models.BooleanField(_("capped by the test result"), default=False)
    portfolio_score = models.DecimalField(
        _("portfolio points (mean)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    votes_for = models.PositiveSmallIntegerField(_("votes for"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), default=0)
    casting_vote = models.BooleanField(_("decided by the chair's casting vote"), default=False)
    decided_on = models.DateField(_("decided on"))
    body_kk = models.CharField(_("body (Kazakh)"), max_length=255)
    body_ru = models.CharField(_("body (Russian)"), max_length=255)
    reasons = models.TextField(_("reasons"), blank=True)
    order = models.ForeignKey(
        "Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("order"),
    )
    revised_at = models.DateTimeField(_("revised on appeal at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(revised_at__isnull=True),
                name="decision_one_in_force",
            ),
            models.CheckConstraint(
                name="decision_assigns_unless_kept",
                condition=Q(outcome="keep") | Q(assigned_category__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.get_outcome_display()}"

    @property
    def body(self) -> str:
        return localized(self, "body")

    @property
    def scope_keys(self) -> tuple:
        return self.application.scope_keys


class Order(TimeStampedModel):
    """An order (приказ) of the attesting body that puts decisions into force."""

    cycle = models.ForeignKey(
        AttestationCycle, on_delete=models.PROTECT, related_name="orders", verbose_name=_("cycle")
    )
    commission = models.ForeignKey(
        Commission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("commission"),
    )
    number = models.CharField(_("order number"), max_length=40)
    dated = models.DateField(_("order date"))
    issuing_body_kk = models.CharField(_("issuing body (Kazakh)"), max_length=255)
    issuing_body_ru = models.CharField(_("issuing body (Russian)"), max_length=255)
    signed_by = models.CharField(_("signed by"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-dated", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_body_ru", "number", "dated"], name="order_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"№ {self.number}"

    @property
    def issuing_body(self) -> str:
        return localized(self, "issuing_body")

    @property
    def scope_keys(self) -> tuple:
        if self.commission_id:
            return self.commission.scope_keys
        return (None, None, self.cycle.region_id)


def _category_certificate_path(certificate: "CategoryCertificate", filename: str) -> str:
    return f"category-certificates/{certificate.year}/{certificate.code}.pdf"


class CategoryCertificate(VerifiableDocument, TimeStampedModel):
    """The category certificate (удостоверение) issued under an order, with its printed
    data frozen, verifiable by QR on the public verification page."""

    class Status(models.TextChoices):
        VALID = "valid", pgettext_lazy("certificate", "valid")
        REVOKED = "revoked", pgettext_lazy("certificate", "revoked")
        REPLACED = "replaced", pgettext_lazy("certificate", "replaced by a re-issue")

    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("decision"),
    )
    teacher = models.ForeignKey(
        Teacher,
        on_delete=models.PROTECT,
        related_name="category_certificates",
        verbose_name=_("holder"),
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("order")
    )
    register_number = models.CharField(_("registration number"), max_length=24, unique=True)
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
    revoke_reason = models.CharField(_("reason"), max_length=500, blank=True)

    # Printed, frozen at issue.
    holder_name = models.CharField(_("holder's name"), max_length=310)
    holder_iin = models.CharField(_("IIN"), max_length=12)
    category_kk = models.CharField(_("category (Kazakh)"), max_length=255)
    category_ru = models.CharField(_("category (Russian)"), max_length=255)
    position_kk = models.CharField(_("position (Kazakh)"), max_length=255)
    position_ru = models.CharField(_("position (Russian)"), max_length=255)
    organization_kk = models.CharField(_("organisation (Kazakh)"), max_length=255)
    organization_ru = models.CharField(_("organisation (Russian)"), max_length=255)
    issuing_body_kk = models.CharField(_("issuing body (Kazakh)"), max_length=255)
    issuing_body_ru = models.CharField(_("issuing body (Russian)"), max_length=255)
    order_number = models.CharField(_("order number"), max_length=40)
    order_date = models.DateField(_("order date"))
    decided_on = models.DateField(_("decision date"))
    valid_until = models.DateField(_("valid until"))
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    pdf = models.FileField(_("PDF"), upload_to=_category_certificate_path, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("category certificate")
        verbose_name_plural = _("category certificates")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision"],
                condition=Q(status="valid"),
                name="category_certificate_one_valid",
            ),
            models.CheckConstraint(
                name="category_certificate_revoked_has_reason",
                condition=Q(status="valid") | ~Q(revoke_reason=""),
            ),
        ]
        indexes = [models.Index(fields=["teacher", "status"])]

    @property
    def category_name(self) -> str:
        return localized(self, "category")

    @property
    def position_name(self) -> str:
        return localized(self, "position")

    @property
    def issuing_body(self) -> str:
        return localized(self, "issuing_body")


class DocumentJob(JobProgress, TimeStampedModel):
    """Documents made by the worker with a progress bar: a session's protocol with the
    teachers' extracts, or an order's category certificates."""

    class Kind(models.TextChoices):
        PROTOCOL = "protocol", _("protocol and extracts")
        CERTIFICATES = "certificates", _("category certificates")

    class Status(models.TextChoices):
        RUNNING = "running", pgettext_lazy("job", "in progress")
        DONE = "done", pgettext_lazy("job", "ready")
        FAILED = "failed", pgettext_lazy("job", "failed")

    kind = models.CharField(_("documents"), max_length=15, choices=Kind.choices)
    session = models.ForeignKey(
        CommissionSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="document_jobs",
    )
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, null=True, blank=True, related_name="document_jobs"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    file = models.FileField(_("file"), upload_to="attestation/documents/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="document_job_has_one_source",
                condition=Q(session__isnull=False, order__isnull=True)
                | Q(session__isnull=True, order__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_running(self) -> bool:
        return self.status == self.Status.RUNNING


class Appeal(TimeStampedModel):
    """A teacher's complaint against a decision, reviewed by the body above within the
    cycle's working days."""

    class Status(models.TextChoices):
        LODGED = "lodged", pgettext_lazy("appeal", "lodged")
        UPHELD = "upheld", pgettext_lazy("appeal", "upheld")
        REJECTED = "rejected", pgettext_lazy("appeal", "rejected")

    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("decision")
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("application")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    text = models.TextField(_("complaint"))
    review_level = models.CharField(
        _("reviewed by"), max_length=12, choices=Level.choices, editable=False
    )
    due_on = models.DateField(_("answer due by"))
    outcome_reason = models.TextField(_("reasons"), blank=True)
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision"], condition=Q(status="lodged"), name="appeal_one_open"
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.application}: {self.get_status_display()}"

    @property
    def teacher(self):
        return self.application.teacher

    @property
    def commission_id(self):
        return self.application.commission_id

    @property
    def scope_keys(self) -> tuple:
        """The body above the one that decided: the district for an organisation's
        commission, the region for the others (a ministry review is recorded there)."""
        _organization_id, district_id, region_id = self.application.scope_keys
        if self.review_level == Level.DISTRICT:
            return (None, district_id, region_id)
        return (None, None, region_id)


class AppealEvent(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(
        _("from"), max_length=10, choices=Appeal.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=Appeal.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class CategoryGrant(TimeStampedModel):
    """A category assigned or kept without attestation, on a ground the rules list."""

    class Ground(models.TextChoices):
        ACADEMIC_DEGREE = "academic_degree", _("PhD or candidate or doctor of science")
        LISTED_GRADUATE = "listed_graduate", _("graduate of a listed programme")
        TEACHING_CERTIFICATE = "teaching_certificate", _("CELTA or DELTA holder")
        LEADERS_RESERVIST = (
            "leaders_reservist",
            _("“1000 leaders” reservist appointed head or deputy head"),
        )
        PRE_PENSION = "pre_pension", _("pre-pension age: kept until the pension")

    teacher = models.ForeignKey(
        Teacher, on_delete=models.PROTECT, related_name="category_grants", verbose_name=_("teacher")
    )
    ground = models.CharField(_("ground"), max_length=25, choices=Ground.choices)
    category = models.ForeignKey(
        QualificationCategory,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    previous_category = models.ForeignKey(
        QualificationCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous category"),
    )
    previous_valid_until = models.DateField(_("previously valid until"), null=True, blank=True)
    awarded_on = models.DateField(_("from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    document = models.CharField(_("supporting document"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("category without attestation")
        verbose_name_plural = _("categories without attestation")
        ordering = ["-awarded_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.teacher}: {self.category}"

    @property
    def scope_keys(self) -> tuple:
        return self.teacher.scope_keys


class Sanction(TimeStampedModel):
    class Kind(models.TextChoices):
        FALSIFIED = "falsified", _("falsified portfolio")
        LATE_APPLICATION = "late_application", _("late application")
        TEST_BREACH = "test_breach", _("breach of the test rules")

    teacher = models.ForeignKey(
        Teacher, on_delete=models.PROTECT, related_name="sanctions", verbose_name=_("teacher")
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sanctions",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("sanction for"), max_length=20, choices=Kind.choices)
    imposed_on = models.DateField(_("imposed on"))
    barred_until = models.DateField(_("no attestation until"), null=True, blank=True)
    category_before = models.ForeignKey(
        QualificationCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category before"),
    )
    category_after = models.ForeignKey(
        QualificationCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category after"),
    )
    valid_until_before = models.DateField(_("previously valid until"), null=True, blank=True)
    valid_until_after = models.DateField(_("now valid until"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["-imposed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.teacher}: {self.get_kind_display()}"

    @property
    def scope_keys(self) -> tuple:
        return self.teacher.scope_keys


class ExpiryNotice(models.Model):
    """A category-expiry notice sent for one threshold (12, 6, 3 months): sent once."""

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="expiry_notices")
    valid_until = models.DateField()
    months = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "valid_until", "months"], name="expiry_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.teacher_id} {self.valid_until} −{self.months}"
