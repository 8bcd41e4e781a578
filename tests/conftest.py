"""Shared fixtures: a small region with three schools and a user for every role."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.organizations.models import Region

from .factories import OrganizationFactory, TeacherFactory, UserFactory, district


def reseed_reference_data() -> None:
    """The rows the data migrations write (region, districts, reference lists)."""
    from django.apps import apps

    for module in (
        "apps.organizations.migrations.0002_turkestan_region",
        "apps.teachers.migrations.0002_reference_lists",
    ):
        import_module(module).seed(apps, None)
    cache.clear()  # the cached region ids may be of the rows before the flush


def _commits(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A test that really commits ends with a flush, which empties the rows the data
    migrations wrote (region, districts, reference lists): put them back at once, so the
    tests after it on this worker find them, in whatever order xdist hands them out."""
    result = yield
    # (After the last test the test database is gone: nothing to put back.)
    if nextitem is not None and _commits(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            reseed_reference_data()
    return result


@pytest.fixture
def world(db):
    """School A and B in Turkistan city (6110), school C in Sairam district (6152);
    a teacher in each, and one user per role scoped to school A / district 6110 / region."""
    region = Region.objects.get(kato="61")
    city, sairam = district("6110"), district("6152")
    school_a = OrganizationFactory(district=city)
    school_b = OrganizationFactory(district=city)
    school_c = OrganizationFactory(district=sairam)
    teacher_a = TeacherFactory(organization=school_a)
    teacher_b = TeacherFactory(organization=school_b)
    teacher_c = TeacherFactory(organization=school_c)

    def user_with(role=None, **scope):
        user = UserFactory()
        if role:
            role_assignment_create(user=user, role=role, **scope)
        return user

    teacher_user = user_with(Role.TEACHER)
    teacher_a.user = teacher_user
    teacher_a.save()
    superuser = UserFactory(is_superuser=True, is_staff=True)
    return SimpleNamespace(
        region=region,
        city=city,
        sairam=sairam,
        school_a=school_a,
        school_b=school_b,
        school_c=school_c,
        teacher_a=teacher_a,
        teacher_b=teacher_b,
        teacher_c=teacher_c,
        users={
            "no_role": user_with(),
            "teacher": teacher_user,
            "school_admin": user_with(Role.SCHOOL_ADMIN, organization=school_a),
            "methodologist": user_with(Role.METHODOLOGIST, district=city),
            "commission_member": user_with(Role.COMMISSION_MEMBER, district=city),
            "hr_analyst": user_with(Role.HR_ANALYST, region=region),
            "region_admin": user_with(Role.REGION_ADMIN, region=region),
            "superuser": superuser,
        },
    )
