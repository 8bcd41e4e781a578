"""Every write to the teacher registry: create, update, link to a user account.

Validation lives here (`teacher_clean`) so that the form, the admin and the bulk import
apply the same rules; each change is recorded in the teacher's history with its source.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.core.identifiers import parse_iin
from apps.core.text import normalize_search

from .models import Teacher, teacher_history

# Fields a create/update may set (everything but the history, user link and search text).
EDITABLE_FIELDS = (
    "iin",
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "sex",
    "organization",
    "position",
    "teaching_language",
    "experience_start",
    "education",
    "education_institution",
    "specialty",
    "category",
    "category_awarded_on",
    "category_valid_until",
    "phone",
    "email",
)
MIN_AGE_AT_EXPERIENCE_START = 15


def teacher_search_text(teacher: Teacher) -> str:
    return normalize_search(f"{teacher.last_name} {teacher.first_name} {teacher.middle_name}")


def teacher_clean(*, teacher: Teacher, check_unique_iin: bool = True) -> None:
    """Apply the registry's rules; raise ValidationError naming the field at fault."""
    for name in ("last_name", "first_name", "middle_name", "specialty", "phone"):
        setattr(teacher, name, " ".join((getattr(teacher, name) or "").split()))
    teacher.email = (teacher.email or "").strip().lower()
    errors: dict[str, list] = {}
    try:
        teacher.full_clean(
            exclude=["birth_date", "sex"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for field, messages in teacher_rule_errors(
        teacher,
        today=timezone.localdate(),
        iin_checked=True,  # full_clean checked it
    ).items():
        errors.setdefault(field, []).extend(messages)
    if (
        check_unique_iin
        and "iin" not in errors
        and Teacher.objects.filter(iin=teacher.iin).exclude(pk=teacher.pk).exists()
    ):
        errors.setdefault("iin", []).append(
            _("A teacher with this IIN is already in the registry.")
        )
    if errors:
        raise ValidationError(errors)
    teacher.search_text = teacher_search_text(teacher)


def teacher_rule_errors(values, *, today: dt.date, iin_checked: bool = False) -> dict:
    """The registry's rules across fields, without the database.

    `values` is a Teacher or any object with the same attributes (the bulk import passes a
    light row object), so that the form, the admin and the import share one set of rules.
    An empty birth date or sex is filled in from the IIN. Returns {field: [messages]}.
    """
    errors: dict[str, list] = {}
    info = None
    try:
        info = parse_iin(values.iin)
    except ValidationError as exc:
        if not iin_checked:
            errors["iin"] = list(exc.messages)
    if info is not None:
        if values.birth_date is None:
            values.birth_date = info.birth_date
        elif values.birth_date != info.birth_date:
            errors.setdefault("birth_date", []).append(
                _("The birth date does not match the IIN (%(date)s).")
                % {"date": info.birth_date.strftime("%d.%m.%Y")}
            )
        if not values.sex:
            values.sex = info.sex
        elif values.sex != info.sex:
            errors.setdefault("sex", []).append(_("The sex does not match the IIN."))

    if values.experience_start:
        if values.experience_start > today:
            errors.setdefault("experience_start", []).append(
                _("The experience start date cannot be in the future.")
            )
        elif values.birth_date and values.experience_start < _add_years(
            values.birth_date, MIN_AGE_AT_EXPERIENCE_START
        ):
            errors.setdefault("experience_start", []).append(
                _("Pedagogical experience cannot start before the age of %(age)d.")
                % {"age": MIN_AGE_AT_EXPERIENCE_START}
            )
    _category_errors(values, errors, today)
    return errors


def _category_errors(values, errors: dict, today: dt.date) -> None:
    category = values.category
    if category is None:
        if values.category_awarded_on or values.category_valid_until:
            errors.setdefault("category", []).append(
                _("Choose the category these dates belong to.")
            )
        return
    if values.category_awarded_on and values.category_awarded_on > today:
        errors.setdefault("category_awarded_on", []).append(
            _("The award date cannot be in the future.")
        )
    if (
        values.category_awarded_on
        and values.category_valid_until
        and values.category_valid_until <= values.category_awarded_on
    ):
        errors.setdefault("category_valid_until", []).append(
            _("The category must be valid until a date after it was awarded.")
        )
    position = getattr(values, "position", None)  # an unsaved Teacher may lack one
    is_manager_position = position is not None and position.staff_group == "manager"
    if category.is_manager and not is_manager_position:
        errors.setdefault("category", []).append(
            _("A manager's category needs a head or deputy head position.")
        )


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _check_organization(actor, organization) -> None:
    if actor is not None and not actor.has_perm("organizations.assign_teacher_to", organization):
        raise PermissionDenied(_("You cannot register teachers in this organisation."))


@transaction.atomic
def teacher_create(*, actor, subjects=(), source: str = "", **fields) -> Teacher:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    teacher = Teacher(**fields)
    if teacher.organization_id:
        _check_organization(actor, teacher.organization)
    teacher_clean(teacher=teacher)
    teacher._history_user = actor
    teacher._change_reason = source
    teacher.skip_history_when_saving = True
    teacher.save()
    teacher.subjects.set(subjects)
    del teacher.skip_history_when_saving
    teacher_history.create_historical_record(teacher, "+")
    return teacher


@transaction.atomic
def teacher_update(
    *, teacher: Teacher, actor, subjects=None, source: str = "", **fields
) -> list[str]:
    """Change the given fields; returns the names of the fields that really changed."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    if actor is not None and not actor.has_perm("teachers.change_teacher", teacher):
        raise PermissionDenied(_("You cannot change this teacher's record."))
    for derived in ("birth_date", "sex"):  # empty means "as the IIN says": keep what is stored
        if derived in fields and not fields[derived]:
            del fields[derived]
    changed = [name for name, value in fields.items() if getattr(teacher, name) != value]
    for name in changed:
        setattr(teacher, name, fields[name])
    if "organization" in changed:
        _check_organization(actor, teacher.organization)
    subjects_changed = subjects is not None and {s.pk for s in subjects} != set(
        teacher.subjects.values_list("pk", flat=True)
    )
    if subjects_changed:
        changed.append("subjects")
    if not changed:
        return []
    teacher_clean(teacher=teacher)
    teacher._history_user = actor
    teacher._change_reason = source
    if subjects_changed:
        # Set the subjects first, quietly, so that the one history row saved below has them.
        teacher.skip_history_when_saving = True
        teacher.subjects.set(subjects)
        del teacher.skip_history_when_saving
    teacher.save()
    return changed


@transaction.atomic
def teacher_link_user(*, user) -> Teacher | None:
    """Link a user whose e-mail is confirmed to the unlinked teacher record with that e-mail."""
    teacher = (
        Teacher.objects.select_for_update()
        .filter(email=user.email.lower(), user__isnull=True)  # stored lower-cased
        .first()
    )
    if teacher is None:
        return None
    teacher.user = user
    teacher._history_user = user
    teacher._change_reason = _("Account linked after e-mail confirmation")
    teacher.save(update_fields=["user"])
    role_assignment_create(user=user, role=Role.TEACHER)
    if not user.first_name and not user.last_name:
        user.first_name, user.last_name = teacher.first_name, teacher.last_name
        user.save(update_fields=["first_name", "last_name"])
    return teacher
