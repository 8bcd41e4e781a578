"""Journey: a methodologist signs in, switches the interface to Kazakh, filters the list."""

import pytest

from tests.factories import TeacherFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_in_switch_to_kazakh_and_filter_the_teacher_list(page, world):
    TeacherFactory(organization=world.school_b, last_name="Тұрсынбаева", first_name="Ақмарал")
    methodologist = world.users["methodologist"]
    methodologist.preferred_language = "ru"
    methodologist.save()

    page.goto("/")
    page.get_by_role("button", name="Русский").click()
    page.locator("input[name=login]").fill(methodologist.email)
    page.locator("input[name=password]").fill("pass-12345")
    page.locator("form button[type=submit]").last.click()

    page.get_by_role("link", name="Педагоги").first.click()
    page.get_by_role("button", name="Қазақша").click()
    page.wait_for_selector("html[lang=kk]")
    assert page.get_by_role("heading", level=1).inner_text() == "Педагогтер"

    page.get_by_label("Аты-жөні немесе ЖСН").fill("тұрсын")
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")
    assert "Тұрсынбаева" in page.locator("#results tbody").inner_text()

    page.get_by_label("Аты-жөні немесе ЖСН").fill("")
    page.get_by_label("Аудан немесе қала").select_option(str(world.city.pk))
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 3")
    rows = page.locator("#results tbody").inner_text()
    assert world.teacher_c.last_name not in rows
    assert "district=" in page.url  # the filtered list is bookmarkable
