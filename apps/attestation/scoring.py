"""Portfolio points: the members' submitted totals of an application, their mean, the
spread between reviewers, and the comparison with the claimed category's threshold
(68 / 84 / 113 / 133 by default; the cycle's rule is what counts). Only the sheets of the
application's current version count: a sheet of a version the teacher has since corrected
scored a portfolio that is no longer the one to decide on."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F

from .models import Application, CategoryRule, Review


@dataclass(frozen=True)
class ReviewSummary:
    count: int
    mean: Decimal | None
    low: int | None
    high: int | None
    threshold: int | None

    @property
    def spread(self) -> int | None:
        return None if self.low is None else self.high - self.low

    @property
    def meets(self) -> bool | None:
        """Whether the mean reaches the threshold (None: nothing to compare yet)."""
        if self.mean is None or self.threshold is None:
            return None
        return self.mean >= self.threshold


def summarize(totals: list[int], threshold: int | None) -> ReviewSummary:
    if not totals:
        return ReviewSummary(0, None, None, None, threshold)
    mean = (Decimal(sum(totals)) / len(totals)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return ReviewSummary(len(totals), mean, min(totals), max(totals), threshold)


def review_summaries(applications: Iterable[Application]) -> dict[int, ReviewSummary]:
    """Application id -> its summary of the submitted sheets of its current version, in two
    queries whatever the number of applications."""
    applications = list(applications)
    totals = defaultdict(list)
    for application_id, total in Review.objects.filter(
        application__in=applications,
        submitted_at__isnull=False,
        version=F("application__version"),
    ).values_list("application_id", "total"):
        totals[application_id].append(total)
    thresholds = {
        (cycle_id, category_id): points
        for cycle_id, category_id, points in CategoryRule.objects.filter(
            cycle_id__in={a.cycle_id for a in applications}
        ).values_list("cycle_id", "category_id", "portfolio_points")
    }
    return {
        a.pk: summarize(sorted(totals[a.pk]), thresholds.get((a.cycle_id, a.claimed_category_id)))
        for a in applications
    }
