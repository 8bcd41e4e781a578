"""The course certificate's printed layout (reportlab), fed plain data: one A4 landscape
page in Kazakh and Russian with a QR code that opens the public verification page, drawn on
the page every certificate shares (layout.py): here only its heading, subtitle and rows.

The printed wording is fixed bilingual text, not interface text: the same document in both
state languages whoever prints it, so it is not run through gettext (a later change of a
translation must not change what a certificate says).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from reportlab.pdfgen.canvas import Canvas

from apps.core.pdf import PdfFonts

from . import layout


@dataclass(frozen=True, slots=True)
class CertificatePrint(layout.Printed):
    """Everything printed on one course certificate, besides what every certificate prints."""

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


TITLE = "СЕРТИФИКАТ"
SUBTITLE_KK = "біліктілікті арттыру курсынан өткені туралы"
SUBTITLE_RU = "о прохождении курса повышения квалификации"
HEADING = layout.Heading(TITLE, SUBTITLE_KK, SUBTITLE_RU, size=40, spacing=6, y=132, holder_y=238)

# (Kazakh, Russian) names of Course.Format values.
FORMATS = {
    "in_person": ("бетпе-бет", "очный"),
    "online": ("қашықтан", "дистанционный"),
    "blended": ("аралас", "смешанный"),
}

LABEL_WIDTH = 235
VALUE_X = layout.LEFT + LABEL_WIDTH + 10
VALUE_WIDTH = layout.PAGE_WIDTH - VALUE_X - layout.LEFT


def render_certificate(item: CertificatePrint) -> bytes:
    """One certificate as a PDF of one page."""
    return render_certificates([item])


def render_certificates(items: Iterable[CertificatePrint]) -> bytes:
    """Certificates as the pages of one PDF (one canvas: the font subset is embedded once)."""
    return layout.render_pages(items, _draw_page, HEADING)


def _draw_page(c: Canvas, item: CertificatePrint, fonts: PdfFonts) -> None:
    layout.draw_top(c, HEADING, (item.provider_name_kk, item.provider_name_ru), item, fonts)

    format_kk, format_ru = FORMATS.get(item.course_format, (item.course_format,) * 2)
    rows = [
        ("Бағдарлама / Программа", _course_lines(item, fonts)),
        ("Бағдарламаның келісімі / Согласование программы", item.agreement_reference),
        ("Көлемі / Объём", f"{item.hours} сағат / {item.hours} {_ru_hours(item.hours)}"),
        (
            "Оқу мерзімі / Сроки обучения",
            f"{layout.printed_date(item.starts_on)} – {layout.printed_date(item.ends_on)}",
        ),
        ("Оқыту форматы / Формат обучения", f"{format_kk} / {format_ru}"),
        (
            "Қорытынды бағалау / Итоговая оценка",
            f"{_number(item.assessment_score)} / 100" if item.assessment_score is not None else "",
        ),
    ]
    y = layout.PAGE_HEIGHT - 292
    for label, value in rows:
        if not value:
            continue
        if isinstance(value, str):
            value = layout.wrapped(c, value, fonts.regular, 11, VALUE_WIDTH)
        y = layout.draw_row(c, label, value, y, VALUE_X, fonts)

    layout.draw_footer(c, item, fonts, y=118, value_x=VALUE_X)


def _course_lines(item: CertificatePrint, fonts: PdfFonts) -> list[layout.Line]:
    """The course title in both languages, wrapped; smaller type for very long titles, so
    that the rows below never reach the footer."""
    return layout.bilingual_lines(
        item.course_title_kk,
        item.course_title_ru,
        (fonts.bold, fonts.regular),
        VALUE_WIDTH,
        max_lines=4,
    )


def _number(value: Decimal) -> str:
    """A score as the Kazakh and Russian write it: decimal comma, no trailing zeros."""
    return f"{value.normalize():f}".replace(".", ",")


def _ru_hours(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "час"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "часа"
    return "часов"
