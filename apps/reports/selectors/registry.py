"""Figures of the registry as of today: teachers by category and position, categories
expiring, and the staff's composition (age, experience, sex, language of instruction)."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from apps.organizations.models import InstructionLanguage
from apps.teachers.filters import (
    AGE_BANDS,
    EXPERIENCE_BANDS,
    EXPIRING_MONTHS,
    age_band_q,
    experience_band_q,
    expiring_q,
)
from apps.teachers.models import Position, QualificationCategory, Teacher

from .base import (
    Breakdown,
    ReportContext,
    ReportFilters,
    Row,
    percent,
    report_context,
    teacher_totals,
)

# The order the ladders are shown in: the teachers' ladder first, legacy categories last.
TRACK_ORDER = {
    QualificationCategory.Track.TEACHER: 0,
    QualificationCategory.Track.HEAD: 1,
    QualificationCategory.Track.DEPUTY: 2,
    QualificationCategory.Track.LEGACY: 3,
}


def ladder_order(category: QualificationCategory | None) -> tuple:
    """Ladder by ladder, rung by rung; no category last."""
    if category is None:
        return (1, 0, 0)
    return (0, TRACK_ORDER.get(category.track, len(TRACK_ORDER)), category.rank)


def _breakdown(ctx: ReportContext, total: int, rows: list[tuple[str, str, int, dict]]) -> Breakdown:
    return Breakdown(
        total=total,
        rows=[
            Row(key, label, count, percent(count, total), ctx.filters.list_query(**query))
            for key, label, count, query in rows
        ],
        list_query=ctx.filters.list_query(),
    )


def _counts_by(ctx: ReportContext, field: str, model) -> list[tuple[object, int]]:
    """(reference row or None, teachers) for every value of the foreign key `field`: those
    of the shared pass over the teachers if it ran (`teacher_totals`), else counted by the
    key alone (grouping by the joined names costs the region three times as much); then
    the few rows named in a second query."""
    counts = ctx.key_counts.get(field)
    if counts is None:
        counts = dict(ctx.teachers.values_list(field).annotate(count=Count("pk")).order_by())
    named = model.objects.in_bulk([pk for pk in counts if pk is not None])
    return [(named.get(pk), count) for pk, count in counts.items()]


# --- categories and positions -----------------------------------------------------------------


def by_category_from(ctx: ReportContext) -> Breakdown:
    counts = _counts_by(ctx, "category_id", QualificationCategory)
    counts.sort(key=lambda item: ladder_order(item[0]))
    rows = [
        (
            category.code if category else "none",
            category.name if category else _("no category"),
            count,
            {"category": category.pk if category else "null"},
        )
        for category, count in counts
    ]
    return _breakdown(ctx, sum(count for _category, count in counts), rows)


def teachers_by_category(user, filters: ReportFilters) -> Breakdown:
    """Teachers by qualification category, ladder by ladder (no category last): two queries."""
    return by_category_from(report_context(user, filters))


def by_position_from(ctx: ReportContext) -> Breakdown:
    counts = _counts_by(ctx, "position_id", Position)
    rows = sorted(
        (
            (position.code, position.name, count, {"position": position.pk})
            for position, count in counts
        ),
        key=lambda row: (-row[2], row[1]),
    )
    return _breakdown(ctx, sum(count for _position, count in counts), rows)


def teachers_by_position(user, filters: ReportFilters) -> Breakdown:
    """Teachers by position, the most numerous first: two queries."""
    return by_position_from(report_context(user, filters))


# --- categories expiring ----------------------------------------------------------------------

EXPIRY_WINDOWS = ("0", "3", "6", "12")


@dataclass(frozen=True)
class ExpiringCategories:
    """Teachers whose category has expired, or expires within 3, 6 or 12 months from today
    (each window includes the shorter ones); shares are of all the teachers counted."""

    teachers: int
    expired: Row
    within_3_months: Row
    within_6_months: Row
    within_12_months: Row

    @property
    def rows(self) -> list[Row]:
        return [self.expired, self.within_3_months, self.within_6_months, self.within_12_months]


def expiring_aggregates(ctx: ReportContext) -> dict:
    return {
        f"expiring_{months}": Count("pk", filter=expiring_q(int(months), ctx.today))
        for months in EXPIRY_WINDOWS
    }


def expiring_from(ctx: ReportContext, totals: dict) -> ExpiringCategories:
    teachers = totals["teachers"]
    rows = [
        Row(
            months,
            str(EXPIRING_MONTHS[months]),
            totals[f"expiring_{months}"],
            percent(totals[f"expiring_{months}"], teachers),
            ctx.filters.list_query(expiring_months=months),
        )
        for months in EXPIRY_WINDOWS
    ]
    return ExpiringCategories(teachers, *rows)


def expiring_categories(user, filters: ReportFilters) -> ExpiringCategories:
    """Categories expired and expiring within 3, 6, 12 months: one query."""
    ctx = report_context(user, filters)
    return expiring_from(ctx, teacher_totals(ctx, expiring_aggregates))


# --- staff composition ------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffComposition:
    age: Breakdown
    experience: Breakdown
    sex: Breakdown
    language: Breakdown


def composition_aggregates(ctx: ReportContext) -> dict:
    aggregates = {
        f"age_{n}": Count("pk", filter=age_band_q(band, ctx.today))
        for n, band in enumerate(AGE_BANDS)
    }
    aggregates.update(
        {
            f"experience_{n}": Count("pk", filter=experience_band_q(band, ctx.today))
            for n, band in enumerate(EXPERIENCE_BANDS)
        }
    )
    aggregates.update({f"sex_{sex}": Count("pk", filter=Q(sex=sex)) for sex in Teacher.Sex.values})
    return aggregates


def _by_language(ctx: ReportContext, total: int) -> Breakdown:
    counts = _counts_by(ctx, "teaching_language_id", InstructionLanguage)
    counts.sort(key=lambda item: (item[0] is None, item[0].pk if item[0] else 0))
    rows = [
        (
            language.code if language else "unknown",
            language.name if language else _("not recorded"),
            count,
            {"teaching_language": language.pk if language else "null"},
        )
        for language, count in counts
    ]
    return _breakdown(ctx, total, rows)


def composition_from(ctx: ReportContext, totals: dict) -> StaffComposition:
    """The bands and the languages from the shared pass; the languages named by one more
    query."""
    total = totals["teachers"]
    age = [
        (band, str(label), totals[f"age_{n}"], {"age_band": band})
        for n, (band, (label, _low, _high)) in enumerate(AGE_BANDS.items())
    ]
    experience = [
        (band, str(label), totals[f"experience_{n}"], {"experience_band": band})
        for n, (band, (label, _low, _high)) in enumerate(EXPERIENCE_BANDS.items())
    ]
    sex = [
        (value, str(label), totals[f"sex_{value}"], {"sex": value})
        for value, label in Teacher.Sex.choices
    ]
    return StaffComposition(
        age=_breakdown(ctx, total, age),
        experience=_breakdown(ctx, total, experience),
        sex=_breakdown(ctx, total, sex),
        language=_by_language(ctx, total),
    )


def staff_composition(user, filters: ReportFilters) -> StaffComposition:
    """Age bands, experience bands, sex and language of instruction: two queries."""
    ctx = report_context(user, filters)
    return composition_from(ctx, teacher_totals(ctx, composition_aggregates))
