"""The report as a PDF (reportlab platypus): A4 portrait in PT Serif (every Kazakh letter),
what the report covers at the top, then each section's table with its chart beside it (or
under it, when the table is wide or long), and the page numbers in the footer.

Charts are reportlab.graphics drawings: horizontal bars, whose long Kazakh and Russian
labels read on the left of each bar, or a pie with a legend of labels and counts."""

import io
import math
from collections.abc import Callable
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from apps.core.pdf import PdfFonts, pdf_fonts

from .content import BAR, TEXT, Chart, ReportContent, Section, number_text

MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
INK = colors.Color(0.12, 0.23, 0.37)
GREY = colors.Color(0.35, 0.35, 0.38)
RULE = colors.Color(0.8, 0.82, 0.86)
HEADER_FILL = colors.Color(0.86, 0.9, 0.95)
PALETTE = [
    colors.HexColor(value)
    for value in (
        "#1f4e79",
        "#c55a11",
        "#548235",
        "#7030a0",
        "#bf9000",
        "#2e75b6",
        "#a5a5a5",
        "#843c0c",
        "#70ad47",
        "#ff66cc",
    )
]
CELL_SIZE = 8.5
CELL_PADDING = 14  # a table cell's left and right padding, and a little air
NUMBER_COLUMN = 56
MIN_LABEL_COLUMN, MAX_LABEL_COLUMN = 110, 230
CHART_FONT_SIZE = 7
# A chart stands beside its table when the table leaves it this much room and is short
# enough to keep on one page with it; otherwise under the table.
MIN_CHART_WIDTH = 190
SIDE_ROWS = 22
CHART_GAP = 12
STACKED_CHART_WIDTH = 360
# The bars of a chart at most (the table has every row); the room of a value axis label.
CHART_MAX_BARS = 25
AXIS_LABEL_ROOM = 42
PIE_SIZE = 96
LEGEND_ROW = 10


def render(content: ReportContent, progress: Callable[[int, int], None]) -> bytes:
    fonts = pdf_fonts()
    styles = _Styles(fonts)
    story = [Paragraph(escape(content.title), styles.title), _details(content, styles)]
    total = len(content.sections)
    for number, section in enumerate(content.sections, 1):
        story += _section(section, styles, fonts)
        story.append(_Reached(lambda n=number: progress(n, total)))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm,
        title=content.title,
        author="Ustaz PD",
    )
    footer = _footer(content, fonts)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


class _Styles:
    def __init__(self, fonts: PdfFonts):
        regular, bold = fonts.regular, fonts.bold
        self.title = ParagraphStyle("title", fontName=bold, fontSize=16, leading=20, textColor=INK)
        self.heading = ParagraphStyle(
            "heading",
            fontName=bold,
            fontSize=12,
            leading=15,
            spaceBefore=12,
            spaceAfter=3,
            textColor=INK,
        )
        self.note = ParagraphStyle(
            "note", fontName=regular, fontSize=8, leading=10, textColor=GREY, spaceAfter=4
        )
        self.cell = ParagraphStyle("cell", fontName=regular, fontSize=CELL_SIZE, leading=10.5)
        self.bold = ParagraphStyle("bold", parent=self.cell, fontName=bold)
        self.number = ParagraphStyle("number", parent=self.cell, alignment=TA_RIGHT)
        self.header_number = ParagraphStyle("header_number", parent=self.bold, alignment=TA_RIGHT)


class _Reached(Flowable):
    """Takes no room; tells the progress callback when the build has laid out a section."""

    def __init__(self, reached: Callable[[], None]):
        super().__init__()
        self.reached = reached

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        self.reached()


def _footer(content: ReportContent, fonts: PdfFonts):
    left = f"{content.title} · {content.details[0][1]}"

    def draw(canvas, document):
        canvas.saveState()
        canvas.setFont(fonts.regular, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, MARGIN, left[:110])
        page = _("Page %(number)d") % {"number": document.page}
        canvas.drawRightString(A4[0] - MARGIN, MARGIN, page)
        canvas.restoreState()

    return draw


def _details(content: ReportContent, styles: _Styles) -> Table:
    rows = [
        [Paragraph(escape(label), styles.bold), Paragraph(escape(value), styles.cell)]
        for label, value in content.details
    ]
    table = Table(rows, colWidths=[0.3 * WIDTH, 0.7 * WIDTH], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
            ]
        )
    )
    return table


def _section(section: Section, styles: _Styles, fonts: PdfFonts) -> list[Flowable]:
    head = [Paragraph(escape(section.title), styles.heading)]
    if section.note:
        head.append(Paragraph(escape(section.note), styles.note))
    widths = _column_widths(section, fonts)
    rows = len(section.rows) + (section.total is not None)
    chart_width = WIDTH - sum(widths) - CHART_GAP
    if section.chart is not None and chart_width >= MIN_CHART_WIDTH and rows <= SIDE_ROWS:
        pair = Table(
            [[_table(section, styles, widths), _chart(section.chart, chart_width, fonts)]],
            colWidths=[sum(widths) + CHART_GAP, chart_width],
            hAlign="LEFT",
        )
        pair.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        return [KeepTogether([*head, pair])]
    # Too wide or too long to share the width: the label column takes the rest of it.
    widths[0] += WIDTH - sum(widths)
    table = _table(section, styles, widths)
    if section.chart is None:
        return [KeepTogether([*head, table])]
    # The heading stays with the table's first rows; a long table runs on to the next page.
    return [*head, table, Spacer(1, 6), _chart(section.chart, STACKED_CHART_WIDTH, fonts)]


def _column_widths(section: Section, fonts: PdfFonts) -> list[float]:
    """The label column as wide as its longest label (within reason), each figure's column
    as wide as the longest word of its header, so headers wrap between words only."""

    def width(text: str, font: str) -> float:
        return stringWidth(text, font, CELL_SIZE) + CELL_PADDING

    labels = [str(values[0]) for values in section.rows]
    label = max(
        [width(section.columns[0].label, fonts.bold)]
        + [width(text, fonts.regular) for text in labels]
        + ([width(str(section.total[0]), fonts.bold)] if section.total else [])
    )
    figures = [
        max(NUMBER_COLUMN, *(width(word, fonts.bold) for word in column.label.split()))
        for column in section.columns[1:]
    ]
    return [min(max(label, MIN_LABEL_COLUMN), MAX_LABEL_COLUMN), *figures]


def _table(section: Section, styles: _Styles, widths: list[float]) -> Table:
    header = [
        Paragraph(escape(column.label), styles.bold if n == 0 else styles.header_number)
        for n, column in enumerate(section.columns)
    ]
    body = [_cells(section, values, styles) for values in section.rows]
    if section.total is not None:
        body.append(_cells(section, section.total, styles, bold=True))
    table = Table([header, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if section.total is not None:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.75, INK))
    table.setStyle(TableStyle(style))
    return table


def _cells(section: Section, values: list, styles: _Styles, *, bold: bool = False) -> list:
    cells = []
    for column, value in zip(section.columns, values, strict=True):
        if column.kind == TEXT:
            cells.append(Paragraph(escape(str(value)), styles.bold if bold else styles.cell))
        else:
            text = "—" if value is None else number_text(value)
            style = styles.header_number if bold else styles.number
            cells.append(Paragraph(escape(text), style))
    return cells


# --- charts -----------------------------------------------------------------------------------


def _chart(chart: Chart, width: float, fonts: PdfFonts) -> Drawing:
    if chart.kind == BAR:
        return _bar_chart(chart, width, fonts)
    return _pie_chart(chart, width, fonts)


def _fit(text: str, width: float, font: str, size: float = CHART_FONT_SIZE) -> str:
    """The text, cut short with an ellipsis to fit `width` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(f"{text}…", font, size) > width:
        text = text[:-1]
    return f"{text.rstrip()}…"


def _axis_step(largest: int, ticks: int) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving at most `ticks` steps of whole
    numbers (the counts are whole: a tick at 2.5 teachers would mislead)."""
    if largest <= ticks:
        return 1
    power = 10 ** math.floor(math.log10(largest / ticks))
    return next(step * power for step in (1, 2, 5, 10) if largest / (step * power) <= ticks)


def _bar_chart(chart: Chart, width: float, fonts: PdfFonts) -> Drawing:
    labels = chart.labels[:CHART_MAX_BARS]
    series = [(name, values[:CHART_MAX_BARS]) for name, values in chart.series]
    bar = 8 if len(series) == 1 else 6
    row = bar * len(series) + 5
    legend_height = LEGEND_ROW * len(series) + 4 if len(series) > 1 else 0
    caption_height = 12 if len(chart.labels) > len(labels) else 0
    below = legend_height + caption_height
    label_width = min(
        max(stringWidth(label, fonts.regular, CHART_FONT_SIZE) for label in labels) + 6,
        0.42 * width,
    )
    drawing = Drawing(width, row * len(labels) + 18 + below)
    bars = HorizontalBarChart()
    bars.x, bars.y = label_width, 14 + below
    # Room on the right for the longest bar's count.
    bars.width, bars.height = width - label_width - 30, row * len(labels)
    # Within a label's group reportlab stacks the series upwards: given last to first, they
    # read top-down in the legend's order.
    bars.data = [values for _name, values in reversed(series)]
    bars.barWidth, bars.groupSpacing, bars.barSpacing = bar, 5, 0
    bars.strokeColor = None
    for n in range(len(series)):
        bars.bars[n].fillColor = PALETTE[(len(series) - 1 - n) % len(PALETTE)]
        bars.bars[n].strokeColor = None
    axis = bars.categoryAxis
    axis.categoryNames = [_fit(label, label_width - 6, fonts.regular) for label in labels]
    axis.reverseDirection = 1  # the first row on top, as in the table
    axis.labels.fontName, axis.labels.fontSize = fonts.regular, CHART_FONT_SIZE
    axis.labels.boxAnchor, axis.labels.dx = "e", -3
    axis.strokeColor, axis.tickLeft = GREY, 0
    largest = max(max(values) for _name, values in series)
    step = _axis_step(largest, max(2, int(bars.width // AXIS_LABEL_ROOM)))
    values = bars.valueAxis
    values.valueMin, values.valueStep = 0, step
    values.valueMax = max(step, math.ceil(largest / step) * step)
    values.labels.fontName, values.labels.fontSize = fonts.regular, CHART_FONT_SIZE - 0.5
    values.labelTextFormat = _count_text
    values.strokeColor = GREY
    values.visibleGrid, values.gridStrokeColor, values.gridStrokeWidth = 1, RULE, 0.25
    bars.barLabelFormat = _count_text
    bars.barLabels.fontName, bars.barLabels.fontSize = fonts.regular, CHART_FONT_SIZE - 0.5
    bars.barLabels.boxAnchor, bars.barLabels.dx = "w", 2
    drawing.add(bars)
    if legend_height:
        legend = _legend(
            [(PALETTE[n % len(PALETTE)], name) for n, (name, _values) in enumerate(series)],
            fonts,
        )
        legend.x, legend.y = label_width, below - 2
        legend.columnMaximum = len(series)
        drawing.add(legend)
    if caption_height:
        caption = _("The first %(shown)d of %(count)d rows; the table has them all.") % {
            "shown": len(labels),
            "count": len(chart.labels),
        }
        drawing.add(
            String(label_width, 2, caption, fontName=fonts.regular, fontSize=CHART_FONT_SIZE)
        )
    return drawing


def _count_text(value) -> str:
    return number_text(round(value))


def _legend(pairs, fonts: PdfFonts) -> Legend:
    legend = Legend()
    legend.colorNamePairs = pairs
    legend.fontName, legend.fontSize = fonts.regular, CHART_FONT_SIZE
    legend.alignment = "right"
    legend.boxAnchor = "nw"
    legend.dx = legend.dy = 7
    legend.deltay = 10
    legend.strokeColor = None
    return legend


def _pie_chart(chart: Chart, width: float, fonts: PdfFonts) -> Drawing:
    """The pie with a legend of each slice's label and count: beside the pie when the
    labels fit there, else under it at the chart's full width."""
    _name, values = chart.series[0]
    size = PIE_SIZE
    counts = [f": {number_text(value)}" for value in values]
    texts = [f"{label}{count}" for label, count in zip(chart.labels, counts, strict=True)]
    beside = width - size - 30
    longest = max(stringWidth(text, fonts.regular, CHART_FONT_SIZE) for text in texts)
    legend_width = beside if longest <= beside else width - 18
    legend_height = LEGEND_ROW * len(values)
    height = size + 10 if legend_width == beside else size + 14 + legend_height
    height = max(height, legend_height + 10)
    drawing = Drawing(width, height)
    pie = Pie()
    pie.x, pie.y = 4, height - size - 5
    pie.width = pie.height = size
    pie.data = values
    pie.labels = None
    pie.slices.strokeColor, pie.slices.strokeWidth = colors.white, 0.5
    for n in range(len(values)):
        pie.slices[n].fillColor = PALETTE[n % len(PALETTE)]
    drawing.add(pie)
    legend = _legend(
        [
            (
                PALETTE[n % len(PALETTE)],
                # The label is cut short, never the count.
                _fit(
                    label,
                    legend_width - stringWidth(count, fonts.regular, CHART_FONT_SIZE),
                    fonts.regular,
                )
                + count,
            )
            for n, (label, count) in enumerate(zip(chart.labels, counts, strict=True))
        ],
        fonts,
    )
    if legend_width == beside:
        legend.x, legend.y = size + 16, height - 4
    else:
        legend.x, legend.y = 4, legend_height + 2
    legend.columnMaximum = len(values)
    drawing.add(legend)
    return drawing
