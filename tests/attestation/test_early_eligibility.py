"""Early attestation: instead of the claimed category's experience, the cycle's years since
the current category was awarded, a passed test and the rule's number of listed
achievements; a category whose rule has no such number cannot be claimed early. The
teacher ticks it on the application form."""

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.attestation import services
from apps.attestation.eligibility import MISSING, OK
from apps.attestation.models import Application
from apps.core.dates import short_date
from apps.teachers.models import QualificationCategory
from tests.factories import TeacherFactory

from .conftest import credit_pd_hours, make_complete, pdf_upload

pytestmark = pytest.mark.usefixtures("english", "private_storage")

ESSAY = "сөз " * 260


def today():
    return timezone.localdate()


def category(code):
    return QualificationCategory.objects.get(code=code)


def early_application(world, cycle, *, awarded_years=2, experience_years=2, claimed="expert"):
    """A moderator with too little experience for expert, claiming early, with the test,
    essay and documents in place (no achievements yet)."""
    teacher = TeacherFactory(
        organization=world.school_a,
        category=category("moderator"),
        category_awarded_on=today() - relativedelta(years=awarded_years),
        category_valid_until=today() + relativedelta(years=3),
        experience_start=today() - relativedelta(years=experience_years),
    )
    actor = world.users["superuser"]
    application = services.application_start(
        cycle=cycle, teacher=teacher, claimed_category=category(claimed), actor=actor
    )
    credit_pd_hours(teacher)
    application = make_complete(application, actor=actor)
    return services.application_update(application=application, actor=actor, early=True)


def add_achievements(application, count, *, criterion="publications"):
    return [
        services.evidence_add(
            application=application,
            actor=application.created_by,
            file=pdf_upload(),
            criterion=criterion,
            title=f"Жетістік {n}",
        )
        for n in range(count)
    ]


def checks(application):
    application.refresh_from_db()
    return {c.code: c for c in services.application_checklist(application=application)}


def test_early_replaces_the_experience_and_is_submitted(world, cycle):
    application = early_application(world, cycle)
    add_achievements(application, 2, criterion="student_contests")
    add_achievements(application, 2, criterion="talks")
    result = checks(application)
    assert "experience" not in result
    assert (result["early"].status, result["early_achievements"].status) == (OK, OK)
    assert "4 of 4 listed achievements" in result["early_achievements"].detail
    application = services.application_submit(application=application, actor=application.created_by)
    assert (application.status, application.early) == (Application.Status.SUBMITTED, True)


def test_without_early_the_experience_counts(world, cycle):
    application = early_application(world, cycle)
    application = services.application_update(
        application=application, actor=application.created_by, early=False
    )
    result = checks(application)
    assert result["experience"].status == MISSING
    assert "early" not in result


@pytest.mark.parametrize(
    ("awarded", "status"),
    [(relativedelta(years=2), OK), (relativedelta(years=2, days=-1), MISSING)],
)
def test_years_since_the_category_was_awarded(world, cycle, awarded, status):
    application = early_application(world, cycle)
    teacher = application.teacher
    teacher.category_awarded_on = today() - awarded
    teacher.save()
    add_achievements(application, 4)
    check = checks(application)["early"]
    assert check.status == status
    if status == MISSING:
        since = short_date(teacher.category_awarded_on + relativedelta(years=2))
        assert f"from {since}" in check.detail


def test_the_cycles_years_count(world, cycle):
    cycle.early_min_years = 3
    cycle.save()
    application = early_application(world, cycle, awarded_years=2)
    assert checks(application)["early"].status == MISSING


def test_the_listed_achievements_are_counted(world, cycle):
    application = early_application(world, cycle)
    items = add_achievements(application, 3)
    add_achievements(application, 2, criterion="other")  # not a listed achievement
    check = checks(application)["early_achievements"]
    assert (check.status, check.detail) == (
        MISSING,
        "3 of 4 listed achievements in the portfolio.",
    )
    add_achievements(application, 1, criterion="expert_work")
    assert checks(application)["early_achievements"].status == OK
    services.evidence_remove(item=items[0], actor=application.created_by)
    assert checks(application)["early_achievements"].status == MISSING


def test_the_rule_sets_the_number_needed(world, cycle):
    cycle.rules.filter(category__code="expert").update(early_min_achievements=2)
    application = early_application(world, cycle)
    add_achievements(application, 2)
    assert checks(application)["early_achievements"].status == OK


def test_a_category_without_an_early_rule_cannot_be_claimed_early(world, cycle):
    teacher = TeacherFactory(
        organization=world.school_a,
        category=category("teacher"),
        category_awarded_on=today() - relativedelta(years=3),
        category_valid_until=None,
    )
    actor = world.users["superuser"]
    application = services.application_start(
        cycle=cycle, teacher=teacher, claimed_category=category("moderator"), actor=actor
    )
    application = services.application_update(application=application, actor=actor, early=True)
    check = checks(application)["early"]
    assert check.status == MISSING
    assert check.detail == f"{category('moderator').name} cannot be claimed early."
    with pytest.raises(ValidationError, match="cannot be claimed early"):
        services.application_submit(application=application, actor=actor)


def test_early_is_not_for_confirming_the_current_category(world, cycle):
    application = early_application(world, cycle, claimed="moderator")
    add_achievements(application, 4)
    assert "cannot be claimed early" in checks(application)["early"].detail
    cycle.rules.filter(category__code="moderator").update(early_min_achievements=1)
    assert "not to confirm" in checks(application)["early"].detail


def test_early_needs_the_test_itself(world, cycle):
    application = early_application(world, cycle)
    application = services.application_update(
        application=application,
        actor=application.created_by,
        test_exemption=Application.TestExemption.LONG_SERVICE,
    )
    check = checks(application)["test"]
    assert check.status == MISSING
    assert "no exemption applies" in check.detail


def test_the_teacher_ticks_early_attestation_on_the_form(client, world, cycle):
    teacher = world.teacher_a
    application = services.application_start(
        cycle=cycle,
        teacher=teacher,
        claimed_category=category("expert"),
        actor=world.users["teacher"],
    )
    client.force_login(world.users["teacher"])
    url = reverse("attestation:application_edit", args=[application.pk])
    page = client.get(url).content.decode()
    assert 'name="early"' in page
    assert 'for="id_early"' in page
    response = client.post(
        url,
        {
            "claimed_category": category("expert").pk,
            "test_exemption": "",
            "early": "on",
            "essay_language": "kk",
            "essay_text": ESSAY,
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.early
    detail = client.get(reverse("attestation:application_detail", args=[application.pk]))
    codes = {c.code for c in detail.context["checklist"]}
    assert {"early", "early_achievements"} <= codes and "experience" not in codes
    assert 'id="early"' in detail.content.decode()
