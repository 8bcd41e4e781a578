"""What the reports need that no other app records: the yearly PD plan of each district."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel
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
