"""Region -> district or city -> organisation (school, college, ...)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.identifiers import validate_bin
from apps.core.models import BilingualNameModel, TimeStampedModel


class Region(BilingualNameModel):
    kato = models.CharField(_("KATO code"), max_length=9, unique=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["kato"]

    @property
    def scope_keys(self) -> tuple:
        """(organisation, district, region) ids, for the permission rules."""
        return (None, None, self.pk)


class District(BilingualNameModel):
    class Kind(models.TextChoices):
        CITY = "city", _("city")
        DISTRICT = "district", _("district")

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="districts", verbose_name=_("region")
    )
    kato = models.CharField(_("KATO code"), max_length=9, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = _("district or city")
        verbose_name_plural = _("districts and cities")
        ordering = ["kato"]


class InstructionLanguage(BilingualNameModel):
    """A language of instruction (Kazakh, Russian, Uzbek, English)."""

    code = models.CharField(_("code"), max_length=5, unique=True)

    class Meta:
        verbose_name = _("language of instruction")
        verbose_name_plural = _("languages of instruction")
        ordering = ["pk"]


class Organization(BilingualNameModel, TimeStampedModel):
    class Kind(models.TextChoices):
        SCHOOL = "school", _("school")
        COLLEGE = "college", _("college")
        PRESCHOOL = "preschool", _("preschool organisation")
        ADDITIONAL = "additional", _("additional education organisation")
        SPECIAL = "special", _("special education organisation")
        METHODICAL = "methodical", _("methodical centre")
        OTHER = "other", _("other")

    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("district or city"),
    )
    bin = models.CharField(
        _("BIN"),
        max_length=12,
        unique=True,
        validators=[validate_bin],
        help_text=_("Business identification number: 12 digits."),
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, db_index=True)
    languages = models.ManyToManyField(
        InstructionLanguage,
        related_name="organizations",
        verbose_name=_("languages of instruction"),
        blank=True,
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_ru"]
        indexes = [models.Index(fields=["district", "kind"])]

    @property
    def scope_keys(self) -> tuple:
        """(organisation, district, region) ids, for the permission rules."""
        return (self.pk, self.district_id, self.district.region_id)
