"""The category certificate (удостоверение) as printed (reportlab), fed plain data: one A4
landscape page in Kazakh and Russian with a QR code that opens the public verification
page, drawn on the page every certificate shares (apps/certificates/layout.py): here only
its heading, subtitle and rows.

A4 landscape rather than A5: the issuing bodies' and organisations' names run long in
both languages (a district education department's full name is some eighty characters),
and on A4 they stay on one line each at a readable size; it is also the paper the course
certificates and every office printer use, so a whole order prints in one batch.

The printed wording is fixed bilingual text, not interface text: the same document in both
state languages whoever prints it, so it is not run through gettext. The shared page is
plain canvas drawing with the fonts registered once per process, so an order of hundreds
renders in seconds.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas

from apps.certificates import layout
from apps.core.pdf import PdfFonts


@dataclass(frozen=True, slots=True)
class CategoryCertificatePrint(layout.Printed):
    """Everything printed on one category certificate, besides what every certificate
    prints."""

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


TITLE = "КУӘЛІК / УДОСТОВЕРЕНИЕ"
SUBTITLE_KK = "педагогке біліктілік санаты берілгені туралы"
SUBTITLE_RU = "о присвоении педагогу квалификационной категории"
HEADING = layout.Heading(TITLE, SUBTITLE_KK, SUBTITLE_RU, size=32, spacing=3, y=128, holder_y=232)

LABEL_WIDTH = 250
VALUE_X = layout.LEFT + LABEL_WIDTH + 10
VALUE_WIDTH = layout.PAGE_WIDTH - VALUE_X - layout.LEFT


def render_category_certificate(item: CategoryCertificatePrint) -> bytes:
    """One category certificate as a PDF of one page."""
    return render_category_certificates([item])


def render_category_certificates(items: Iterable[CategoryCertificatePrint]) -> bytes:
    """Category certificates as the pages of one PDF (one canvas: the font subset is
    embedded once). `items` may be a generator: pages are drawn as it yields."""
    return layout.render_pages(items, _draw_page, HEADING)


def _draw_page(c: Canvas, item: CategoryCertificatePrint, fonts: PdfFonts) -> None:
    regular, bold = fonts.regular, fonts.bold
    layout.draw_top(c, HEADING, (item.issuing_body_kk, item.issuing_body_ru), item, fonts)

    rows = [
        (
            "Біліктілік санаты / Квалификационная категория",
            [(item.category_kk, bold, 12.5), (item.category_ru, regular, 12.5)],
        ),
        ("Лауазымы / Должность", _pair(item.position_kk, item.position_ru, fonts)),
        ("Жұмыс орны / Место работы", _pair(item.organization_kk, item.organization_ru, fonts)),
        (
            "Аттестаттау шешімінің күні / Дата решения",
            _one(layout.printed_date(item.decided_on), regular),
        ),
        (
            "Бұйрықтың нөмірі мен күні / Номер и дата приказа",
            _one(f"№ {item.order_number}, {layout.printed_date(item.order_date)}", regular),
        ),
        (
            "Жарамдылық мерзімі / Действительно до",
            _one(layout.printed_date(item.valid_until), bold),
        ),
    ]
    y = layout.PAGE_HEIGHT - 284
    for label, lines in rows:
        y = layout.draw_row(c, label, lines, y, VALUE_X, fonts)

    layout.draw_footer(c, item, fonts, y=112, value_x=VALUE_X)


def _one(text: str, font: str, size: float = 11.5) -> list[layout.Line]:
    return [(text, font, size)]


def _pair(kk: str, ru: str, fonts: PdfFonts) -> list[layout.Line]:
    """A value in Kazakh and in Russian, a line each, in smaller type where a name is
    long, so that the rows keep clear of the footer (only names of well over a hundred
    characters wrap)."""
    return layout.bilingual_lines(kk, ru, (fonts.regular, fonts.regular), VALUE_WIDTH, max_lines=2)
