"""The registry of teachers and the reference lists it uses (positions, subjects, categories)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.identifiers import validate_iin
from apps.core.models import BilingualNameModel, TimeStampedModel
from apps.organizations.models import InstructionLanguage, Organization


class QualificationCategory(BilingualNameModel):
    """A rung of a qualification ladder (DOMAIN.md); the rules per cycle live in attestation."""

    class Track(models.TextChoices):
        TEACHER = "teacher", _("teacher ladder")
        LEGACY = "legacy", _("legacy category")
        MANAGER = "manager", _("manager ladder")

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
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    middle_name = models.CharField(_("patronymic"), max_length=100, blank=True)
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
