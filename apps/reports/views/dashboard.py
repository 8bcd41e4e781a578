"""The HR dashboard: every figure of the user's scope as filtered, the units one level down
to drill into, and the charts' data (the page's tables hold the same numbers)."""

import dataclasses

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from ..forms import ReportFiltersForm, filters_query
from ..selectors import Dashboard, ReportFilters, Row, drilldown, scope_name
from ..selectors import dashboard as dashboard_figures

SCOPE_LEVELS = ("region", "district", "organization")


def dashboard(request):
    if not request.user.has_perm("reports.view_dashboard"):
        raise PermissionDenied
    form = ReportFiltersForm(request.GET, user=request.user)
    # A change of the filters (htmx) redraws the filters and the figures, not the page.
    template = "reports/_dashboard_body.html" if request.htmx else "reports/dashboard.html"
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    filters = form.filters()
    figures = dashboard_figures(request.user, filters)
    drill = drilldown(request.user, filters)
    context = {
        "form": form,
        "figures": figures,
        "query": filters_query(filters),
        "drilldown": drill,
        "drill_rows": [(row, filters_query(row.filters)) for row in drill.rows],
        "trail": _trail(request.user, form, filters),
        "charts": _charts(figures),
    }
    return render(request, template, context)


def _trail(user, form: ReportFiltersForm, filters: ReportFilters) -> list[tuple[str, str]]:
    """The breadcrumb of the drill-down, (name, dashboard query) from the user's whole
    scope (named when it is one region or district) down to the report's unit, the other
    filters kept."""
    top = scope_name(user) or _("Whole scope")
    trail = [(top, filters_query(dataclasses.replace(filters, **_above(0))))]
    for depth, level in enumerate(SCOPE_LEVELS, start=1):
        unit = form.cleaned_data.get(level)
        # (The unit that is the whole scope is already the top.)
        if unit is not None and unit.name != top:
            trail.append((unit.name, filters_query(dataclasses.replace(filters, **_above(depth)))))
    return trail


def _above(depth: int) -> dict:
    """The scope filters below `depth` levels cleared."""
    return dict.fromkeys(SCOPE_LEVELS[depth:])


def _series(rows: list[Row]) -> dict:
    return {"labels": [row.label for row in rows], "values": [row.count for row in rows]}


def _charts(figures: Dashboard) -> dict:
    """Labels and counts of every chart, by its canvas's data-chart (reports-dashboard.js)."""
    staff, pd, courses = figures.staff, figures.pd, figures.courses.total
    return {
        "category": {"type": "bar", "horizontal": True, **_series(figures.by_category.rows)},
        "position": {"type": "bar", "horizontal": True, **_series(figures.by_position.rows)},
        "expiring": {"type": "bar", **_series(figures.expiring.rows)},
        "pd": {"type": "doughnut", **_series([pd.trained, pd.not_trained])},
        "courses": {
            "type": "doughnut",
            "labels": [_("completed"), _("not completed"), _("dropped out"), _("awaiting results")],
            "values": [courses.completed, courses.not_completed, courses.dropped, courses.awaiting],
        },
        "attestation": {"type": "bar", "horizontal": True, **_series(figures.attestation.stages)},
        "pass-rates": {
            "type": "bar",
            "labels": [rate.label for rate in figures.attestation.by_category],
            "datasets": [
                {
                    "label": _("decided"),
                    "values": [r.decided for r in figures.attestation.by_category],
                },
                {
                    "label": _("met the category"),
                    "values": [r.met for r in figures.attestation.by_category],
                },
            ],
        },
        "leaders": {"type": "bar", "horizontal": True, **_series(figures.leaders.stages)},
        "age": {"type": "bar", **_series(staff.age.rows)},
        "experience": {"type": "bar", **_series(staff.experience.rows)},
        "sex": {"type": "doughnut", **_series(staff.sex.rows)},
        "language": {"type": "doughnut", **_series(staff.language.rows)},
    }
