"""Sign-in by e-mail, rate limiting, sign-up with confirmation, and the language switch."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.models import Role
from tests.factories import TeacherFactory, UserFactory


def test_sign_in_page_is_kazakh_by_default_and_offers_the_switch(client, db):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="kk">' in html
    assert 'name="language" value="ru"' in html
    assert "Кіру" in html


def test_sign_in_with_email_and_password(client, db):
    UserFactory(email="aigul@example.kz")
    response = client.post(
        reverse("account_login"), {"login": "AIGUL@example.kz", "password": "pass-12345"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_is_refused_with_a_translated_message(client, db):
    UserFactory(email="aigul@example.kz")
    response = client.post(
        reverse("account_login"), {"login": "aigul@example.kz", "password": "nope"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors


def test_failed_logins_are_rate_limited(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    UserFactory(email="aigul@example.kz")
    for _ in range(3):
        client.post(reverse("account_login"), {"login": "aigul@example.kz", "password": "x"})
    response = client.post(
        reverse("account_login"), {"login": "aigul@example.kz", "password": "pass-12345"}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_language_switch_is_remembered_in_a_cookie_when_signed_out(client, db):
    response = client.post(
        reverse("set_language"), {"language": "ru", "next": reverse("account_login")}
    )
    assert response.status_code == 302
    html = client.get(reverse("account_login")).content.decode()
    assert '<html lang="ru">' in html
    assert "Войти" in html


def test_language_choice_is_stored_on_the_account(client, db):
    user = UserFactory(preferred_language="kk")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "en"
    # Another device (no cookie) gets the same language after signing in.
    other = type(client)()
    other.force_login(user)
    assert '<html lang="en">' in other.get(reverse("home")).content.decode()


def test_unknown_language_is_ignored(client, db):
    user = UserFactory(preferred_language="kk")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "kk"


@pytest.mark.django_db
def test_sign_up_confirm_email_then_the_teacher_record_is_linked(client, world):
    teacher = TeacherFactory(organization=world.school_a, email="dana@example.kz")
    response = client.post(
        reverse("account_signup"),
        {
            "email": "dana@example.kz",
            "password1": "Ustaz-2026-pass",
            "password2": "Ustaz-2026-pass",
        },
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    client.post(link.group(1))
    teacher.refresh_from_db()
    assert teacher.user is not None
    assert teacher.user.email == "dana@example.kz"
    assert teacher.user.role_assignments.filter(role=Role.TEACHER).exists()
    client.force_login(teacher.user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).context["teacher"] == teacher


def test_kazakh_is_the_default_whatever_the_browser_asks_for(client, db):
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content
    assert b'<html lang="kk">' in html
