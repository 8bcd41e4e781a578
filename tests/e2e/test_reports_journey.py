"""Journey: a regional HR analyst opens the dashboard, keeps to teachers who teach in Kazakh,
drills down into a district, and follows a figure to the teacher list, which lists as many
teachers as the figure said; the charts are drawn, and drawn again after each change."""

import pytest
from django.utils import translation

from apps.organizations.models import InstructionLanguage
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
