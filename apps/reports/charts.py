"""The dashboard's charts: the same charts as the exported report's, from the same content
(`exports.content.sections`), so that a chart's labels and series names on the page are
those of the PDF; only the drawing (Chart.js, reports-dashboard.js) is the page's own."""

from django.utils.text import capfirst

from .exports.content import PIE, sections
from .selectors import Dashboard

# The page's canvases (their data-chart) and the report's section each draws; True where
# the bars lie (long names: categories, positions, stages, read best as rows).
CANVASES = {
    "category": ("by_category", True),
    "position": ("by_position", True),
    "expiring": ("expiring", False),
    "pd": ("pd", False),
    "courses": ("courses", False),
    "attestation": ("attestation", True),
    "pass-rates": ("pass_by_category", False),
    "leaders": ("leaders", True),
    "age": ("age", False),
    "experience": ("experience", False),
    "sex": ("sex", False),
    "language": ("language", False),
}


def dashboard_charts(figures: Dashboard) -> dict[str, dict]:
    """Each drawable chart by its canvas: type ("bar" or "doughnut"), whether its bars lie,
    labels, and the series as datasets (label, values). A section with nothing to draw has
    no chart, and its canvas none."""
    charts = {section.key: section.chart for section in sections(figures)}
    drawn = {}
    for canvas, (key, horizontal) in CANVASES.items():
        chart = charts[key]
        if chart is None:
            continue
        drawn[canvas] = {
            "type": "doughnut" if chart.kind == PIE else "bar",
            "horizontal": horizontal,
            # As the table next to the chart writes them (a category: "Педагог-эксперт").
            "labels": [capfirst(label) for label in chart.labels],
            "datasets": [{"label": name, "values": values} for name, values in chart.series],
        }
    return drawn
