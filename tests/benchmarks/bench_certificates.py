"""Certificate PDFs on one core: ours (reportlab, apps.certificates.pdf) beside WeasyPrint
rendering the same layout from HTML and CSS.

- certificates_per_s: single PDFs through the production function, as the worker renders
  them after a run is completed (rendering only: the task adds a row read and a file write);
- certificates_merged_per_s: a run of 500 as one merged PDF, pages per second;
- weasyprint_per_s: the same page as HTML+CSS with the same font files and the QR code as
  inline SVG from segno, one PDF each (its font configuration shared between documents, its
  most favourable set-up);
- an estimate of the time to render a year's 16,000 certificates with two workers.
The process is pinned to one core and timed by its own CPU time (the work is pure
computation into memory), best of three rounds, so that other load on a shared machine
does not decide the figures. No database is needed: the data are plain.
"""

import datetime as dt
import html
import os
import time
from decimal import Decimal

SINGLE = 300
MERGED = 500
PEER = 30
ROUNDS = 3
YEAR_CERTIFICATES = 16_000
WORKERS = 2


def run(report) -> None:
    from apps.certificates.pdf import render_certificate, render_certificates

    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cores)})
    try:
        items = [_item(n) for n in range(max(SINGLE, MERGED))]
        render_certificate(items[0])  # fonts registered, code paths warm

        single = _best_rate(SINGLE, lambda: [render_certificate(i) for i in items[:SINGLE]])
        report("certificates_per_s", single, "certificates/s")
        merged = _best_rate(MERGED, lambda: render_certificates(items[:MERGED]))
        report("certificates_merged_per_s", merged, "pages/s")

        weasyprint = _weasyprint_renderer()
        weasyprint(items[0])
        theirs = _best_rate(PEER, lambda: [weasyprint(i) for i in items[:PEER]])
        report("weasyprint_per_s", theirs, "certificates/s")
        report("certificates_vs_weasyprint", single / theirs, "x")
        report(
            f"certificates_{YEAR_CERTIFICATES}_with_{WORKERS}_workers",
            YEAR_CERTIFICATES / (WORKERS * single),
            "s",
        )
    finally:
        os.sched_setaffinity(0, cores)


def _best_rate(count: int, work) -> float:
    best = min(_seconds(work) for _ in range(ROUNDS))
    return count / best


def _seconds(work) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def _item(n: int):
    from apps.certificates.models import CODE_ALPHABET
    from apps.certificates.pdf import CertificatePrint

    code = "".join(CODE_ALPHABET[(n * 7 + i * 13) % len(CODE_ALPHABET)] for i in range(16))
    return CertificatePrint(
        register_number=f"ORL-2026-{n + 1:06d}",
        code="-".join(code[i : i + 4] for i in range(0, 16, 4)),
        verify_url=f"https://ustaz-pd.kz/verify/?code={code}",
        holder_name=f"Әбдірахманова Гүлнар Серікқызы {n}",
        holder_iin="850314400012",
        course_title_kk=(
            "Жаңартылған білім беру мазмұны аясында қазақ тілі мен әдебиеті пәні "
            "мұғалімдерінің кәсіби құзыреттілігін дамыту"
        ),
        course_title_ru=(
            "Развитие профессиональной компетентности учителей казахского языка и "
            "литературы в рамках обновлённого содержания образования"
        ),
        agreement_reference="МОН РК № 12-3/456 от 15.01.2026",
        course_format="blended",
        hours=72,
        starts_on=dt.date(2026, 3, 2),
        ends_on=dt.date(2026, 3, 13),
        provider_name_kk="«Өрлеу» біліктілікті арттыру ұлттық орталығы» АҚ филиалы",
        provider_name_ru="Филиал АО «НЦПК «Өрлеу» по Туркестанской области",
        assessment_score=Decimal("87.50"),
        issued_on=dt.date(2026, 3, 13),
    )


_CSS = """
@font-face { font-family: "PT Serif"; src: url("%(regular)s"); font-weight: 400; }
@font-face { font-family: "PT Serif"; src: url("%(bold)s"); font-weight: 700; }
@page { size: A4 landscape; margin: 18pt; }
body { margin: 0; font-family: "PT Serif"; color: #000; }
.outer { border: 3pt solid #1f3a5f; height: 553pt; box-sizing: border-box; padding: 5pt; }
.inner { border: 0.8pt solid #b08c3d; height: 100%%; box-sizing: border-box;
         padding: 22pt 54pt 0; position: relative; }
.centre { text-align: center; }
.provider-kk { font-weight: 700; font-size: 12pt; color: #1f3a5f; }
.provider-ru { font-size: 11pt; color: #595961; }
h1 { font-size: 40pt; letter-spacing: 6pt; color: #1f3a5f; margin: 22pt 0 0; }
.number { font-weight: 700; font-size: 13pt; color: #b08c3d; }
.subtitle { font-size: 13pt; margin-top: 8pt; }
.name { font-weight: 700; font-size: 26pt; color: #1f3a5f; margin-top: 22pt; }
.iin { font-size: 11pt; color: #595961; }
table { margin-top: 18pt; border-collapse: collapse; }
th { font-weight: 400; font-size: 9.5pt; color: #595961; width: 245pt; text-align: left;
     vertical-align: top; padding: 0 0 4pt; }
td { font-size: 11pt; padding: 0 0 4pt; }
.footer { position: absolute; left: 54pt; bottom: 22pt; }
.footer td { font-weight: 700; }
.hint { font-size: 8.5pt; color: #595961; margin-top: 4pt; }
.qr { position: absolute; right: 42pt; bottom: 18pt; width: 104pt; height: 104pt; }
.qr svg { width: 104pt; height: 104pt; }
"""


def _table_rows(rows) -> str:
    return "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows)


def _weasyprint_renderer():
    """A function rendering one certificate with WeasyPrint, set up as it would be in
    production: the stylesheet parsed and the fonts loaded once."""
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its progress log is per page
    import segno
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from apps.certificates.layout import QR_MASK
    from apps.certificates.pdf import FORMATS, _number, _ru_hours
    from apps.core.pdf import FONT_FILES

    regular, bold = (path.as_uri() for path in FONT_FILES.values())
    fonts = FontConfiguration()
    stylesheet = CSS(string=_CSS % {"regular": regular, "bold": bold}, font_config=fonts)

    def render(item) -> bytes:
        e = html.escape
        qr = segno.make(item.verify_url, error="m", micro=False, mask=QR_MASK)
        format_kk, format_ru = FORMATS[item.course_format]
        rows = [
            (
                "Бағдарлама / Программа",
                f"<b>{e(item.course_title_kk)}</b><br>{e(item.course_title_ru)}",
            ),
            ("Бағдарламаның келісімі / Согласование программы", e(item.agreement_reference)),
            ("Көлемі / Объём", f"{item.hours} сағат / {item.hours} {_ru_hours(item.hours)}"),
            (
                "Оқу мерзімі / Сроки обучения",
                f"{item.starts_on:%d.%m.%Y} – {item.ends_on:%d.%m.%Y}",
            ),
            ("Оқыту форматы / Формат обучения", f"{format_kk} / {format_ru}"),
            ("Қорытынды бағалау / Итоговая оценка", f"{_number(item.assessment_score)} / 100"),
        ]
        footer = [
            ("Берілген күні / Дата выдачи", f"{item.issued_on:%d.%m.%Y}"),
            ("Тіркеу нөмірі / Регистрационный номер", e(item.register_number)),
            ("Тексеру коды / Код проверки", e(item.code)),
        ]
        page = f"""<!DOCTYPE html><html lang="kk"><body><div class="outer"><div class="inner">
<div class="centre"><div class="provider-kk">{e(item.provider_name_kk)}</div>
<div class="provider-ru">{e(item.provider_name_ru)}</div><h1>СЕРТИФИКАТ</h1>
<div class="number">№ {e(item.register_number)}</div>
<div class="subtitle">біліктілікті арттыру курсынан өткені туралы<br>
о прохождении курса повышения квалификации</div>
<div class="name">{e(item.holder_name)}</div>
<div class="iin">ЖСН / ИИН: {e(item.holder_iin)}</div></div>
<table>{_table_rows(rows)}</table>
<div class="footer"><table>{_table_rows(footer)}</table>
<div class="hint">Түпнұсқалығын QR-код арқылы тексеріңіз / Проверьте подлинность по QR-коду:<br>
{e(item.verify_url)}</div></div>
<div class="qr">{qr.svg_inline(border=0)}</div></div></div></body></html>"""
        return HTML(string=page).write_pdf(stylesheets=[stylesheet], font_config=fonts)

    return render
