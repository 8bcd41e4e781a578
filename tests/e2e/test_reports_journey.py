"""Journeys of a regional HR analyst on the dashboard.

One keeps to teachers who teach in Kazakh, types a period's first day, drills down into a
district, and follows a figure to the teacher list, which lists as many teachers as the
figure said; the charts are drawn, and drawn again after each change. The other downloads
the report as a PDF in Russian, following its progress, and subscribes to the monthly
summary."""

import re

import pytest
from django.utils import timezone, translation

from apps.organizations.models import InstructionLanguage
from apps.reports.models import ReportExport, SummarySubscription
from apps.teachers.models import QualificationCategory
from tests.factories import TeacherFactory

from .test_course_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHARTS_DRAWN = """() => {
  const canvases = [...document.querySelectorAll("canvas[data-chart]")];
  return canvases.length > 0 && canvases.every((canvas) => Chart.getChart(canvas) !== undefined);
}"""


def staff(world):
    """Kazakh-medium experts: three at school A and two at school C; one Russian-medium."""
    kazakh, russian = (InstructionLanguage.objects.get(code=code) for code in ("kk", "ru"))
    expert = QualificationCategory.objects.get(code="expert")
    TeacherFactory.create_batch(
        3, organization=world.school_a, category=expert, teaching_language=kazakh
    )
    TeacherFactory.create_batch(
        2, organization=world.school_c, category=expert, teaching_language=kazakh
    )
    TeacherFactory(organization=world.school_b, category=expert, teaching_language=russian)


def test_filter_drill_down_and_follow_a_figure_to_the_teacher_list(page, world):
    staff(world)
    sign_in(page, world.users["hr_analyst"])
    page.get_by_role("link", name="Reports").click()
    page.wait_for_function(CHARTS_DRAWN)
    key = page.locator("#key-figures a.count-link").first
    assert key.get_attribute("data-count") == "9"

    # Only teachers who teach in Kazakh: the figures and charts are redrawn in place.
    page.locator("#dashboard-filters").get_by_label("Language of instruction").select_option(
        label="Kazakh"
    )
    page.wait_for_function(
        "document.querySelector('#key-figures a.count-link').dataset.count === '5'"
    )
    assert "teaching_language=" in page.url  # the filtered dashboard is bookmarkable
    page.wait_for_function(CHARTS_DRAWN)
    assert "5 teachers" in page.locator("#dashboard-status").inner_text()

    # A period from the first day of last year, typed digit by digit (01 01 reads the same
    # whichever order the browser puts day and month in): nothing is sent until the box is
    # left, so the date typed stays.
    year = timezone.localdate().year - 1
    sent = []
    page.on("request", lambda request: sent.append(request.url))
    start = page.locator("#id_period_start")
    start.focus()
    page.keyboard.type(f"0101{year}", delay=80)
    page.wait_for_timeout(700)
    assert not [url for url in sent if "/reports/" in url]
    assert start.input_value() == f"{year}-01-01"
    page.get_by_role("heading", name="HR dashboard").click()  # out of the box
    page.wait_for_function(f"location.search.includes('period_start={year}-01-01')")
    page.wait_for_function(CHARTS_DRAWN)
    assert page.locator("#id_period_start").input_value() == f"{year}-01-01"
    assert len([url for url in sent if "/reports/" in url]) == 1

    # The server fails once: the figures and their charts stay, with a word that they are
    # those of the filters before; the next answer puts that word away.
    failing = re.compile(r"/reports/\?")
    page.route(failing, lambda route: route.fulfill(status=500, body="Server Error"))
    position = page.locator("#dashboard-filters").get_by_label("Position")
    position.select_option(index=1)
    page.wait_for_selector("#dashboard-failed:visible")
    assert page.evaluate(CHARTS_DRAWN)
    assert key.get_attribute("data-count") == "5"
    page.unroute(failing)
    position.select_option(index=0)
    page.wait_for_selector("#dashboard-failed", state="hidden")
    page.wait_for_function(CHARTS_DRAWN)

    # Into Turkistan city: its schools, the language filter kept.
    with translation.override("en"):
        city, school_a = world.city.name, world.school_a.name
    page.locator("#drilldown").get_by_role("link", name=city).click()
    page.wait_for_selector(f"#dashboard-trail >> text={city}")
    assert (
        page.locator("#dashboard-filters").get_by_label("Language of instruction").input_value()
        != ""
    )
    assert page.locator("#drilldown").get_by_role("link", name=school_a).count() == 1
    page.wait_for_function(CHARTS_DRAWN)

    # The experts of the city who teach in Kazakh, on the teacher list.
    figure = page.locator("#table-category tr[data-key=expert] a.count-link")
    assert figure.get_attribute("data-count") == "3"
    figure.click()
    page.wait_for_selector("#result-count")
    assert page.locator("#result-count").inner_text() == "3 teachers"
    assert page.locator("table.table-teachers tbody tr").count() == 3


def test_download_the_report_as_a_pdf_in_russian_and_subscribe_to_the_summary(page, world):
    staff(world)
    user = world.users["hr_analyst"]
    sign_in(page, user)
    page.goto("/reports/")

    # The report in Russian as a PDF: the worker (eager in tests) has it ready by the time
    # the progress page opens, which offers the download.
    export = page.locator("#report-export")
    export.locator("#report-export-language").select_option("ru")
    export.get_by_role("button", name="PDF").click()
    page.wait_for_url("**/reports/exports/**")
    job = page.locator(".report-export")
    job.locator(".progress-bar").wait_for()
    page.wait_for_selector(".report-export[data-status=done]")
    assert job.get_by_role("progressbar").get_attribute("aria-valuenow") == "100"
    with page.expect_download() as download:
        job.get_by_role("link", name="Download PDF").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.value.suggested_filename.endswith(".pdf")
    exported = ReportExport.objects.get(created_by=user)
    assert (exported.file_format, exported.language) == ("pdf", "ru")

    # Back to the dashboard: the monthly summary of the same filters, e-mailed in Russian.
    page.get_by_role("link", name="Back to the dashboard").click()
    summary = page.locator("#summary-subscribe")
    summary.locator("#summary-language").select_option("ru")
    summary.get_by_role("button", name="E-mail me this summary monthly").click()
    page.wait_for_selector(".alert-success")
    assert user.email in page.locator(".alert-success").inner_text()
    assert summary.locator("[data-subscribed]").count() == 1
    summary.get_by_role("link", name="Your subscriptions").click()
    page.wait_for_selector("[data-subscription]")
    assert page.locator("[data-subscription]").count() == 1
    assert "Русский" in page.locator("[data-subscription]").inner_text()
    assert SummarySubscription.objects.get(user=user).language == "ru"
