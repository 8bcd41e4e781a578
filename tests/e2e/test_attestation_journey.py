"""Journey: a teacher applies for the next category (essay, diploma, category document,
the checklist going green, submission); the school administrator accepts it from the queue."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from apps.attestation import services
from apps.attestation.models import Application
from tests.attestation.conftest import PDF, credit_pd_hours, passing_test_result

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ESSAY = " ".join(["кәсіби"] * 260)


def open_cycle(world):
    today = timezone.localdate()
    admin = world.users["region_admin"]
    cycle = services.cycle_create(
        actor=admin,
        region=world.region,
        school_year="2026-2027",
        application_opens=today - dt.timedelta(days=5),
        application_closes=today + dt.timedelta(days=30),
        review_starts=today + dt.timedelta(days=40),
        review_ends=today + dt.timedelta(days=200),
        essay_topic_kk="Мұғалімнің кәсіби өсуі",
        essay_topic_ru="Профессиональный рост учителя",
    )
    return services.cycle_set_status(cycle=cycle, actor=admin, status="open")


def sign_in(page, user):
    page.goto("/")
    page.get_by_role("button", name="English").click()
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill("pass-12345")
    page.locator("form button[type=submit]").last.click()
    # The account's own language (Kazakh) wins after signing in: choose English again.
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")


def upload(page, *, criterion, title, name):
    page.get_by_role("link", name="Add a document").first.click()
    page.locator("#id_criterion").select_option(criterion)
    page.locator("#id_title").fill(title)
    page.locator("#id_file").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Upload").click()
    page.wait_for_selector(".alert-success")


def test_a_teacher_applies_and_the_school_administrator_accepts(page, world):
    open_cycle(world)
    credit_pd_hours(world.teacher_a)
    passing_test_result(world.teacher_a)

    sign_in(page, world.users["teacher"])
    page.get_by_role("link", name="Attestation").first.click()
    page.get_by_role("link", name="Apply for a category").click()
    page.get_by_label(re.compile("the next category")).check()
    page.wait_for_selector("#checklist [data-check=pd_hours][data-status=ok]")
    page.get_by_role("button", name="Start the application").click()

    page.get_by_role("link", name="Edit the application").click()
    page.get_by_label("Kazakh", exact=True).check()
    page.locator("#id_essay_text").fill(ESSAY)
    assert page.locator("#essay-words").inner_text() == "260"
    page.get_by_role("button", name="Save").click()
    assert page.locator("#checklist [data-check=diploma][data-status=missing]").count() == 1

    upload(page, criterion="diploma", title="Bachelor's diploma", name="diploma.pdf")
    upload(page, criterion="category_document", title="Moderator order", name="order.pdf")
    assert page.locator("#checklist [data-status=missing]").count() == 0
    assert page.locator("#checklist-summary").inner_text() == "Everything needed is in place."

    page.get_by_role("button", name="Submit the application").click()
    assert page.locator("#application-status").inner_text() == "Submitted"
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, world.users["school_admin"])
    page.get_by_role("button", name="Attestation").click()  # the staff menu
    page.get_by_role("link", name="Applications").click()
    page.get_by_role("link", name=world.teacher_a.full_name).click()
    page.get_by_role("button", name="Accept", exact=True).click()

    assert page.locator("#application-status").inner_text() == "Accepted"
    last = page.locator("#history li").last
    assert last.get_attribute("data-to") == "accepted"
    assert "submitted → accepted" in last.inner_text()
    assert str(world.users["school_admin"]) in last.inner_text()
    application = Application.objects.get()
    assert (application.status, application.version) == (Application.Status.ACCEPTED, 1)
