"""The category measures page and its forms through the client, who may take which
measure (403/404), form errors shown in place, and the way there from the teacher page
with the teacher's category certificates."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.attestation.models import Application, CategoryFreeze, CategoryGrant, Sanction
from apps.attestation.services import special
from apps.core.dates import add_years
from apps.teachers.models import Position, QualificationCategory
from tests.factories import TeacherFactory, UserFactory, next_iin

from .conftest import accepted_application
from .test_appeals_services import decided
from .test_appeals_views import certificate_for

pytestmark = pytest.mark.usefixtures("english", "private_storage")


def url(name, *args):
    return reverse(f"attestation:{name}", args=args)


def today():
    return timezone.localdate()


def category(code):
    return QualificationCategory.objects.get(code=code)


def other_school_admin(world):
    user = UserFactory()
    role_assignment_create(user=user, role=Role.SCHOOL_ADMIN, organization=world.school_b)
    return user


# --- the page -----------------------------------------------------------------------------------


def test_the_page_shows_the_category_and_every_measure(client, world, cycle):
    teacher = world.teacher_a
    officer = world.users["region_admin"]
    special.category_freeze_start(
        teacher=teacher, reason="illness", starts_on=today() - dt.timedelta(days=9), actor=officer
    )
    special.sanction_impose(teacher=teacher, kind="test_breach", reason="Телефон", actor=officer)
    client.force_login(world.users["methodologist"])

    response = client.get(url("category_measures", teacher.pk))

    page = response.content.decode()
    measures = response.context["measures"]
    assert response.status_code == 200
    assert measures.open_freeze is not None and len(measures.sanctions) == 1
    assert response.context["allowed"] == {
        "attestation.grant_category",
        "attestation.freeze_category",
        "attestation.impose_sanction",
    }
    assert "Телефон" in page and 'id="sanctions"' in page and 'id="freezes"' in page
    for name in ("category_grant", "category_pre_pension", "sanction_impose"):
        assert url(name, teacher.pk) in page
    # While the category is frozen, the form records the return.
    assert url("category_freeze_end", measures.open_freeze.pk) in page
    assert url("category_freeze", teacher.pk) not in page
    for field in ("grant-ground", "grant-document", "return-returned_on", "sanction-reason"):
        assert f'for="id_{field}"' in page


def test_an_expired_category_is_shown_as_expired(client, world, cycle):
    teacher = world.teacher_a
    teacher.category_awarded_on = today() - relativedelta(years=6)
    teacher.category_valid_until = today() - dt.timedelta(days=3)
    teacher.save()
    client.force_login(world.users["methodologist"])
    page = client.get(url("category_measures", teacher.pk)).content.decode()
    assert "expired on" in page


def test_a_school_administrator_only_freezes(client, world, cycle):
    client.force_login(world.users["school_admin"])
    response = client.get(url("category_measures", world.teacher_a.pk))
    page = response.content.decode()
    assert response.context["allowed"] == {"attestation.freeze_category"}
    assert url("category_freeze", world.teacher_a.pk) in page
    assert url("category_grant", world.teacher_a.pk) not in page
    assert url("sanction_impose", world.teacher_a.pk) not in page


def test_who_sees_the_page(client, world, cycle):
    page = url("category_measures", world.teacher_a.pk)
    assert client.get(page)["Location"].startswith(reverse("account_login"))
    for user, status in (
        (world.users["teacher"], 403),  # their own record: no measure of theirs
        (world.users["commission_member"], 403),
        (world.users["hr_analyst"], 403),
        (other_school_admin(world), 404),
        (world.users["no_role"], 404),
    ):
        client.force_login(user)
        assert client.get(page).status_code == status


# --- the forms ----------------------------------------------------------------------------------


def test_a_grant_through_the_page(client, world, cycle):
    teacher = TeacherFactory(
        organization=world.school_a,
        category=None,
        category_awarded_on=None,
        category_valid_until=None,
    )
    client.force_login(world.users["methodologist"])
    grant_url = url("category_grant", teacher.pk)
    data = {
        "grant-ground": CategoryGrant.Ground.ACADEMIC_DEGREE,
        "grant-category": category("moderator").pk,
        "grant-awarded_on": today().isoformat(),
        "grant-document": "",
    }

    response = client.post(grant_url, data)
    assert response.status_code == 200
    assert response.context["grant_form"].errors["document"] == ["This field is required."]

    response = client.post(
        grant_url, data | {"grant-category": category("head-1").pk, "grant-document": "Диплом"}
    )
    assert response.status_code == 200
    assert "moderator category only" in response.content.decode()

    response = client.post(grant_url, data | {"grant-document": "PhD дипломы"})
    assert response["Location"] == url("category_measures", teacher.pk)
    teacher.refresh_from_db()
    assert teacher.category.code == "moderator"
    assert client.get(grant_url).status_code == 405


def test_freezing_and_the_return_through_the_page(client, world, cycle):
    teacher = world.teacher_a
    teacher.category_valid_until = today() + relativedelta(months=3)
    teacher.save()
    client.force_login(world.users["school_admin"])

    response = client.post(
        url("category_freeze", teacher.pk),
        {"freeze-reason": "child_care", "freeze-starts_on": (today() + dt.timedelta(days=2))},
    )
    assert response.status_code == 200
    assert response.context["freeze_form"].errors["starts_on"] == [
        "The date cannot be in the future."
    ]

    response = client.post(
        url("category_freeze", teacher.pk),
        {"freeze-reason": "child_care", "freeze-starts_on": today() - relativedelta(years=1)},
    )
    assert response.status_code == 302
    freeze = CategoryFreeze.objects.get()

    response = client.post(url("category_freeze_end", freeze.pk), {"return-returned_on": today()})
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.category_valid_until == add_years(today(), 2)


def test_who_ends_a_freeze(client, world, cycle):
    freeze = special.category_freeze_start(
        teacher=world.teacher_a,
        reason="military",
        starts_on=today(),
        actor=world.users["school_admin"],
    )
    end = url("category_freeze_end", freeze.pk)
    for user, status in (
        (world.users["commission_member"], 403),
        (world.users["teacher"], 403),
        (other_school_admin(world), 404),
    ):
        client.force_login(user)
        assert client.post(end, {"return-returned_on": today()}).status_code == status
    freeze.refresh_from_db()
    assert freeze.returned_on is None


def test_pre_pension_through_the_page(client, world, cycle):
    birth = add_years(today(), -59)
    teacher = TeacherFactory(
        organization=world.school_a,
        birth_date=birth,
        sex="F",
        iin=next_iin(birth, "F"),
        category=category("expert"),
        category_awarded_on=today() - relativedelta(years=4),
        category_valid_until=today() + relativedelta(years=1),
    )
    client.force_login(world.users["region_admin"])
    page = client.get(url("category_measures", teacher.pk)).content.decode()
    assert "pre-pension years" in page

    response = client.post(url("category_pre_pension", teacher.pk), follow=True)
    teacher.refresh_from_db()
    assert teacher.category_valid_until == add_years(birth, 61)
    assert any("kept until" in str(m) for m in response.context["messages"])

    # A second time there is nothing more to keep: said above the page.
    response = client.post(url("category_pre_pension", teacher.pk), follow=True)
    assert any("already valid until the pension" in str(m) for m in response.context["messages"])
    client.force_login(world.users["school_admin"])
    assert client.post(url("category_pre_pension", teacher.pk)).status_code == 403


def test_a_sanction_through_the_page(client, world, cycle):
    teacher = world.teacher_a
    application = accepted_application(world, cycle, teacher)
    client.force_login(world.users["region_admin"])
    sanction_url = url("sanction_impose", teacher.pk)

    page = client.get(url("category_measures", teacher.pk)).content.decode()
    assert f'<option value="{application.pk}"' in page

    response = client.post(sanction_url, {"sanction-kind": "falsified", "sanction-reason": ""})
    assert response.status_code == 200
    assert response.context["sanction_form"].errors["reason"] == ["This field is required."]

    response = client.post(
        sanction_url,
        {
            "sanction-kind": "falsified",
            "sanction-application": application.pk,
            "sanction-reason": "Жалған сертификат",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    teacher.refresh_from_db()
    assert application.status == Application.Status.DISQUALIFIED
    assert teacher.category.code == "teacher"
    assert Sanction.objects.get().barred_until == add_years(today(), 5)
    page = client.get(url("category_measures", teacher.pk)).content.decode()
    assert 'id="barred"' in page


def test_only_the_district_or_region_imposes_sanctions_and_grants(client, world, cycle):
    teacher = world.teacher_a
    client.force_login(world.users["school_admin"])
    assert (
        client.post(
            url("sanction_impose", teacher.pk),
            {"sanction-kind": "test_breach", "sanction-reason": "Бұзу"},
        ).status_code
        == 403
    )
    assert client.post(url("category_grant", teacher.pk), {}).status_code == 403
    client.force_login(other_school_admin(world))
    assert client.post(url("category_freeze", teacher.pk), {}).status_code == 404
    assert not Sanction.objects.exists()
    assert Position.objects.get(code="teacher") == teacher.position


# --- the teacher page ---------------------------------------------------------------------------


def test_the_teacher_page_links_the_measures_and_lists_category_certificates(client, world, cycle):
    decision = decided(world, cycle)
    valid = certificate_for(decision)
    teacher = world.teacher_a
    detail = reverse("teachers:detail", args=[teacher.pk])
    measures = url("category_measures", teacher.pk)

    client.force_login(world.users["methodologist"])
    page = client.get(detail).content.decode()
    assert measures in page
    assert url("category_certificate_detail", valid.pk) in page

    # The holder sees their certificates, without the measures.
    client.force_login(world.users["teacher"])
    page = client.get(detail).content.decode()
    assert url("category_certificate_detail", valid.pk) in page
    assert measures not in page

    client.force_login(world.users["commission_member"])
    assert measures not in client.get(detail).content.decode()


def test_valid_category_certificates_come_first(world, cycle):
    from apps.attestation.models import CategoryCertificate
    from apps.attestation.selectors.special import teacher_category_certificates

    decision = decided(world, cycle)
    old = certificate_for(decision, number="ATT-2026-000001")
    CategoryCertificate.objects.filter(pk=old.pk).update(status="replaced", revoke_reason="Қайта")
    new = certificate_for(decision, number="ATT-2026-000002")
    CategoryCertificate.objects.filter(pk=new.pk).update(issued_on=today() - dt.timedelta(days=30))
    assert [c.pk for c in teacher_category_certificates(world.teacher_a)] == [new.pk, old.pk]
