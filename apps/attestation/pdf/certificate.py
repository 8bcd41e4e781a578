"""The category certificate (удостоверение) as printed (reportlab), fed plain data: one A4
landscape page in Kazakh and Russian with a QR code that opens the public verification
page.

A4 landscape rather than A5: the issuing bodies' and organisations' names run long in
both languages (a district education department's full name is some eighty characters),
and on A4 they stay on one line each at a readable size; it is also the paper the course
certificates and every office printer use, so a whole order prints in one batch.

The printed wording is fixed bilingual text, not interface text: the same document in both
state languages whoever prints it, so it is not run through gettext. Drawing is plain
canvas calls with the fonts registered once per process and the QR code drawn as one
path (apps/certificates/pdf.py), so an order of hundreds renders in seconds.
"""

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from apps.certificates.pdf import draw_qr
from apps.core.pdf import PdfFonts, pdf_fonts


@dataclass(frozen=True, slots=True)
class CategoryCertificatePrint:
    """Everything printed on one category certificate."""

    register_number: str
    code: str
    verify_url: str
    holder_name: str
    holder_iin: str
    category_kk: str
    category_ru: str
    position_kk: str
    position_ru: str
    organization_kk: str
    organization_ru: str
    issuing_body_kk: str
    issuing_body_ru: str
    order_number: str
    order_date: dt.date
    decided_on: dt.date
    valid_until: dt.date
    issued_on: dt.date


PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
INK = Color(0.12, 0.23, 0.37)
GOLD = Color(0.69, 0.55, 0.24)
GREY = Color(0.35, 0.35, 0.38)
BLACK = Color(0, 0, 0)

HEADING = "КУӘЛІК / УДОСТОВЕРЕНИЕ"
SUBTITLE_KK = "педагогке біліктілік санаты берілгені туралы"
SUBTITLE_RU = "о присвоении педагогу квалификационной категории"
VERIFY_HINT = "Түпнұсқалығын QR-код арқылы тексеріңіз / Проверьте подлинность по QR-коду:"

LEFT = 80
LABEL_WIDTH = 250
VALUE_X = LEFT + LABEL_WIDTH + 10
VALUE_WIDTH = PAGE_WIDTH - VALUE_X - LEFT
QR_SIZE = 104


def render_category_certificate(item: CategoryCertificatePrint) -> bytes:
    """One category certificate as a PDF of one page."""
    return render_category_certificates([item])


def render_category_certificates(items: Iterable[CategoryCertificatePrint]) -> bytes:
    """Category certificates as the pages of one PDF (one canvas: the font subset is
    embedded once). `items` may be a generator: pages are drawn as it yields."""
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
        _draw_page(canvas, item, fonts)
        canvas.showPage()
    canvas.setTitle(f"{HEADING} {title}" if title else HEADING)
    canvas.save()
    return buffer.getvalue()


def _draw_page(c: Canvas, item: CategoryCertificatePrint, fonts: PdfFonts) -> None:
    regular, bold = fonts.regular, fonts.bold
    middle, top = PAGE_WIDTH / 2, PAGE_HEIGHT
    _frame(c)

    c.setFillColor(INK)
    _centred_fit(c, item.issuing_body_kk, bold, 12, top - 62)
    c.setFillColor(GREY)
    _centred_fit(c, item.issuing_body_ru, regular, 11, top - 77)

    c.setFillColor(INK)
    c.setFont(bold, 32)
    c.drawCentredString(middle, top - 128, HEADING, charSpace=3)
    c.setFillColor(GOLD)
    c.setFont(bold, 13)
    c.drawCentredString(middle, top - 150, f"№ {item.register_number}")
    c.setFillColor(BLACK)
    c.setFont(regular, 13)
    c.drawCentredString(middle, top - 174, SUBTITLE_KK)
    c.setFillColor(GREY)
    c.drawCentredString(middle, top - 190, SUBTITLE_RU)

    c.setFillColor(INK)
    _centred_fit(c, item.holder_name, bold, 26, top - 232)
    c.setFillColor(GREY)
    c.setFont(regular, 11)
    c.drawCentredString(middle, top - 252, f"ЖСН / ИИН: {item.holder_iin}")

    rows = [
        (
            "Біліктілік санаты / Квалификационная категория",
            [(item.category_kk, bold, 12.5), (item.category_ru, regular, 12.5)],
        ),
        ("Лауазымы / Должность", _pair(c, item.position_kk, item.position_ru, fonts)),
        ("Жұмыс орны / Место работы", _pair(c, item.organization_kk, item.organization_ru, fonts)),
        ("Аттестаттау шешімінің күні / Дата решения", _one(_date(item.decided_on), regular)),
        (
            "Бұйрықтың нөмірі мен күні / Номер и дата приказа",
            _one(f"№ {item.order_number}, {_date(item.order_date)}", regular),
        ),
        ("Жарамдылық мерзімі / Действительно до", _one(_date(item.valid_until), bold)),
    ]
    y = top - 284
    for label, lines in rows:
        y = _row(c, label, lines, y, fonts)

    _footer(c, item, fonts)


def _frame(c: Canvas) -> None:
    c.setStrokeColor(INK)
    c.setLineWidth(3)
    c.rect(18, 18, PAGE_WIDTH - 36, PAGE_HEIGHT - 36)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    c.rect(26, 26, PAGE_WIDTH - 52, PAGE_HEIGHT - 52)


def _centred_fit(c: Canvas, text: str, font: str, size: float, y: float) -> None:
    """One line, centred, made smaller if it is wider than the page allows."""
    width = c.stringWidth(text, font, size)
    available = PAGE_WIDTH - 2 * LEFT
    if width > available:
        size = size * available / width
    c.setFont(font, size)
    c.drawCentredString(PAGE_WIDTH / 2, y, text)


def _one(text: str, font: str, size: float = 11.5) -> list[tuple[str, str, float]]:
    return [(text, font, size)]


def _pair(c: Canvas, kk: str, ru: str, fonts: PdfFonts) -> list[tuple[str, str, float]]:
    """A value in Kazakh and in Russian, a line each, in smaller type where a name is
    long, so that the rows keep clear of the footer (only names of well over a hundred
    characters wrap)."""
    for size in (11.5, 10, 8.5):
        kk_lines = simpleSplit(kk, fonts.regular, size, VALUE_WIDTH)
        ru_lines = simpleSplit(ru, fonts.regular, size, VALUE_WIDTH)
        if len(kk_lines) + len(ru_lines) <= 2:
            break
    return [(line, fonts.regular, size) for line in kk_lines + ru_lines]


def _row(c: Canvas, label: str, lines, y: float, fonts: PdfFonts) -> float:
    """A label on the left and its value lines on the right; returns the next row's y."""
    c.setFillColor(GREY)
    c.setFont(fonts.regular, 9.5)
    c.drawString(LEFT, y, label)
    c.setFillColor(BLACK)
    for text, font, size in lines:
        c.setFont(font, size)
        c.drawString(VALUE_X, y, text)
        y -= size * 1.3
    return y - 5


def _footer(c: Canvas, item: CategoryCertificatePrint, fonts: PdfFonts) -> None:
    y = 112
    for label, value in (
        ("Берілген күні / Дата выдачи", _date(item.issued_on)),
        ("Тіркеу нөмірі / Регистрационный номер", item.register_number),
        ("Тексеру коды / Код проверки", item.code),
    ):
        c.setFillColor(GREY)
        c.setFont(fonts.regular, 9.5)
        c.drawString(LEFT, y, label)
        c.setFillColor(BLACK)
        c.setFont(fonts.bold, 11)
        c.drawString(VALUE_X, y, value)
        y -= 17
    c.setFillColor(GREY)
    c.setFont(fonts.regular, 8.5)
    c.drawString(LEFT, y - 2, VERIFY_HINT)
    c.drawString(LEFT, y - 13, item.verify_url)
    c.setFillColor(BLACK)
    draw_qr(c, item.verify_url, PAGE_WIDTH - LEFT - QR_SIZE + 12, 44, QR_SIZE)


def _date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")
