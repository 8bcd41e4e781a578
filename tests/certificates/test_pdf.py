"""The certificate PDF: Kazakh letters as text, the font embedded (once in a merged PDF),
and a QR code that decodes to the verification address."""

import datetime as dt
import io
from dataclasses import replace
from decimal import Decimal

import pypdfium2
import zxingcpp
from pypdf import PdfReader

from apps.certificates.pdf import CertificatePrint, render_certificate, render_certificates
from apps.core.pdf import FONT_FILES, KAZAKH_LETTERS, pdf_fonts

NAME = "Әбдірахманова Гүлнар Серікқызы"
SAMPLE = CertificatePrint(
    register_number="ORL-2026-000123",
    code="7K3M-9QXD-2HVA-PB4N",
    verify_url="https://ustaz-pd.kz/verify/?code=7K3M9QXD2HVAPB4N",
    holder_name=NAME,
    holder_iin="850314400012",
    course_title_kk="Ұлттық құндылықтар мен мәдениет: Қазақ, Ғылым, Үштілділік, Ңң, Өңір, Һһ, Іі",
    course_title_ru="Обновлённое содержание образования: казахский язык",
    agreement_reference="МОН РК № 12-3/456",
    course_format="blended",
    hours=72,
    starts_on=dt.date(2026, 3, 2),
    ends_on=dt.date(2026, 3, 13),
    provider_name_kk="«Өрлеу» біліктілікті арттыру ұлттық орталығы",
    provider_name_ru="Национальный центр повышения квалификации «Өрлеу»",
    assessment_score=Decimal("87.50"),
    issued_on=dt.date(2026, 3, 13),
)


def page_text(content: bytes, page: int = 0) -> str:
    return PdfReader(io.BytesIO(content)).pages[page].extract_text()


def qr_texts(content: bytes) -> list[str]:
    """The QR codes of each page, read from the page rasterised at 150 dpi."""
    document = pypdfium2.PdfDocument(content)
    texts = []
    for page in document:
        image = page.render(scale=150 / 72).to_pil()
        texts.append([barcode.text for barcode in zxingcpp.read_barcodes(image)])
    return texts


def embedded_font_files(content: bytes) -> dict:
    """{font name: its embedded font program object} over all pages."""
    fonts = {}
    for page in PdfReader(io.BytesIO(content)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font["/FontDescriptor"].get_object()
            fonts[font["/BaseFont"]] = descriptor.raw_get("/FontFile2")
    return fonts


def test_the_font_has_every_kazakh_letter():
    fonts = pdf_fonts()
    assert (fonts.regular, fonts.bold) == tuple(FONT_FILES)
    assert pdf_fonts() is fonts  # registered once
    from reportlab.pdfbase.pdfmetrics import getFont

    for name in FONT_FILES:
        glyphs = getFont(name).face.charToGlyph
        assert all(ord(letter) in glyphs for letter in KAZAKH_LETTERS)


def test_the_page_carries_the_kazakh_and_russian_text():
    text = page_text(render_certificate(SAMPLE))
    for expected in (
        NAME,
        "СЕРТИФИКАТ",
        "біліктілікті арттыру курсынан өткені туралы",
        "о прохождении курса повышения квалификации",
        "850314400012",
        "ORL-2026-000123",
        "7K3M-9QXD-2HVA-PB4N",
        "МОН РК № 12-3/456",
        "72 сағат / 72 часа",
        "02.03.2026 – 13.03.2026",
        "аралас / смешанный",
        "87,5 / 100",
        "Национальный центр повышения квалификации «Өрлеу»",
    ):
        assert expected in text, expected
    for letter in KAZAKH_LETTERS:
        assert letter in text, letter


def test_the_font_is_embedded():
    fonts = embedded_font_files(render_certificate(SAMPLE))
    assert len(fonts) == 2  # regular and bold
    assert all(font_file is not None for font_file in fonts.values())


def test_the_qr_code_opens_the_verification_page():
    assert qr_texts(render_certificate(SAMPLE)) == [[SAMPLE.verify_url]]


def test_a_merged_pdf_has_a_page_each_and_embeds_the_font_once():
    items = [
        replace(
            SAMPLE,
            register_number=f"ORL-2026-{n:06d}",
            verify_url=f"https://ustaz-pd.kz/verify/?code=7K3M9QXD2HVA{n:04d}",
        )
        for n in range(1, 13)
    ]
    content = render_certificates(items)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 12
    assert "ORL-2026-000012" in page_text(content, 11)
    font_programs = {
        (ref.idnum if ref is not None else None) for ref in embedded_font_files(content).values()
    }
    assert len(font_programs) == 2
    assert qr_texts(content) == [[item.verify_url] for item in items]


def test_optional_lines_and_long_titles():
    long_reference = replace(SAMPLE, agreement_reference="МОН РК № 12-3/456, " * 5)
    lines = page_text(render_certificate(long_reference)).splitlines()
    wrapped = [line for line in lines if "МОН РК № 12-3/456" in line]
    assert len(wrapped) == 2  # wrapped in the value column, not run off the page
    assert sum(line.count("МОН РК № 12-3/456") for line in wrapped) == 5
    item = replace(
        SAMPLE,
        agreement_reference="",
        assessment_score=None,
        hours=21,
        course_title_kk="Қазақ тілі " * 25,
        course_title_ru="Казахский язык " * 25,
        holder_name="Әбдірахманова-Сейітқұлова Гүлнар-Ақмарал Серікқызы " * 2,
    )
    text = page_text(render_certificate(item))
    assert "Согласование" not in text
    assert "Итоговая оценка" not in text
    assert "21 сағат / 21 час" in text
    assert qr_texts(render_certificate(item)) == [[item.verify_url]]
