"""seed_demo: a believable, reproducible demo region whose rows obey the registry's rules."""

import datetime as dt
import io
from collections import Counter

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.core.identifiers import has_valid_check_digit, make_iin, parse_iin
from apps.demo import seed as demo
from apps.organizations.models import District, Organization
from apps.teachers.models import Position, Teacher
from apps.teachers.services import teacher_clean, teacher_create, teacher_search_text

N = 300
DEMO_EMAILS = {
    "teacher@demo.ustaz.kz": (Role.TEACHER, None),
    "school@demo.ustaz.kz": (Role.SCHOOL_ADMIN, "organization"),
    "methodologist@demo.ustaz.kz": (Role.METHODOLOGIST, "district"),
    "commission@demo.ustaz.kz": (Role.COMMISSION_MEMBER, "district"),
    "hr@demo.ustaz.kz": (Role.HR_ANALYST, "region"),
    "admin@demo.ustaz.kz": (Role.REGION_ADMIN, "region"),
}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # tests.settings has it already; this keeps the module fast under other settings too.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def registry_only(monkeypatch):
    """These tests are about the registry; the courses and attestation built on it are
    tested once in test_demo_activity.py (they take seconds per seed)."""
    monkeypatch.setattr(demo, "_seed_activity", lambda **kwargs: None)


def seed_demo(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", **{"teachers": N, "seed": 1, "stdout": out, **options})
    return out.getvalue()


def snapshot() -> list:
    """What must repeat for a seed: people, places and dates, in creation order."""
    return list(
        Teacher.objects.order_by("pk").values_list(
            "iin",
            "last_name",
            "first_name",
            "middle_name",
            "organization__bin",
            "organization__name_kk",
            "position__code",
            "category__code",
            "category_awarded_on",
            "category_valid_until",
            "experience_start",
            "email",
            "phone",
        )
    )


def test_teachers_have_valid_unique_iins_matching_birth_date_and_sex():
    seed_demo()
    teachers = list(Teacher.objects.values_list("iin", "birth_date", "sex"))
    assert len(teachers) == N
    assert len({iin for iin, _b, _s in teachers}) == N
    today = timezone.localdate()
    for iin, birth_date, sex in teachers:
        info = parse_iin(iin)
        assert (info.birth_date, info.sex) == (birth_date, sex)
        before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
        age = today.year - birth_date.year - before_birthday
        assert 22 <= age <= 64


def test_every_district_has_organisations_with_valid_unique_bins():
    seed_demo()
    districts = District.objects.filter(region__kato="61")
    assert districts.count() == 17
    assert not districts.filter(organizations__isnull=True).exists()
    bins = list(Organization.objects.values_list("bin", flat=True))
    assert len(bins) == len(set(bins))
    assert all(len(b) == 12 and b.isdigit() and has_valid_check_digit(b) for b in bins)
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert kinds["school"] >= 17 and kinds["college"] >= 1
    assert 5 <= sum(kinds.values()) <= 25
    assert not Organization.objects.filter(languages__isnull=True).exists()


def test_rows_obey_the_registry_rules():
    seed_demo()
    today = timezone.localdate()
    teachers = Teacher.objects.select_related("category", "position", "organization")
    for teacher in teachers:
        stored_search_text = teacher.search_text
        teacher_clean(teacher=teacher, check_unique_iin=False)  # raises on any broken rule
        assert stored_search_text == teacher_search_text(teacher) != ""
        assert teacher.experience_start <= today
        assert (teacher.experience_start - teacher.birth_date).days >= 21 * 365
        category = teacher.category
        if category is None:
            assert teacher.category_awarded_on is teacher.category_valid_until is None
            continue
        assert teacher.category_awarded_on <= today
        assert teacher.category_awarded_on >= teacher.experience_start
        if category.validity_years is None:
            assert teacher.category_valid_until is None
        else:
            valid_until = teacher.category_valid_until
            assert valid_until.year - teacher.category_awarded_on.year == category.validity_years
            assert valid_until > teacher.category_awarded_on
        if category.is_manager:
            assert teacher.position.staff_group == Position.StaffGroup.MANAGER
    codes = Counter(t.category.code if t.category else None for t in teachers)
    assert codes["moderator"] > codes["master"]


def test_each_teacher_has_one_creation_history_row_with_its_subjects():
    seed_demo()
    history = Teacher.history.model.objects.filter(history_type="+")
    assert history.count() == N
    assert set(history.values_list("history_change_reason", flat=True)) == {demo.HISTORY_REASON}
    assert not Teacher.history.model.objects.exclude(history_type="+").exists()
    assert set(history.values_list("id", flat=True)) == set(
        Teacher.objects.values_list("pk", flat=True)
    )
    links = set(Teacher.subjects.through.objects.values_list("teacher_id", "subject_id"))
    history_links = set(
        demo._history_subjects_model().objects.values_list("teacher_id", "subject_id")
    )
    assert links and history_links == links
    teacher = Teacher.objects.filter(subjects__isnull=False).first()
    row = teacher.history.get()
    assert set(row.subjects.values_list("subject_id", flat=True)) == set(
        teacher.subjects.values_list("pk", flat=True)
    )


def test_demo_accounts_one_per_role_sign_in_with_the_demo_password():
    output = seed_demo()
    for email, (role, scope) in DEMO_EMAILS.items():
        user = User.objects.get(email=email)
        assert email in output
        assert authenticate(None, username=email, password=settings.DEMO_PASSWORD) == user
        assert EmailAddress.objects.filter(
            user=user, email=email, verified=True, primary=True
        ).exists()
        (assignment,) = user.role_assignments.all()
        assert assignment.role == role
        if scope == "organization":
            assert assignment.organization.district.kato == "6110"
            assert assignment.organization.kind == Organization.Kind.SCHOOL
        elif scope == "district":
            assert assignment.district.kato == "6110"
        elif scope == "region":
            assert assignment.region.kato == "61"
        assert user.first_name and user.last_name
        assert user.preferred_language == ("ru" if email.startswith("hr@") else "kk")
    admin = User.objects.get(email="admin@demo.ustaz.kz")
    assert admin.is_staff and not admin.is_superuser
    assert settings.DEMO_PASSWORD in output


def test_teacher_account_is_linked_to_a_teacher_of_the_demo_school():
    seed_demo()
    user = User.objects.get(email="teacher@demo.ustaz.kz")
    teacher = Teacher.objects.get(user=user)
    school = User.objects.get(email="school@demo.ustaz.kz").role_assignments.get().organization
    assert teacher.email == user.email
    assert teacher.organization == school
    assert (user.first_name, user.last_name) == (teacher.first_name, teacher.last_name)
    assert teacher.history.get().user_id == user.pk


def test_same_seed_gives_the_same_data_and_another_seed_differs():
    seed_demo()
    first = snapshot()
    seed_demo(reset=True, force=True)
    assert snapshot() == first
    assert Teacher.objects.count() == N
    assert User.objects.filter(email__endswith="@demo.ustaz.kz").count() == len(DEMO_EMAILS)
    seed_demo(reset=True, force=True, seed=2)
    other = snapshot()
    assert len(other) == N
    assert [row[0] for row in other] != [row[0] for row in first]
    assert [row[1:4] for row in other] != [row[1:4] for row in first]


def test_refuses_to_seed_over_existing_data_without_reset():
    seed_demo()
    with pytest.raises(CommandError, match="--reset"):
        seed_demo(seed=2)
    assert Teacher.objects.count() == N
    output = seed_demo(if_empty=True, seed=2)  # `make run` on a second start: nothing happens
    assert settings.DEMO_PASSWORD not in output
    assert Teacher.objects.count() == N


def test_the_registry_keeps_working_after_seeding():
    # The builder writes explicit ids: new rows must still get fresh keys (PostgreSQL sequences).
    seed_demo()
    teacher = teacher_create(
        actor=None,
        iin=next(
            iin
            for serial in range(10)
            if (iin := make_iin(dt.date(1990, 1, 2), "F", serial))
            and not Teacher.objects.filter(iin=iin).exists()
        ),
        last_name="Сейітова",
        first_name="Айгүл",
        organization=Organization.objects.first(),
        position=Position.objects.get(code="teacher"),
        subjects=[],
    )
    assert Teacher.objects.count() == N + 1
    assert teacher.history.count() == 1


def test_small_numbers_still_build_a_region():
    seed_demo(teachers=1)
    assert Teacher.objects.count() == 1
    assert Teacher.objects.get().user.email == "teacher@demo.ustaz.kz"
    assert Organization.objects.filter(kind="school").count() == 17
    with pytest.raises(CommandError):
        seed_demo(teachers=0, reset=True, force=True)


def test_apportion_keeps_the_total_and_the_minimum():
    assert demo.apportion(10, [1, 1, 1], minimum=1) == [4, 3, 3]
    assert sum(demo.apportion(1100, [250, 120, 80], minimum=1)) == 1100
    assert demo.apportion(2, [1, 5, 1], minimum=1) == [1, 1, 1]


@pytest.mark.parametrize(
    ("father", "female", "expected"),
    [
        ("Рустам", False, "Рустамович"),
        ("Жумабай", True, "Жумабаевна"),
        ("Абдулла", False, "Абдуллаевич"),
        ("Серік", True, "Серіковна"),
        ("Әлібе", True, "Әлібеқызы"),
    ],
)
def test_russian_style_patronymic(father, female, expected):
    assert demo.russian_style_patronymic(father, female=female) == expected


def test_name_spelling_helpers():
    assert demo.to_russian_spelling("Айгүл") == "Айгуль"
    assert demo.to_russian_spelling("Гүлнар Ләззат Сейітқызы") == "Гульнар Ляззат Сейиткызы"
    assert demo.feminine_surname("Сейітов") == "Сейітова"
    assert demo.feminine_surname("Савицкий") == "Савицкая"
    assert demo.feminine_surname("Ким") == "Ким"
    assert demo.surname_stem("Сәрсенбаев") == "Сәрсенбай"
    assert demo.to_latin("Жұлдыз Әбенова") == "zhuldyzabenova"


def test_reset_is_refused_outside_debug_without_force(settings):
    settings.DEBUG = False
    seed_demo()
    with pytest.raises(CommandError, match="--force"):
        seed_demo(reset=True)
