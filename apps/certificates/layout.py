"""The printed page every certificate shares (reportlab): A4 landscape in a double frame,
the issuer's name in Kazakh and Russian over the heading, the holder, rows of a label and
its value, and the footer with the issue date, the register number, the verification code
and the QR code that opens the public verification page.

The course certificate (pdf.py) and the category certificate of attestation
(apps/attestation/pdf/certificate.py) each give only what differs: their Heading (name,
subtitle, sizes and places), their rows, and the width of the label column. One set of
drawing helpers keeps the two documents looking and verifying alike; the attestation app
builds on this module, never the reverse.

Speed: the fonts are registered once per process, the page is plain canvas drawing (no
platypus flowables) and the QR code is one filled path of module runs, so a worker renders
hundreds of certificates a second and a merged PDF embeds the font once.
"""

import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import segno
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from apps.core.pdf import PdfFonts, pdf_fonts

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
INK = Color(0.12, 0.23, 0.37)
GOLD = Color(0.69, 0.55, 0.24)
GREY = Color(0.35, 0.35, 0.38)
BLACK = Color(0, 0, 0)

VERIFY_HINT = "Түпнұсқалығын QR-код арқылы тексеріңіз / Проверьте подлинность по QR-коду:"

LEFT = 80
QR_SIZE = 104
# The QR mask pattern, fixed: letting segno score all eight costs 6 ms of pure Python per
# code, more than the rest of a page. Every mask gives a valid code that readers decode
# (the tests read each one back); 4 scores best on average for our verification URLs.
QR_MASK = 4

# A line of a row's value: its text, font name and size.
Line = tuple[str, str, float]


@dataclass(frozen=True, slots=True)
class Printed:
    """What the shared parts of the page print, for every kind of certificate (each kind's
    own data extends it)."""

    register_number: str
    code: str  # in groups of four, as printed: 7K3M-9QXD-2HVA-PB4N
    verify_url: str
    holder_name: str
    holder_iin: str
    issued_on: dt.date


P = TypeVar("P", bound=Printed)


@dataclass(frozen=True, slots=True)
class Heading:
    """What a kind of certificate prints between the issuer's name and its rows: its name
    (in `size` points, its letters spaced out by `spacing`) with the register number under
    it, the subtitle in Kazakh and in Russian, and the holder; `y` and `holder_y` are where
    the name and the holder's name stand, in points below the page's top edge."""

    title: str
    subtitle_kk: str
    subtitle_ru: str
    size: float
    spacing: float
    y: float
    holder_y: float


def render_pages(
    items: Iterable[P], draw_page: Callable[[Canvas, P, PdfFonts], None], heading: Heading
) -> bytes:
    """Certificates as the pages of one PDF, each drawn by `draw_page` (one canvas: the font
    subset is embedded once), titled with the heading's name and the first register
    number. `items` may be a generator: pages are drawn as it yields."""
    fonts = pdf_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        pageCompression=1,
        initialFontName=fonts.regular,  # not Helvetica: every font in the file is embedded
    )
    canvas.setCreator("Ustaz PD")
    title = None
    for item in items:
        title = title or item.register_number
        draw_page(canvas, item, fonts)
        canvas.showPage()
    canvas.setTitle(f"{heading.title} {title}" if title else heading.title)
    canvas.save()
    return buffer.getvalue()


def draw_top(
    c: Canvas, heading: Heading, issuer: tuple[str, str], item: Printed, fonts: PdfFonts
) -> None:
    """The frame and all above the rows: the issuer's name in Kazakh over Russian, the
    heading with the register number and the subtitle, the holder's name and IIN."""
    _draw_frame(c)
    c.setFillColor(INK)
    _centred_fit(c, issuer[0], fonts.bold, 12, PAGE_HEIGHT - 62)
    c.setFillColor(GREY)
    _centred_fit(c, issuer[1], fonts.regular, 11, PAGE_HEIGHT - 77)
    _draw_heading(c, heading, item.register_number, fonts)
    y = PAGE_HEIGHT - heading.holder_y
    c.setFillColor(INK)
    _centred_fit(c, item.holder_name, fonts.bold, 26, y)
    c.setFillColor(GREY)
    c.setFont(fonts.regular, 11)
    c.drawCentredString(PAGE_WIDTH / 2, y - 20, f"ЖСН / ИИН: {item.holder_iin}")


def _draw_frame(c: Canvas) -> None:
    """The double border: ink outside, gold inside."""
    c.setStrokeColor(INK)
    c.setLineWidth(3)
    c.rect(18, 18, PAGE_WIDTH - 36, PAGE_HEIGHT - 36)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    c.rect(26, 26, PAGE_WIDTH - 52, PAGE_HEIGHT - 52)


def _draw_heading(c: Canvas, heading: Heading, register_number: str, fonts: PdfFonts) -> None:
    middle, y = PAGE_WIDTH / 2, PAGE_HEIGHT - heading.y
    c.setFillColor(INK)
    c.setFont(fonts.bold, heading.size)
    c.drawCentredString(middle, y, heading.title, charSpace=heading.spacing)
    c.setFillColor(GOLD)
    c.setFont(fonts.bold, 13)
    c.drawCentredString(middle, y - 22, f"№ {register_number}")
    c.setFillColor(BLACK)
    c.setFont(fonts.regular, 13)
    c.drawCentredString(middle, y - 46, heading.subtitle_kk)
    c.setFillColor(GREY)
    c.drawCentredString(middle, y - 62, heading.subtitle_ru)


def _centred_fit(c: Canvas, text: str, font: str, size: float, y: float) -> None:
    """One line, centred, made smaller if it is wider than the page allows."""
    width = c.stringWidth(text, font, size)
    available = PAGE_WIDTH - 2 * LEFT
    if width > available:
        size = size * available / width
    c.setFont(font, size)
    c.drawCentredString(PAGE_WIDTH / 2, y, text)


def draw_row(
    c: Canvas, label: str, lines: list[Line], y: float, value_x: float, fonts: PdfFonts
) -> float:
    """A label on the left and its value lines from `value_x`; returns the next row's y."""
    c.setFillColor(GREY)
    c.setFont(fonts.regular, 9.5)
    c.drawString(LEFT, y, label)
    c.setFillColor(BLACK)
    for text, font, size in lines:
        c.setFont(font, size)
        c.drawString(value_x, y, text)
        y -= size * 1.3
    return y - 5


def wrapped(c: Canvas, text: str, font: str, size: float, width: float) -> list[Line]:
    """A value on one line, or on more where it is wider than the value column."""
    if c.stringWidth(text, font, size) <= width:
        return [(text, font, size)]
    return [(line, font, size) for line in simpleSplit(text, font, size, width)]


def bilingual_lines(
    kk: str, ru: str, fonts: tuple[str, str], width: float, *, max_lines: int
) -> list[Line]:
    """A value in Kazakh (in the first font) over Russian (in the second), wrapped to the
    value column, in smaller type where it would take more than `max_lines` lines, so that
    the rows below keep clear of the footer."""
    kk_font, ru_font = fonts
    for size in (11.5, 10, 8.5):
        kk_lines = simpleSplit(kk, kk_font, size, width)
        ru_lines = simpleSplit(ru, ru_font, size, width)
        if len(kk_lines) + len(ru_lines) <= max_lines:
            break
    return [(line, kk_font, size) for line in kk_lines] + [
        (line, ru_font, size) for line in ru_lines
    ]


def draw_footer(c: Canvas, item: Printed, fonts: PdfFonts, *, y: float, value_x: float) -> None:
    """From `y` down: the issue date, the register number and the verification code, the
    verification address under them, and the QR code in the bottom right corner."""
    for label, value in (
        ("Берілген күні / Дата выдачи", printed_date(item.issued_on)),
        ("Тіркеу нөмірі / Регистрационный номер", item.register_number),
        ("Тексеру коды / Код проверки", item.code),
    ):
        c.setFillColor(GREY)
        c.setFont(fonts.regular, 9.5)
        c.drawString(LEFT, y, label)
        c.setFillColor(BLACK)
        c.setFont(fonts.bold, 11)
        c.drawString(value_x, y, value)
        y -= 17
    c.setFillColor(GREY)
    c.setFont(fonts.regular, 8.5)
    c.drawString(LEFT, y - 2, VERIFY_HINT)
    c.drawString(LEFT, y - 13, item.verify_url)
    c.setFillColor(BLACK)
    _draw_qr(c, item.verify_url, PAGE_WIDTH - LEFT - QR_SIZE + 12, 44, QR_SIZE)


def _draw_qr(c: Canvas, text: str, x: float, y: float, size: float) -> None:
    """The QR code as one filled path: a rectangle for every horizontal run of dark
    modules, in module units under one scaling (the white page is the quiet zone; nothing
    else is drawn around it). Written as path operators directly: through the path object
    every coordinate of ~300 rectangles would go through reportlab's slow float formatting."""
    matrix = segno.make(text, error="m", micro=False, mask=QR_MASK).matrix
    size_in_modules = len(matrix)
    ops = []
    for r, row in enumerate(matrix):
        bottom = size_in_modules - 1 - r
        start = None
        for col, dark in enumerate(row):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                ops.append(f"{start} {bottom} {col - start} 1 re")
                start = None
        if start is not None:
            ops.append(f"{start} {bottom} {size_in_modules - start} 1 re")
    module = size / size_in_modules
    c.saveState()
    c.transform(module, 0, 0, module, x, y)
    c.addLiteral("\n".join(ops) + "\nf")
    c.restoreState()


def printed_date(day: dt.date) -> str:
    """A date as printed: 13.03.2026."""
    return day.strftime("%d.%m.%Y")
