"""The exported report's content, built once from the dashboard's figures and rendered by
every format: the XLSX, CSV and PDF files show the same sections, rows, totals and charts
because none of them reads the figures itself.

A cell is a `str` (a label), an `int` (a count), a `Decimal` (hours per teacher; in a
PERCENT column a share in per cent, 0-100) or None (no figure: an empty cell, a dash in
the PDF). Labels are translated when the content is built, so the caller activates the
report's language first (the figures' own labels were translated when they were counted).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..selectors import Breakdown, Dashboard, PassRate, Row
from ..selectors.described import FiltersDescribed

TEXT, NUMBER, PERCENT = "text", "number", "percent"
BAR, PIE = "bar", "pie"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = NUMBER


@dataclass(frozen=True)
class Chart:
    """A section's chart: horizontal bars (one series, or several side by side for each
    label) or a pie (one series). Built only when there is something to draw."""

    kind: str
    labels: list[str]
    series: list[tuple[str, list[int]]]


@dataclass(frozen=True)
class Section:
    """One table of the report: its title, what to know to read it (`note`), the header,
    the rows, the totals row (only where the rows add up to a whole) and its chart."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list]
    total: list | None = None
    note: str = ""
    chart: Chart | None = None


@dataclass(frozen=True)
class ReportContent:
    """The report: its title, the lines that say what it covers (scope, period, filters,
    dates) as (label, value), and its sections."""

    title: str
    details: list[tuple[str, str]]
    sections: list[Section]
    generated_at: dt.datetime


def report_content(figures: Dashboard, described: FiltersDescribed) -> ReportContent:
    """The report of `figures`, its filters in words as `described`."""
    return ReportContent(
        title=_("HR report"),
        details=report_details(figures, described),
        sections=sections(figures),
        generated_at=timezone.localtime(),
    )


def short_date(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def number_text(value, kind: str = NUMBER, *, grouping: bool = True) -> str:
    """A figure as the report's language writes it (3 456 and 33,3 in Kazakh and Russian):
    thousands grouped for reading, not for a CSV cell that a spreadsheet parses; with a per
    cent sign as `kind` PERCENT (a table's share column says "%" in its header instead);
    None as an empty string."""
    if value is None:
        return ""
    decimals = 0 if isinstance(value, int) else 1
    text = number_format(value, decimals, use_l10n=True, force_grouping=grouping)
    return f"{text}%" if kind == PERCENT else text


# --- what the report covers -------------------------------------------------------------------


def report_details(figures: Dashboard, described: FiltersDescribed) -> list[tuple[str, str]]:
    """What the report covers, as (label, value): the scope and the period first (each
    sheet of the workbook repeats those two), then the other filters and the dates."""
    filters = figures.filters
    return [
        (_("Scope"), described.scope),
        (_("Period"), f"{short_date(filters.period_start)} – {short_date(filters.period_end)}"),
        *described.details,
        (_("Registry figures as of"), short_date(figures.today)),
        (_("Generated"), date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")),
    ]


# --- the sections -----------------------------------------------------------------------------


def sections(figures: Dashboard) -> list[Section]:
    """The dashboard's figures as tables, in the dashboard's order."""
    staff = figures.staff
    return [
        _breakdown(
            "by_category",
            _("Teachers by qualification category"),
            _("Category"),
            figures.by_category,
        ),
        _breakdown("by_position", _("Teachers by position"), _("Position"), figures.by_position),
        _expiring(figures),
        _pd_coverage(figures),
        _courses(figures),
        _attestation_stages(figures),
        _pass_rates(
            "pass_by_category",
            _("Attestation pass rate by claimed category"),
            _("Claimed category"),
            figures.attestation.by_category,
            figures.attestation.overall,
        ),
        _pass_rates(
            "pass_by_district",
            _("Attestation pass rate by district"),
            _("District or city"),
            figures.attestation.by_district,
            figures.attestation.overall,
        ),
        _leaders_stages(figures),
        _leaders_statuses(figures),
        _breakdown("age", _("Teachers by age"), _("Age"), staff.age),
        _breakdown(
            "experience", _("Teachers by teaching experience"), _("Experience"), staff.experience
        ),
        _breakdown("sex", _("Teachers by sex"), _("Sex"), staff.sex, chart=PIE),
        _breakdown(
            "language",
            _("Teachers by language of instruction"),
            _("Language of instruction"),
            staff.language,
            chart=PIE,
        ),
    ]


def _share_column() -> Column:
    return Column(_("Share, %"), PERCENT)


def _chart(kind: str, labels: list[str], *series: tuple[str, list[int]]) -> Chart | None:
    """The chart, or None when every value is zero (an empty pie cannot be drawn, and empty
    bars say nothing the table does not)."""
    if not any(value for _name, values in series for value in values):
        return None
    return Chart(kind, labels, list(series))


def _count_rows(rows: list[Row]) -> list[list]:
    return [[capfirst(row.label), row.count, row.percent] for row in rows]


def _count_chart(kind: str, rows: list[Row], series: str) -> Chart | None:
    return _chart(
        kind, [capfirst(row.label) for row in rows], (series, [row.count for row in rows])
    )


def _breakdown(key, title, label, breakdown: Breakdown, *, chart=BAR) -> Section:
    teachers = _("Teachers")
    return Section(
        key=key,
        title=title,
        columns=[Column(label, TEXT), Column(teachers), _share_column()],
        rows=_count_rows(breakdown.rows),
        total=[_("Total"), breakdown.total, HUNDRED if breakdown.total else None],
        chart=_count_chart(chart, breakdown.rows, teachers),
    )


def _expiring(figures: Dashboard) -> Section:
    expiring = figures.expiring
    teachers = _("Teachers")
    return Section(
        key="expiring",
        title=_("Qualification categories expiring"),
        columns=[Column(_("Category valid"), TEXT), Column(teachers), _share_column()],
        rows=_count_rows(expiring.rows),
        note=ngettext(
            "As of %(date)s. Each period includes the shorter ones; shares are of the "
            "%(teachers)s teacher counted.",
            "As of %(date)s. Each period includes the shorter ones; shares are of all "
            "%(teachers)s teachers counted.",
            expiring.teachers,
        )
        % {"date": short_date(figures.today), "teachers": number_text(expiring.teachers)},
        chart=_count_chart(BAR, expiring.rows, teachers),
    )


def _pd_coverage(figures: Dashboard) -> Section:
    pd = figures.pd
    rows = [
        *_count_rows([pd.teachers, pd.trained, pd.not_trained]),
        [_("PD hours completed in the period"), pd.period_hours, None],
        [_("PD hours per teacher"), pd.hours_per_teacher, None],
        [_("Plan for %(year)d: teachers to train") % {"year": pd.plan_year}, pd.plan, None],
        *_count_rows([pd.fact]),
        [_("Plan fulfilment"), None, pd.plan_percent],
    ]
    note = _(
        "Trained: professional development ending on or after %(date)s (at least once in "
        "3 years). The plan is set for whole districts only."
    ) % {"date": short_date(pd.since)}
    return Section(
        key="pd",
        title=_("Professional development coverage"),
        columns=[Column(_("Indicator"), TEXT), Column(_("Value")), _share_column()],
        rows=rows,
        note=note,
        chart=_count_chart(PIE, [pd.trained, pd.not_trained], _("Teachers")),
    )


def _courses(figures: Dashboard) -> Section:
    courses = figures.courses
    outcomes = [_("Completed"), _("Not completed"), _("Dropped out"), _("Awaiting results")]

    def cells(row) -> list:
        return [row.completed, row.not_completed, row.dropped, row.awaiting, row.rate]

    total = courses.total
    return Section(
        key="courses",
        title=_("Course completion"),
        columns=[
            Column(_("Course"), TEXT),
            *(Column(label) for label in outcomes),
            Column(_("Completion rate, %"), PERCENT),
        ],
        rows=[[row.label, *cells(row)] for row in courses.by_course],
        total=[_("Total"), *cells(total)],
        note=_(
            "Enrolments in the runs that ended within the period; the completion rate is of "
            "those finished (completed, not completed or dropped out)."
        ),
        chart=_chart(PIE, outcomes, (_("Enrolments"), cells(total)[:4])),
    )


def _attestation_stages(figures: Dashboard) -> Section:
    pipeline = figures.attestation
    applications = _("Applications")
    if pipeline.cycles:
        cycles = _("Attestation cycles: %(cycles)s.") % {"cycles": ", ".join(pipeline.cycles)}
    else:
        cycles = _("No attestation cycle opens its applications within the period.")
    overdue = _("Submitted and not answered by the due date: %(count)s.") % {
        "count": number_text(pipeline.overdue)
    }
    return Section(
        key="attestation",
        title=_("Attestation applications by stage"),
        columns=[Column(_("Stage"), TEXT), Column(applications), _share_column()],
        rows=_count_rows(pipeline.stages),
        total=[_("Total"), pipeline.total, HUNDRED if pipeline.total else None],
        note=f"{cycles} {overdue}",
        chart=_count_chart(BAR, pipeline.stages, applications),
    )


def _pass_rates(key, title, label, rates: list[PassRate], overall: PassRate) -> Section:
    decided, met = _("Decisions"), _("Met the category claimed")
    return Section(
        key=key,
        title=title,
        columns=[
            Column(label, TEXT),
            Column(decided),
            Column(met),
            Column(_("Pass rate, %"), PERCENT),
        ],
        rows=[[rate.label, rate.decided, rate.met, rate.rate] for rate in rates],
        total=[_("Total"), overall.decided, overall.met, overall.rate],
        note=_("Decisions in force of the applications counted above."),
        chart=_chart(
            BAR,
            [rate.label for rate in rates],
            (decided, [rate.decided for rate in rates]),
            (met, [rate.met for rate in rates]),
        ),
    )


def _leaders_intakes(figures: Dashboard) -> str:
    if figures.leaders.intakes:
        return _("Intakes: %(intakes)s.") % {"intakes": ", ".join(figures.leaders.intakes)}
    return _("No intake of the programme falls within the period.")


def _leaders_stages(figures: Dashboard) -> Section:
    leaders = figures.leaders
    candidates = _("Candidates")
    rate = _("Appointed of those who entered the reserve: %(rate)s.") % {
        "rate": "—"
        if leaders.appointment_rate is None
        else number_text(leaders.appointment_rate, PERCENT)
    }
    return Section(
        key="leaders",
        title=_("“1000 leaders”: how far the candidates got"),
        columns=[
            Column(_("Stage"), TEXT),
            Column(candidates),
            Column(_("Of applicants, %"), PERCENT),
        ],
        rows=_count_rows(leaders.stages),
        note=f"{_leaders_intakes(figures)} {rate}",
        chart=_count_chart(BAR, leaders.stages, candidates),
    )


def _leaders_statuses(figures: Dashboard) -> Section:
    statuses = figures.leaders.statuses
    candidates = sum(row.count for row in statuses)
    return Section(
        key="leaders_statuses",
        title=_("“1000 leaders”: candidates by status"),
        columns=[Column(_("Status"), TEXT), Column(_("Candidates")), _share_column()],
        rows=_count_rows(statuses),
        total=[_("Total"), candidates, HUNDRED if candidates else None],
        note=_leaders_intakes(figures),
        chart=_count_chart(PIE, statuses, _("Candidates")),
    )
