"""The certificate's printed layout (reportlab), fed plain data: one A4 landscape page in
Kazakh and Russian with a QR code that opens the public verification page.

The printed wording is fixed bilingual text, not interface text: the same document in both
state languages whoever prints it, so it is not run through gettext (a later change of a
translation must not change what a certificate says).

Speed: the fonts are registered once per process, the page is plain canvas drawing (no
platypus flowables) and the QR code is one filled path of module runs, so a worker renders
hundreds of certificates a second and a run's merged PDF embeds the font once.
"""

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import segno
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from apps.core.pdf import PdfFonts, pdf_fonts


@dataclass(frozen=True, slots=True)
class CertificatePrint:
    """Everything printed on one certificate."""

    register_number: str
    code: str
    verify_url: str
    holder_name: str
    holder_iin: str
    course_title_kk: str
    course_title_ru: str
    agreement_reference: str
    course_format: str
    hours: int
    starts_on: dt.date
    ends_on: dt.date
    provider_name_kk: str
    provider_name_ru: str
    assessment_score: Decimal | None
    issued_on: dt.date


PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
INK = Color(0.12, 0.23, 0.37)
GOLD = Color(0.69, 0.55, 0.24)
GREY = Color(0.35, 0.35, 0.38)
BLACK = Color(0, 0, 0)

HEADING = "СЕРТИФИКАТ"
SUBTITLE_KK = "біліктілікті арттыру курсынан өткені туралы"
SUBTITLE_RU = "о прохождении курса повышения квалификации"
VERIFY_HINT = "Түпнұсқалығын QR-код арқылы тексеріңіз / Проверьте подлинность по QR-коду:"
# (Kazakh, Russian) names of Course.Format values.
FORMATS = {
    "in_person": ("бетпе-бет", "очный"),
    "online": ("қашықтан", "дистанционный"),
    "blended": ("аралас", "смешанный"),
}

LEFT = 80
LABEL_WIDTH = 235
VALUE_X = LEFT + LABEL_WIDTH + 10
VALUE_WIDTH = PAGE_WIDTH - VALUE_X - LEFT
QR_SIZE = 104
# The QR mask pattern, fixed: letting segno score all eight costs 6 ms of pure Python per
# code, more than the rest of a page. Every mask gives a valid code that readers decode
# (the tests read each one back); 4 scores best on average for our verification URLs.
QR_MASK = 4


def render_certificate(item: CertificatePrint) -> bytes:
    """One certificate as a PDF of one page."""
    return render_certificates([item])


def render_certificates(items: Iterable[CertificatePrint]) -> bytes:
    """Certificates as the pages of one PDF (one canvas: the font subset is embedded once)."""
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


def _draw_page(c: Canvas, item: CertificatePrint, fonts: PdfFonts) -> None:
    regular, bold = fonts.regular, fonts.bold
    middle, top = PAGE_WIDTH / 2, PAGE_HEIGHT
    _frame(c)

    c.setFillColor(INK)
    _centred_fit(c, item.provider_name_kk, bold, 12, top - 62)
    c.setFillColor(GREY)
    _centred_fit(c, item.provider_name_ru, regular, 11, top - 77)

    c.setFillColor(INK)
    c.setFont(bold, 40)
    c.drawCentredString(middle, top - 132, HEADING, charSpace=6)
    c.setFillColor(GOLD)
    c.setFont(bold, 13)
    c.drawCentredString(middle, top - 154, f"№ {item.register_number}")
    c.setFillColor(BLACK)
    c.setFont(regular, 13)
    c.drawCentredString(middle, top - 178, SUBTITLE_KK)
    c.setFillColor(GREY)
    c.drawCentredString(middle, top - 194, SUBTITLE_RU)

    c.setFillColor(INK)
    _centred_fit(c, item.holder_name, bold, 26, top - 238)
    c.setFillColor(GREY)
    c.setFont(regular, 11)
    c.drawCentredString(middle, top - 258, f"ЖСН / ИИН: {item.holder_iin}")

    format_kk, format_ru = FORMATS.get(item.course_format, (item.course_format,) * 2)
    rows = [
        ("Бағдарлама / Программа", _course_lines(item, fonts)),
        ("Бағдарламаның келісімі / Согласование программы", item.agreement_reference),
        ("Көлемі / Объём", f"{item.hours} сағат / {item.hours} {_ru_hours(item.hours)}"),
        ("Оқу мерзімі / Сроки обучения", f"{_date(item.starts_on)} – {_date(item.ends_on)}"),
        ("Оқыту форматы / Формат обучения", f"{format_kk} / {format_ru}"),
        (
            "Қорытынды бағалау / Итоговая оценка",
            f"{_number(item.assessment_score)} / 100" if item.assessment_score is not None else "",
        ),
    ]
    y = top - 292
    for label, value in rows:
        if value:
            lines = value if isinstance(value, list) else _wrapped(c, value, regular, 11)
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


def _course_lines(item: CertificatePrint, fonts: PdfFonts) -> list[tuple[str, str, float]]:
    """The course title in both languages, wrapped; smaller type for very long titles, so
    that the rows below never reach the footer."""
    for size in (11.5, 10, 8.5):
        kk = simpleSplit(item.course_title_kk, fonts.bold, size, VALUE_WIDTH)
        ru = simpleSplit(item.course_title_ru, fonts.regular, size, VALUE_WIDTH)
        if len(kk) + len(ru) <= 4:
            break
    return [(line, fonts.bold, size) for line in kk] + [(line, fonts.regular, size) for line in ru]


def _wrapped(c: Canvas, text: str, font: str, size: float) -> list[tuple[str, str, float]]:
    """A value on one line, or on more where it is wider than the value column."""
    if c.stringWidth(text, font, size) <= VALUE_WIDTH:
        return [(text, font, size)]
    return [(line, font, size) for line in simpleSplit(text, font, size, VALUE_WIDTH)]


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


def _footer(c: Canvas, item: CertificatePrint, fonts: PdfFonts) -> None:
    y = 118
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


def draw_qr(c: Canvas, text: str, x: float, y: float, size: float) -> None:
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


def _date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _number(value: Decimal) -> str:
    """A score as the Kazakh and Russian write it: decimal comma, no trailing zeros."""
    return f"{value.normalize():f}".replace(".", ",")


def _ru_hours(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "час"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "часа"
    return "часов"
