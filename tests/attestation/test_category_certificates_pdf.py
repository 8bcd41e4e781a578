"""The category certificate's PDF: the bilingual fixed text and the frozen data as text
(Kazakh letters included), the QR code that opens the public check, a page per
certificate in a merged PDF with the font embedded once, and the stored PDF of a
certificate issued under an order."""

import datetime as dt
import io
from dataclasses import replace

import pypdfium2
import pytest
import zxingcpp
from django.utils import timezone
from pypdf import PdfReader

from apps.attestation.pdf.certificate import (
    CategoryCertificatePrint,
    render_category_certificate,
    render_category_certificates,
)
from apps.attestation.services import orders
from apps.core.pdf import KAZAKH_LETTERS

from .conftest import commission_with_members
from .test_orders_services import decided, issue

SAMPLE = CategoryCertificatePrint(
    register_number="ATT-2026-000042",
    code="7K3M-9QXD-2HVA-PB4N",
    verify_url="https://ustaz-pd.kz/verify/?code=7K3M9QXD2HVAPB4N",
    holder_name="Әбдірахманова Гүлнар Серікқызы",
    holder_iin="850314400012",
    category_kk="педагог-сарапшы",
    category_ru="педагог-эксперт",
    position_kk="бастауыш сынып мұғалімі",
    position_ru="учитель начальных классов",
    organization_kk="Ғ. Мұратбаев атындағы №12 мектеп (Әә, Ғғ, Ққ, Ңң, Өө, Ұұ, Үү, Һһ, Іі)",
    organization_ru="Общая средняя школа №12 имени Г. Муратбаева",
    issuing_body_kk="Қазақстан Республикасы Оқу-ағарту министрлігі",
    issuing_body_ru="Министерство просвещения Республики Казахстан",
    order_number="345-к",
    order_date=dt.date(2026, 6, 10),
    decided_on=dt.date(2026, 6, 2),
    valid_until=dt.date(2031, 6, 10),
    issued_on=dt.date(2026, 6, 11),
)


def page_texts(content: bytes) -> list[str]:
    """The text of each page, as pdfium reads it."""
    document = pypdfium2.PdfDocument(content)
    return [page.get_textpage().get_text_range() for page in document]


def qr_texts(content: bytes) -> list[list[str]]:
    """The QR codes of each page, read from the page rasterised at 150 dpi."""
    document = pypdfium2.PdfDocument(content)
    return [
        [code.text for code in zxingcpp.read_barcodes(page.render(scale=150 / 72).to_pil())]
        for page in document
    ]


def test_the_page_carries_the_bilingual_text_and_the_data():
    [text] = page_texts(render_category_certificate(SAMPLE))
    for expected in (
        "КУӘЛІК / УДОСТОВЕРЕНИЕ",
        "педагогке біліктілік санаты берілгені туралы",
        "о присвоении педагогу квалификационной категории",
        "Әбдірахманова Гүлнар Серікқызы",
        "850314400012",
        "педагог-сарапшы",
        "педагог-эксперт",
        "бастауыш сынып мұғалімі",
        "учитель начальных классов",
        "Қазақстан Республикасы Оқу-ағарту министрлігі",
        "Министерство просвещения Республики Казахстан",
        "№ 345-к, 10.06.2026",
        "02.06.2026",  # the decision
        "10.06.2031",  # valid until
        "11.06.2026",  # issued on
        "ATT-2026-000042",
        "7K3M-9QXD-2HVA-PB4N",
        "Бұйрықтың нөмірі мен күні / Номер и дата приказа",
        "Жарамдылық мерзімі / Действительно до",
        "Тіркеу нөмірі / Регистрационный номер",
        "Түпнұсқалығын QR-код арқылы тексеріңіз",
    ):
        assert expected in text, expected
    for letter in KAZAKH_LETTERS:
        assert letter in text, letter


def test_the_qr_code_opens_the_verification_page():
    assert qr_texts(render_category_certificate(SAMPLE)) == [[SAMPLE.verify_url]]


def test_a_merged_pdf_has_a_page_each_and_embeds_the_font_once():
    items = [
        replace(
            SAMPLE,
            register_number=f"ATT-2026-{n:06d}",
            verify_url=f"https://ustaz-pd.kz/verify/?code=7K3M9QXD2HVA{n:04d}",
        )
        for n in range(1, 6)
    ]
    content = render_category_certificates(items)
    texts = page_texts(content)
    assert len(texts) == 5
    assert all(item.register_number in text for item, text in zip(items, texts, strict=True))
    assert qr_texts(content) == [[item.verify_url] for item in items]
    font_programs = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for ref in page["/Resources"]["/Font"].values():
            descriptor = ref.get_object()["/FontDescriptor"].get_object()
            font_programs.add(descriptor.raw_get("/FontFile2").idnum)
    assert len(font_programs) == 2  # regular and bold, shared by every page


def test_long_names_wrap_in_smaller_type_and_the_qr_code_stays_readable():
    long = replace(
        SAMPLE,
        organization_kk="Түркістан облысы білім басқармасының Сарыағаш ауданы бойынша "
        "білім бөлімінің «Ақниет» жалпы орта білім беретін мектебі КММ",
        organization_ru="КГУ «Общеобразовательная средняя школа „Акниет“» отдела образования "
        "по Сарыагашскому району управления образования Туркестанской области",
    )
    content = render_category_certificate(long)
    [text] = page_texts(content)
    assert "Сарыагашскому" in text and "Сарыағаш" in text
    assert qr_texts(content) == [[long.verify_url]]


@pytest.mark.django_db
def test_the_stored_pdf_of_an_issued_certificate(world, cycle, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    commission_with_members(cycle)
    decision = decided(world, cycle, world.teacher_a)
    order = issue(world.users["region_admin"], [decision], number="88")
    certificate = orders.category_certificate_render(certificate_id=order.certificates.get().pk)
    content = certificate.pdf.read()
    [text] = page_texts(content)
    for expected in (
        "КУӘЛІК",
        certificate.register_number,
        certificate.holder_name,
        "педагог-сарапшы",
        "педагог-эксперт",
        "№ 88, " + order.dated.strftime("%d.%m.%Y"),
        certificate.display_code,
    ):
        assert expected in text, expected
    [[url]] = qr_texts(content)
    assert url == certificate.verify_url
    assert url.endswith(f"/verify/?code={certificate.code}")
    # Stored once: rendering again leaves the file as it is.
    again = orders.category_certificate_render(certificate_id=certificate.pk)
    assert again.pdf.name == certificate.pdf.name
    assert again.pdf_sha256 == certificate.pdf_sha256
    assert certificate.issued_on == timezone.localdate()
