"""Journey: a teacher applies to the "1000 leaders" intake through the page; the regional
administrator moves the intake to selection, records the candidate's score at each of the
five stages and decides each stage; the candidate is admitted, as their page shows."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from apps.leaders import services
from apps.leaders.models import Candidate, Programme
from apps.teachers.models import Position

from .test_course_journey import sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_apply_pass_every_stage_and_be_admitted(page, world):
    admin = world.users["region_admin"]
    today = timezone.localdate()
    programme = Programme.objects.create(
        region=world.region,
        name_kk="Білім берудегі өзгерістердің 1000 көшбасшысы",
        name_ru="1000 лидеров изменений в образовании",
    )
    intake = services.intake_create(
        actor=admin,
        programme=programme,
        positions=Position.objects.filter(code__in=["teacher", "deputy-director"]),
        year=today.year,
        application_opens=today - dt.timedelta(days=5),
        application_closes=today + dt.timedelta(days=20),
        capacity=3,
    )
    services.intake_set_status(intake=intake, actor=admin, status="applications")
    teacher = world.teacher_a

    # The teacher finds the intake, sees they may apply and sends a motivation letter.
    sign_in(page, world.users["teacher"])
    page.get_by_role("link", name="1000 leaders").first.click()
    page.get_by_role("link", name="Apply", exact=True).click()
    assert "Your record meets every condition" in page.locator("main").inner_text()
    page.get_by_label("Motivation letter").fill("Мектебімізде оқуды өзгерткім келеді.")
    page.get_by_role("button", name="Send the application").click()
    assert "Your application has been received." in page.locator("main").inner_text()
    sign_out(page)

    # The regional administrator opens the selection and takes the candidate through it.
    sign_in(page, admin)
    page.goto(f"/leaders/intakes/{intake.pk}/")
    page.get_by_role("button", name="Move on to “selection”").click()
    assert "is now “selection”" in page.locator("main").inner_text()
    for stage in intake.stages.order_by("order"):
        page.goto(f"/leaders/intakes/{intake.pk}/")
        with translation.override("en"):
            page.get_by_role("link", name=str(stage)).click()
        page.get_by_role("link", name="Enter scores").click()
        page.get_by_label(f"Score of {teacher.full_name}, 0 to {stage.max_score}").fill(
            str(stage.max_score)
        )
        page.get_by_role("button", name="Save the scores").click()
        assert "1 score has been recorded." in page.locator("main").inner_text()
        page.get_by_role("link", name="Decide the stage").click()
        page.get_by_label("I have checked the scores").check()
        page.get_by_role("button", name="Decide the stage").click()
        assert "1 passed, 0 stopped" in page.locator("main").inner_text()
    assert "1 admitted" in page.locator("main").inner_text()
    sign_out(page)

    # The candidate sees the admission and their path on their page.
    candidate = Candidate.objects.get(intake=intake, teacher=teacher)
    assert candidate.status == "admitted"
    sign_in(page, world.users["teacher"])
    page.get_by_role("link", name="1000 leaders").first.click()
    page.get_by_role("link", name="My applications").click()
    page.get_by_role("link", name="My training").click()
    main = page.locator("main").inner_text()
    assert "Admitted, in training" in main
    assert "Admitted: place 1 of 3." in main
    assert main.count("passed") >= 5
