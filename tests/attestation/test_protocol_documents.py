"""The protocol and the extracts: made by the worker once a session is closed (a ZIP of the
protocol and one extract per teacher, with committed progress), their Kazakh and Russian
text, a long agenda continuing on further pages under a repeated header, and failures."""

import datetime as dt
import io
import zipfile

import pypdfium2
import pytest
from django.utils import timezone

from apps.attestation.models import DocumentJob
from apps.attestation.pdf import protocol as pdf
from apps.attestation.services import sessions as services

from . import test_sessions_services as base
from .conftest import accepted_application, submit_review_sheets
from .test_sessions_services import decide, teacher_with, voting

# The sessions' fixtures, shared with the service tests.
english = base.english
pytestmark = pytest.mark.usefixtures("private_storage")
commission, secretary, session = base.commission, base.secretary, base.session


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page, whitespace folded (a name may wrap inside a table cell)."""
    document = pypdfium2.PdfDocument(content)
    return [" ".join(page.get_textpage().get_text_range().split()) for page in document]


@pytest.fixture
def teachers(world):
    return [
        world.teacher_a,
        teacher_with(world, last_name="Қасымов", first_name="Ұлан", middle_name="Өмірұлы", sex="M"),
        teacher_with(world, last_name="Үсенова", first_name="Әйгерім", middle_name=""),
    ]


@pytest.fixture
def closed(world, cycle, session, secretary, teachers, django_capture_on_commit_callbacks):
    applications = [accepted_application(world, cycle, t) for t in teachers]
    submit_review_sheets(applications)
    services.session_agenda_add(session=session, actor=secretary, applications=applications)
    decide(session, secretary, {m: ["for", "against", "for"] for m in voting(session.commission)})
    with django_capture_on_commit_callbacks(execute=True):
        services.session_close(session=session, actor=secretary, protocol_number="ҚХ-17")
    session.refresh_from_db()
    return session


def test_closing_makes_the_protocol_and_one_extract_per_teacher(closed, teachers):
    job = DocumentJob.objects.get(session=closed)
    assert (job.status, job.processed_rows, job.total_rows, job.failure) == ("done", 4, 4, "")
    assert job.finished_at is not None and job.percent == 100
    with job.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    names = archive.namelist()
    assert names[0] == "ҚХ-17.pdf" and len(names) == 4
    assert [n.split(" ", 1)[0] for n in names[1:]] == ["001", "002", "003"]
    with closed.protocol.open("rb") as handle:
        assert archive.read(names[0]) == handle.read()
    for name, teacher in zip(names[1:], teachers, strict=True):
        assert teacher.full_name in name
        (text,) = pdf_pages(archive.read(name))
        assert "ХАТТАМАДАН ҮЗІНДІ / ВЫПИСКА ИЗ ПРОТОКОЛА" in text
        assert "№ ҚХ-17" in text and teacher.full_name in text
        others = [t.full_name for t in teachers if t != teacher]
        assert not any(other in text for other in others)


def test_the_protocol_carries_kazakh_and_russian_text_names_and_decisions(closed, teachers):
    with closed.protocol.open("rb") as handle:
        text = " ".join(pdf_pages(handle.read()))
    for expected in (
        "ХАТТАМА / ПРОТОКОЛ",
        "№ ҚХ-17",
        "Аттестаттау комиссиясы",
        "Аттестационная комиссия",
        "Түркістан қаласы, білім бөлімі, 3-кабинет",
        "Т.А.Ә. / Ф.И.О.",
        "кворум бар / присутствуют 7 из 7 голосующих членов",
        "Мәлімделген санатқа сәйкес келеді",
        "Сохранена имеющаяся категория",
        "Төраға / Председатель",
        "Хатшы / Секретарь",
        *(t.full_name for t in teachers),
    ):
        assert expected in text, expected
    for letter in "ӘҚҮҰӨ":
        assert letter in text


def test_running_the_job_again_leaves_a_finished_job_alone(closed):
    job = DocumentJob.objects.get(session=closed)
    name, finished = job.file.name, job.finished_at
    again = services.session_documents_run(job_id=job.pk)
    assert (again.file.name, again.finished_at) == (name, finished)


def test_progress_is_committed_as_the_extracts_are_made(closed, monkeypatch):
    job = DocumentJob.objects.get(session=closed)
    DocumentJob.objects.filter(pk=job.pk).update(status="running", processed_rows=0)
    seen = []
    render = pdf.render_extract

    def watched(protocol, row):
        seen.append(DocumentJob.objects.get(pk=job.pk).processed_rows)
        return render(protocol, row)

    monkeypatch.setattr(pdf, "render_extract", watched)
    services.session_documents_run(job_id=job.pk)
    assert seen == [1, 2, 3]  # the protocol, then each extract before the next
    job.refresh_from_db()
    assert (job.status, job.processed_rows) == ("done", 4)


def test_a_failure_is_recorded_on_the_job(closed, monkeypatch):
    job = DocumentJob.objects.get(session=closed)
    DocumentJob.objects.filter(pk=job.pk).update(status="running")

    def broken(protocol, row):
        raise OSError("disk full")

    monkeypatch.setattr(pdf, "render_extract", broken)
    with pytest.raises(OSError):
        services.session_documents_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "disk full" in job.failure and job.finished_at


def row(n: int) -> pdf.RowPrint:
    return pdf.RowPrint(
        number=n,
        application_id=n,
        full_name=f"Әбдірахманова Гүлнар Серікқызы {n}",
        organization_kk="№ 5 жалпы білім беретін мектеп",
        organization_ru="Общеобразовательная школа № 5",
        position_kk="мұғалім",
        position_ru="учитель",
        current=("педагог-модератор", "педагог-модератор"),
        claimed=("педагог-сарапшы", "педагог-эксперт"),
        assigned=("педагог-сарапшы", "педагог-эксперт"),
        outcome="meets",
        capped_by_test=False,
        votes_for=5,
        votes_against=2,
        casting_vote=False,
    )


def test_a_long_agenda_continues_on_further_pages_with_the_header_repeated():
    protocol = pdf.ProtocolPrint(
        number="204",
        commission_kk="Түркістан қаласы білім бөлімінің аттестаттау комиссиясы",
        commission_ru="Аттестационная комиссия отдела образования г. Туркестан",
        held_at=timezone.make_aware(dt.datetime(2026, 5, 14, 10, 0)),
        place="Түркістан",
        present=tuple(pdf.MemberPrint(f"Мүше {n}", "Әдіскер", "member") for n in range(7)),
        voting_members=7,
        voting_present=7,
        quorum_needed=5,
        chair_name="Қалиев Нұрлан",
        secretary_name="Сейітова Айгүл",
        rows=tuple(row(n) for n in range(1, 201)),
    )
    pages = pdf_pages(pdf.render_protocol(protocol))
    assert len(pages) > 5
    for page in pages[1:]:
        assert "Т.А.Ә. / Ф.И.О." in page  # the table's header, repeated
    text = " ".join(pages)
    assert all(f"Әбдірахманова Гүлнар Серікқызы {n} " in text + " " for n in (1, 100, 200))
    assert "Қалиев Нұрлан" in pages[-1] and "Бет / Страница" in pages[-1]
