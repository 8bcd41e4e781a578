"""The attestation section of the teacher page: applications, and the way to apply."""

import pytest
from django.urls import reverse

from apps.attestation import services
from apps.teachers.models import QualificationCategory


def page(client, user, teacher):
    client.force_login(user)
    return client.get(reverse("teachers:detail", args=[teacher.pk]))


@pytest.mark.usefixtures("cycle")
def test_staff_apply_on_behalf_and_the_teacher_applies_themself(client, world):
    start = reverse("attestation:application_start")
    response = page(client, world.users["school_admin"], world.teacher_a)
    assert f'{start}?teacher={world.teacher_a.pk}"' in response.content.decode()
    response = page(client, world.users["teacher"], world.teacher_a)
    assert f'href="{start}"' in response.content.decode()
    # A commission member may see the teacher but not apply for them.
    response = page(client, world.users["commission_member"], world.teacher_a)
    assert start not in response.content.decode()


def test_the_application_is_listed_and_the_button_goes(client, world, cycle):
    application = services.application_start(
        cycle=cycle,
        teacher=world.teacher_a,
        claimed_category=QualificationCategory.objects.get(code="expert"),
        actor=world.users["teacher"],
    )
    content = page(client, world.users["school_admin"], world.teacher_a).content.decode()
    assert reverse("attestation:application_detail", args=[application.pk]) in content
    assert reverse("attestation:application_start") not in content


def test_no_section_without_an_open_window_or_applications(client, world):
    content = page(client, world.users["school_admin"], world.teacher_a).content.decode()
    assert 'id="h-attestation"' not in content
