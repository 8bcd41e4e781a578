"""The HR dashboard: every figure of the user's scope as filtered, the units one level down
to drill into, and the charts' data (the page's tables hold the same numbers)."""

import dataclasses

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from ..charts import dashboard_charts
from ..forms import ReportFiltersForm, filters_query
from ..selectors import ReportFilters, dashboard_page, scope_unit

SCOPE_LEVELS = ("region", "district", "organization")


# The same address gives the page or its body: a cache must keep them apart.
@vary_on_headers("HX-Request")
def dashboard(request):
    if not request.user.has_perm("reports.view_dashboard"):
        raise PermissionDenied
    form = ReportFiltersForm(request.GET, user=request.user)
    # A change of the filters (htmx) redraws the filters and the figures, not the page;
    # going back to a page htmx no longer holds asks for the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "reports/_dashboard_body.html" if partial else "reports/dashboard.html"
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    filters = form.filters()
    figures, drill = dashboard_page(request.user, filters)
    context = {
        "form": form,
        "figures": figures,
        "query": filters_query(filters),
        "drilldown": drill,
        "drill_rows": [(row, filters_query(row.filters)) for row in drill.rows],
        "trail": _trail(request.user, form, filters),
        "charts": dashboard_charts(figures),
    }
    return render(request, template, context)


def _trail(user, form: ReportFiltersForm, filters: ReportFilters) -> list[tuple[str, str]]:
    """The breadcrumb of the drill-down, (name, dashboard query), the other filters kept:
    from the user's whole scope (named when it is one unit) down to the report's unit,
    leaving out the levels above the scope's unit (a district's methodologist has no
    region to go up to) and the scope's unit itself, which is the top."""
    top = scope_unit(user)
    trail = [(top.name if top else _("Whole scope"), filters_query(_above(filters, 0)))]
    start = SCOPE_LEVELS.index(top.level) if top else 0
    for depth, level in enumerate(SCOPE_LEVELS[start:], start=start + 1):
        unit = form.cleaned_data.get(level)
        if unit is not None and not (top and top.level == level and top.pk == unit.pk):
            trail.append((unit.name, filters_query(_above(filters, depth))))
    return trail


def _above(filters: ReportFilters, depth: int) -> ReportFilters:
    """The filters with the scope levels below `depth` cleared."""
    return dataclasses.replace(filters, **dict.fromkeys(SCOPE_LEVELS[depth:]))
