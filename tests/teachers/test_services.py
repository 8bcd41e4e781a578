"""The registry's write rules: validation, history, account linking."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.models import Role
from apps.teachers.models import Position, QualificationCategory, Subject, Teacher
from apps.teachers.services import teacher_create, teacher_link_user, teacher_update
from tests.factories import TeacherFactory, UserFactory


def _fields(world, **overrides):
    fields = {
        "iin": "900101300007",
        "last_name": "  Нұрланов ",
        "first_name": "Асқар",
        "middle_name": "Серікұлы",
        "organization": world.school_a,
        "position": Position.objects.get(code="teacher"),
        "category": QualificationCategory.objects.get(code="expert"),
        "category_awarded_on": dt.date(2024, 6, 1),
        "category_valid_until": dt.date(2029, 6, 1),
        "experience_start": dt.date(2012, 9, 1),
    }
    fields.update(overrides)
    return fields


def test_create_derives_birth_date_and_sex_and_writes_one_history_row(world):
    actor = world.users["school_admin"]
    math = Subject.objects.get(code="mathematics")
    teacher = teacher_create(actor=actor, subjects=[math], **_fields(world))
    assert teacher.birth_date == dt.date(1990, 1, 1)
    assert teacher.sex == "M"
    assert teacher.last_name == "Нұрланов"
    assert teacher.search_text == "нурланов аскар серикулы"  # folded for search
    history = list(teacher.history.all())
    assert len(history) == 1
    assert history[0].history_type == "+"
    assert history[0].history_user == actor
    assert list(history[0].subjects.values_list("subject_id", flat=True)) == [math.pk]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"iin": "900101300001"}, "iin"),
        ({"birth_date": dt.date(1990, 1, 2)}, "birth_date"),
        ({"sex": "F"}, "sex"),
        ({"experience_start": dt.date(2000, 1, 1)}, "experience_start"),
        ({"experience_start": dt.date(2999, 1, 1)}, "experience_start"),
        ({"category_valid_until": dt.date(2024, 1, 1)}, "category_valid_until"),
        ({"category": None}, "category"),  # dates without a category
        ({"category": "head-1"}, "category"),
    ],
)
def test_create_refuses_bad_data_naming_the_field(world, overrides, field):
    if overrides.get("category") == "head-1":
        overrides["category"] = QualificationCategory.objects.get(code="head-1")
    with pytest.raises(ValidationError) as exc:
        teacher_create(actor=world.users["school_admin"], **_fields(world, **overrides))
    assert field in exc.value.message_dict
    assert not Teacher.objects.filter(iin=_fields(world, **overrides)["iin"]).exists()


def test_duplicate_iin_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        teacher_create(actor=None, **_fields(world, iin=world.teacher_b.iin, birth_date=None))
    assert "iin" in exc.value.message_dict


def test_create_outside_the_actor_scope_is_refused(world):
    with pytest.raises(PermissionDenied):
        teacher_create(
            actor=world.users["school_admin"], **_fields(world, organization=world.school_c)
        )


def test_update_records_only_real_changes(world):
    teacher = world.teacher_a
    actor = world.users["methodologist"]
    assert teacher_update(teacher=teacher, actor=actor, last_name=teacher.last_name) == []
    rows_before = teacher.history.count()
    changed = teacher_update(
        teacher=teacher,
        actor=actor,
        last_name="Жаңаева",
        subjects=[Subject.objects.get(code="physics")],
        source="correction",
    )
    assert set(changed) == {"last_name", "subjects"}
    latest = teacher.history.latest()
    assert latest.last_name == "Жаңаева"
    assert latest.history_change_reason == "correction"
    assert latest.history_user == actor
    assert teacher.history.count() == rows_before + 1  # one row per update, subjects included


def test_update_without_permission_is_refused(world):
    with pytest.raises(PermissionDenied):
        teacher_update(teacher=world.teacher_c, actor=world.users["school_admin"], last_name="X")


def test_confirmed_email_links_the_teacher_record_and_grants_the_teacher_role(world):
    teacher = TeacherFactory(organization=world.school_a, email="new.teacher@example.kz")
    user = UserFactory(email="new.teacher@example.kz", first_name="", last_name="")
    assert teacher_link_user(user=user) == teacher
    teacher.refresh_from_db()
    assert teacher.user == user
    assert user.role_assignments.filter(role=Role.TEACHER).exists()
    assert user.last_name == teacher.last_name
    # Nothing else to link: a second call changes nothing.
    assert teacher_link_user(user=user) is None
