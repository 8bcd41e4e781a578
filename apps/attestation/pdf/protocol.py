"""The commission's protocol (ХАТТАМА / ПРОТОКОЛ) and a teacher's extract from it
(ХАТТАМАДАН ҮЗІНДІ / ВЫПИСКА ИЗ ПРОТОКОЛА), laid out with reportlab's platypus and fed
plain data.

The printed wording is fixed bilingual text, not interface text: the same document in both
state languages whoever prints it, so it is not run through gettext (a later change of a
translation must not change what a protocol says).

The protocol is A4 landscape: its table has eight columns of bilingual text, which on a
portrait page would wrap every category name into four lines. A long agenda continues on
further pages with the table's header repeated. The extract is one A4 portrait page.
"""

import datetime as dt
import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from apps.core.pdf import PdfFonts, pdf_fonts


@dataclass(frozen=True, slots=True)
class MemberPrint:
    full_name: str
    position: str
    role: str  # CommissionMember.Role: "chair", "member" or "secretary"


@dataclass(frozen=True, slots=True)
class RowPrint:
    """One agenda item and its decision; categories as (Kazakh, Russian), empty for none."""

    number: int
    application_id: int
    full_name: str
    organization_kk: str
    organization_ru: str
    position_kk: str
    position_ru: str
    current: tuple[str, str]
    claimed: tuple[str, str]
    assigned: tuple[str, str]
    outcome: str  # Decision.Outcome: "meets", "lower" or "keep"
    capped_by_test: bool
    votes_for: int
    votes_against: int
    casting_vote: bool


@dataclass(frozen=True, slots=True)
class ProtocolPrint:
    number: str
    commission_kk: str
    commission_ru: str
    held_at: dt.datetime  # local time
    place: str
    present: tuple[MemberPrint, ...]
    voting_members: int
    voting_present: int
    quorum_needed: int
    chair_name: str
    secretary_name: str
    rows: tuple[RowPrint, ...]


PROTOCOL_HEADING = "ХАТТАМА / ПРОТОКОЛ"
EXTRACT_HEADING = "ХАТТАМАДАН ҮЗІНДІ / ВЫПИСКА ИЗ ПРОТОКОЛА"
MEETING = "Аттестаттау комиссиясының отырысы / заседания аттестационной комиссии"
AGENDA = "Күн тәртібі: педагогтерді аттестаттау / Повестка дня: аттестация педагогов"
ROLES = {
    "chair": "төраға / председатель",
    "member": "комиссия мүшесі / член комиссии",
    "secretary": "хатшы / секретарь",
}
OUTCOMES = {
    "meets": ("Мәлімделген санатқа сәйкес келеді", "Соответствует заявленной категории"),
    "lower": ("Төменірек санат берілді", "Присвоена более низкая категория"),
    "keep": ("Бұрынғы санаты сақталды", "Сохранена имеющаяся категория"),
}
CAPPED = ("ОЗП нәтижесі бойынша шектелді", "ограничено результатом ОЗП")
CASTING = ("төрағаның шешуші дауысымен", "решающим голосом председателя")
NO_CATEGORY = ("санаты жоқ", "без категории")
TABLE_HEADER = (
    "№",
    "Т.А.Ә. / Ф.И.О.",
    "Лауазымы / Должность",
    "Қазіргі санаты / Имеющаяся категория",
    "Мәлімделген санат / Заявленная категория",
    "Берілген санат / Присвоенная категория",
    "Шешім / Решение",
    "Дауыстар: қолдады / қарсы<br/>Голоса: за / против",
)
# Column widths of the landscape table (points): 770 = the page less its margins.
COLUMNS = (24, 150, 100, 90, 90, 90, 146, 80)
MARGIN = 36
GRID = colors.Color(0.55, 0.55, 0.6)
HEADER_FILL = colors.Color(0.92, 0.93, 0.95)


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    text: ParagraphStyle
    cell: ParagraphStyle
    head: ParagraphStyle


def _styles(fonts: PdfFonts) -> _Styles:
    text = ParagraphStyle("text", fontName=fonts.regular, fontSize=10, leading=13)
    return _Styles(
        title=ParagraphStyle(
            "title", fontName=fonts.bold, fontSize=15, leading=19, alignment=TA_CENTER
        ),
        text=text,
        cell=ParagraphStyle("cell", parent=text, fontSize=8, leading=10),
        head=ParagraphStyle("head", parent=text, fontName=fonts.bold, fontSize=8, leading=10),
    )


def _both(kk: str, ru: str) -> str:
    """Kazakh and Russian on two lines, once where they are the same word."""
    kk, ru = escape(kk), escape(ru)
    return kk if kk == ru else f"{kk}<br/>{ru}"


def _category(names: tuple[str, str]) -> str:
    return _both(*names) if names[0] or names[1] else _both(*NO_CATEGORY)


def _date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _decision(row: RowPrint) -> str:
    kk, ru = OUTCOMES[row.outcome]
    if row.capped_by_test:
        kk, ru = f"{kk} ({CAPPED[0]})", f"{ru} ({CAPPED[1]})"
    if row.casting_vote:
        kk, ru = f"{kk}, {CASTING[0]}", f"{ru}, {CASTING[1]}"
    return _both(kk, ru)


def _header(protocol: ProtocolPrint, heading: str, styles: _Styles) -> list:
    held = protocol.held_at
    return [
        Paragraph(escape(heading), styles.title),
        Paragraph(f"№ {escape(protocol.number)}", styles.title),
        Spacer(1, 6),
        Paragraph(f"<b>{escape(protocol.commission_kk)}</b>", styles.text),
        Paragraph(f"<b>{escape(protocol.commission_ru)}</b>", styles.text),
        Paragraph(MEETING, styles.text),
        Spacer(1, 4),
        Paragraph(f"Күні / Дата: {_date(held.date())}, уақыты / время: {held:%H:%M}", styles.text),
        Paragraph(f"Өткізілген орны / Место проведения: {escape(protocol.place)}", styles.text),
    ]


def _quorum(protocol: ProtocolPrint, styles: _Styles) -> Paragraph:
    p, t, n = protocol.voting_present, protocol.voting_members, protocol.quorum_needed
    met = p >= n
    return Paragraph(
        f"Кворум: дауыс беретін {t} мүшенің {p} қатысты (қажет — {n}), "
        f"{'кворум бар' if met else 'кворум жоқ'} / "
        f"присутствуют {p} из {t} голосующих членов (необходимо — {n}), "
        f"{'кворум имеется' if met else 'кворума нет'}",
        styles.text,
    )


def _signatures(protocol: ProtocolPrint, styles: _Styles, *, chair: bool) -> list:
    lines = []
    if chair:
        lines.append(("Төраға / Председатель", protocol.chair_name))
    lines.append(("Хатшы / Секретарь", protocol.secretary_name))
    table = Table(
        [
            [Paragraph(label, styles.text), "_" * 24, Paragraph(escape(name), styles.text)]
            for label, name in lines
        ],
        colWidths=(170, 150, 220),
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("TOPPADDING", (0, 0), (-1, -1), 14)])
    )
    return [Spacer(1, 18), table]


def _page_number(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(pdf_fonts().regular, 8)
    canvas.drawRightString(
        doc.pagesize[0] - MARGIN, MARGIN / 2, f"Бет / Страница {canvas.getPageNumber()}"
    )
    canvas.restoreState()


def _build(story: list, *, pagesize, title: str) -> bytes:
    fonts = pdf_fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        creator="Ustaz PD",
        initialFontName=fonts.regular,  # not Helvetica: every font in the file is embedded
        pageCompression=1,
    )
    document.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


def render_protocol(protocol: ProtocolPrint) -> bytes:
    """The whole protocol: header, members present, quorum, the table of decisions (its
    header repeated on every page), signatures of the chair and the secretary."""
    styles = _styles(pdf_fonts())
    story = _header(protocol, PROTOCOL_HEADING, styles)
    story.append(Spacer(1, 6))
    story.append(Paragraph("<b>Қатысқандар / Присутствовали:</b>", styles.text))
    for n, member in enumerate(protocol.present, start=1):
        story.append(
            Paragraph(
                f"{n}. {escape(member.full_name)} — {ROLES.get(member.role, member.role)}"
                f"{', ' + escape(member.position) if member.position else ''}",
                styles.text,
            )
        )
    story += [Spacer(1, 4), _quorum(protocol, styles), Spacer(1, 6)]
    story += [Paragraph(f"<b>{AGENDA}</b>", styles.text), Spacer(1, 6)]
    rows = [[Paragraph(text, styles.head) for text in TABLE_HEADER]]
    for row in protocol.rows:
        rows.append(
            [
                Paragraph(str(row.number), styles.cell),
                Paragraph(
                    f"<b>{escape(row.full_name)}</b><br/>"
                    + _both(row.organization_kk, row.organization_ru),
                    styles.cell,
                ),
                Paragraph(_both(row.position_kk, row.position_ru), styles.cell),
                Paragraph(_category(row.current), styles.cell),
                Paragraph(_category(row.claimed), styles.cell),
                Paragraph(_category(row.assigned), styles.cell),
                Paragraph(_decision(row), styles.cell),
                Paragraph(f"{row.votes_for} / {row.votes_against}", styles.cell),
            ]
        )
    table = Table(rows, colWidths=COLUMNS, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story.append(table)
    story += _signatures(protocol, styles, chair=True)
    return _build(story, pagesize=landscape(A4), title=f"{PROTOCOL_HEADING} № {protocol.number}")


def render_extract(protocol: ProtocolPrint, row: RowPrint) -> bytes:
    """One teacher's extract: the protocol's header and quorum, their row and decision,
    certified by the secretary."""
    styles = _styles(pdf_fonts())
    story = _header(protocol, EXTRACT_HEADING, styles)
    story += [Spacer(1, 4), _quorum(protocol, styles), Spacer(1, 10)]
    votes = f"қолдады / за — {row.votes_for}, қарсы / против — {row.votes_against}"
    if row.casting_vote:
        votes += f" ({CASTING[0]} / {CASTING[1]})"
    fields = [
        ("Т.А.Ә. / Ф.И.О.", f"<b>{escape(row.full_name)}</b>"),
        ("Ұйым / Организация", _both(row.organization_kk, row.organization_ru)),
        ("Лауазымы / Должность", _both(row.position_kk, row.position_ru)),
        ("Қазіргі санаты / Имеющаяся категория", _category(row.current)),
        ("Мәлімделген санат / Заявленная категория", _category(row.claimed)),
        ("Дауыс беру / Голосование", votes),
        ("Шешім / Решение", _decision(row)),
        ("Берілген санат / Присвоенная категория", _category(row.assigned)),
    ]
    table = Table(
        [[Paragraph(label, styles.head), Paragraph(value, styles.text)] for label, value in fields],
        colWidths=(170, 353),
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("BACKGROUND", (0, 0), (0, -1), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [
        Paragraph(
            f"Күн тәртібінің {row.number}-тармағы / Пункт {row.number} повестки дня", styles.text
        ),
        Spacer(1, 6),
        table,
        Spacer(1, 10),
        Paragraph("Үзінді дұрыс / Выписка верна", styles.text),
    ]
    story += _signatures(protocol, styles, chair=False)
    return _build(story, pagesize=A4, title=f"{EXTRACT_HEADING} № {protocol.number}")
