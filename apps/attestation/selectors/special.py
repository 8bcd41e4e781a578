"""Reads of a teacher's category measures (without attestation, pre-pension, frozen,
sanctions) and category certificates, for the measures page and the teacher page."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Value, When
from django.utils import timezone

from apps.core.dates import add_years
from apps.teachers.models import Teacher
from apps.teachers.selectors import visible_teachers

from .. import eligibility
from ..models import CategoryCertificate, CategoryFreeze, CategoryGrant, Sanction

# The measures on a teacher's category, each its own permission.
MEASURE_PERMISSIONS = (
    "attestation.grant_category",
    "attestation.freeze_category",
    "attestation.impose_sanction",
)


def allowed_measures(user, teacher: Teacher) -> set[str]:
    """The measure permissions the user holds on this teacher (empty: none)."""
    return {perm for perm in MEASURE_PERMISSIONS if user.has_perm(perm, teacher)}


def teacher_category_certificates(teacher: Teacher) -> list[CategoryCertificate]:
    """The teacher's category certificates, the valid ones first, the newest first."""
    valid_first = Case(
        When(status=CategoryCertificate.Status.VALID, then=Value(0)), default=Value(1)
    )
    return list(
        CategoryCertificate.objects.filter(teacher=teacher).order_by(
            valid_first, "-issued_on", "-pk"
        )
    )


@dataclass(frozen=True)
class Pension:
    """The teacher's pension date by the rules of the region's cycle, and since when the
    category may be kept until it."""

    on: dt.date
    window_opens: dt.date

    @property
    def in_window(self) -> bool:
        return self.window_opens <= timezone.localdate() < self.on


@dataclass(frozen=True)
class CategoryMeasures:
    grants: list[CategoryGrant]
    freezes: list[CategoryFreeze]
    sanctions: list[Sanction]
    certificates: list[CategoryCertificate]
    open_freeze: CategoryFreeze | None
    barred_by: Sanction | None
    pension: Pension | None


def category_measures(teacher: Teacher) -> CategoryMeasures:
    grants = list(
        teacher.category_grants.select_related("category", "previous_category", "created_by")
    )
    freezes = list(teacher.category_freezes.select_related("category", "created_by"))
    sanctions = list(
        teacher.sanctions.select_related(
            "category_before", "category_after", "application__cycle", "created_by"
        )
    )
    cycle = eligibility.rules_cycle(teacher)
    pension = None
    if cycle is not None:
        on = eligibility.pension_date(teacher=teacher, cycle=cycle)
        pension = Pension(on, add_years(on, -cycle.pre_pension_years))
    return CategoryMeasures(
        grants=grants,
        freezes=freezes,
        sanctions=sanctions,
        certificates=teacher_category_certificates(teacher),
        open_freeze=next((f for f in freezes if f.returned_on is None), None),
        barred_by=eligibility.falsification_bar(teacher, timezone.localdate()),
        pension=pension,
    )


def freeze_get(*, user, pk: int) -> CategoryFreeze:
    """A freeze of a teacher the user sees; raises CategoryFreeze.DoesNotExist otherwise."""
    return CategoryFreeze.objects.select_related(
        "teacher__organization__district", "teacher__position", "teacher__category"
    ).get(pk=pk, teacher__in=visible_teachers(user).values("pk"))
