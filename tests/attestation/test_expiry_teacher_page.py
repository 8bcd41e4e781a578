"""The teacher's page says plainly whether the category is still valid or has expired."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation


@pytest.fixture(autouse=True)
def english(world):
    """The English interface: the texts asserted are the source texts."""
    for user in world.users.values():
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
    with translation.override("en"):
        yield


def category_line(client, world, valid_until):
    teacher = world.teacher_a
    teacher.category_awarded_on = valid_until - dt.timedelta(days=5 * 365)
    teacher.category_valid_until = valid_until
    teacher.save()
    client.force_login(world.users["school_admin"])
    response = client.get(reverse("teachers:detail", args=[teacher.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_expired_category_says_it_has_expired(client, world):
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    page = category_line(client, world, yesterday)

    assert f"expired on {yesterday:%d.%m.%Y}" in page
    assert '<span class="badge text-bg-danger">expired</span>' in page
    assert f"valid until {yesterday:%d.%m.%Y}" not in page


def test_a_valid_category_shows_its_date(client, world):
    until = timezone.localdate() + dt.timedelta(days=30)

    page = category_line(client, world, until)

    assert f"valid until {until:%d.%m.%Y}" in page
    assert "expired" not in page


def test_a_category_valid_until_today_is_still_valid(client, world):
    today = timezone.localdate()

    page = category_line(client, world, today)

    assert f"valid until {today:%d.%m.%Y}" in page
    assert "expired" not in page
