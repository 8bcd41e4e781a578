"""Journey: a methodologist uploads a spreadsheet, watches the worker check and import it,
and downloads the rejected rows."""

import csv
import datetime as dt
import io

import pytest
from celery.contrib.testing.worker import start_worker

from apps.teachers.models import ImportJob, Teacher
from tests.factories import next_iin
from ustaz_pd.celery import app as celery_app

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ROWS = 1500


def _use_broker(url: str, *, eager: bool) -> None:
    celery_app.conf.update(task_always_eager=eager, broker_url=url)
    # Connections made earlier in this process still point at the old broker: drop them
    # (as Celery itself does after a fork).
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker(settings, monkeypatch):
    """A real Celery worker thread on an in-memory broker, so the page shows live progress."""
    settings.TEACHER_IMPORT_INLINE_BYTES = 0
    broker = celery_app.conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", "memory://")  # Celery reads it before its conf
    _use_broker("memory://", eager=False)
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30):
        yield
    _use_broker(broker, eager=True)


def _spreadsheet(world, path):
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["ИИН", "Фамилия", "Имя", "БИН школы", "Должность"])
        for n in range(ROWS):
            iin = next_iin(dt.date(1970 + n % 30, 1 + n % 12, 1 + n % 28), "F")
            writer.writerow([iin, "Сапарова", "Динара", world.school_b.bin, "учитель"])
        writer.writerow(["900101300001", "Қатесі", "Бар", world.school_b.bin, "учитель"])


def test_upload_watch_progress_and_download_the_error_file(page, world, worker, tmp_path):
    path = tmp_path / "мектеп.csv"
    _spreadsheet(world, path)
    methodologist = world.users["methodologist"]
    methodologist.preferred_language = "ru"
    methodologist.save()

    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(methodologist.email)
    page.locator("input[name=password]").fill("pass-12345")
    page.locator("form button[type=submit]").last.click()
    page.goto("/teachers/imports/new/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Загрузить и проверить столбцы").click()

    # The columns were recognised from the Russian header.
    assert page.locator("#id_column_0").input_value() == "iin"
    assert page.locator("#id_column_3").input_value() == "organization_bin"
    page.get_by_role("button", name="Проверить файл").click()
    page.wait_for_selector("#job-counts", timeout=60_000)  # the dry run finished
    assert page.locator("[data-count=created]").inner_text() == str(ROWS)
    assert page.locator("[data-count=rejected]").inner_text() == "1"
    assert not Teacher.objects.filter(organization=world.school_b, last_name="Сапарова").exists()

    page.get_by_role("button", name=f"Импортировать {ROWS} строк").click()
    page.wait_for_selector("#job-progress .progress")  # the worker reports progress
    page.wait_for_function(
        "document.querySelector('#job-status').textContent.includes('импортирован')",
        timeout=60_000,
    )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE and job.created_count == ROWS
    assert Teacher.objects.filter(organization=world.school_b, last_name="Сапарова").count() == ROWS

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][-1] == "ошибка"
    assert rows[1][1] == "Қатесі" and "ИИН" in rows[1][-1]
