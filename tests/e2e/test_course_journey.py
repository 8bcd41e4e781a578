"""Journey: a teacher enrols in a course; after the course the trainer marks attendance,
records the final assessment and completes the run; the teacher downloads the
certificate, whose QR-code page confirms it."""

import datetime as dt
import io

import pytest
from django.db.models import F
from django.utils import timezone
from pypdf import PdfReader

from apps.certificates.models import Certificate
from apps.courses.models import CourseRun, RunSession
from tests.factories import CourseFactory, CourseRunFactory, ProviderFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, user):
    """Sign in, then switch the interface to English (the account's language applies at
    sign-in), so that the steps read in the source language."""
    page.goto("/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill("pass-12345")
    page.locator("form button[type=submit]").last.click()
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_enrol_complete_and_download_the_certificate(page, world):
    provider = ProviderFactory(code="ORL")
    course = CourseFactory(
        provider=provider,
        title_en="Functional literacy in mathematics",
        title_kk="Математикадағы функционалдық сауаттылық",
        min_attendance_percent=80,
    )
    trainer = UserFactory()
    run = CourseRunFactory(course=course, trainer=trainer, capacity=10)
    teacher = world.teacher_a

    # The teacher finds the course in the catalogue and enrols.
    sign_in(page, world.users["teacher"])
    page.get_by_role("link", name="Courses").first.click()
    page.get_by_role("link", name="Functional literacy in mathematics").first.click()
    page.get_by_role("button", name="Enrol", exact=True).click()
    assert "Confirmed" in page.locator("main").inner_text()
    sign_out(page)

    # The course takes place: its dates move into the past (time passing, for the test).
    shift = (timezone.localdate() - dt.timedelta(days=1)) - run.ends_on
    CourseRun.objects.filter(pk=run.pk).update(
        starts_on=F("starts_on") + shift,
        ends_on=F("ends_on") + shift,
        enrolment_deadline=F("enrolment_deadline") + shift,
    )
    RunSession.objects.filter(run=run).update(date=F("date") + shift)

    # The trainer marks everyone present every day, records a pass and completes the run.
    sign_in(page, trainer)
    page.goto(f"/courses/runs/{run.pk}/")
    page.get_by_role("link", name="Attendance").click()
    for box in page.get_by_label("Everyone").all():
        box.check()
    page.get_by_role("button", name="Save attendance").click()
    page.get_by_role("link", name="Final assessment and results").click()
    page.get_by_label(f"Final assessment of {teacher.full_name}").select_option("yes")
    page.get_by_label(f"Score of {teacher.full_name}, 0 to 100").fill("91")
    page.get_by_role("button", name="Record results and complete the run").click()
    page.get_by_role("button", name="Yes, record the results and complete the run").click()
    assert "1 participant completed the course" in page.locator("main").inner_text()
    sign_out(page)

    # The teacher sees the hours and the certificate on their page and downloads it.
    sign_in(page, world.users["teacher"])
    page.get_by_role("link", name="My record").click()
    certificates = page.get_by_role("region", name="Course certificates")
    number = certificates.get_by_role("link").first.inner_text()
    assert number.startswith(f"ORL-{timezone.localdate().year}-")
    certificates.get_by_role("link", name=number).click()
    # The link opens the PDF (served inline); fetch it with the signed-in session.
    href = page.get_by_role("link", name="Download PDF").get_attribute("href")
    response = page.context.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text()
    assert teacher.last_name in text and number in text

    # Anyone can check it on the public page the QR code opens (its address is in the QR).
    code = Certificate.objects.get(register_number=number).code
    sign_out(page)
    page.goto(f"/verify/?code={code}")
    result = page.locator("main").inner_text()
    assert "valid" in result.lower() and teacher.last_name in result and number in result
