"""Reads of the teacher registry: the one scoping function and the list and detail queries."""

import datetime as dt
from dataclasses import dataclass
from itertools import pairwise

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from apps.accounts.scopes import read_scope, write_scope
from apps.core.models import localized_value
from apps.organizations.models import District, Organization

from .models import Teacher
from .models import teacher_history as teacher_history_model

# Sort keys offered by the list; each ends in the primary key so pages never overlap.
TEACHER_ORDERINGS = {
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "iin": ("iin",),
    "valid_until": ("category_valid_until", "id"),
    "-valid_until": ("-category_valid_until", "-id"),
    "-updated": ("-updated_at", "-id"),
}


def visible_teachers(user) -> QuerySet[Teacher]:
    """Every teacher this user may see: their scope as staff, and their own record.

    The two are joined as a UNION of ids, not an OR: with the OR the database joins every
    teacher of the registry to their organisation to test each one (a district's
    methodologist paid for the whole region on every count); the UNION finds the scope's
    organisations, then their teachers, by index."""
    if not user.is_authenticated:
        return Teacher.objects.none()
    scope = read_scope(user)
    if scope.everything:
        return Teacher.objects.all()
    own = Teacher.objects.filter(user=user)
    if not (scope.region_ids or scope.district_ids or scope.organization_ids):
        return own
    staff = Teacher.objects.filter(organization__in=visible_organizations(user))
    ids = staff.order_by().values("pk").union(own.order_by().values("pk"), all=True)
    return Teacher.objects.filter(pk__in=ids)


def editable_organizations(user) -> QuerySet[Organization]:
    """Organisations where this user may register or move teachers."""
    return Organization.objects.filter(
        write_scope(user).q(organization="pk", district="district_id", region="district__region_id")
    )


def visible_organizations(user) -> QuerySet[Organization]:
    return Organization.objects.filter(
        read_scope(user).q(organization="pk", district="district_id", region="district__region_id")
    )


def visible_districts(user) -> QuerySet[District]:
    scope = read_scope(user)
    return District.objects.filter(
        scope.q(organization="organizations__pk", district="pk", region="region_id")
    ).distinct()


@dataclass(frozen=True, slots=True)
class TeacherRow:
    """One line of the teacher list, ready to show (no model instances: building ~125 of
    them per page cost more than the queries)."""

    pk: int
    iin: str
    full_name: str
    organization: str
    district: str
    position: str
    subjects: str
    category: str
    valid_until: dt.date | None
    expired: bool


_NAMED = ("organization", "organization__district", "position", "category")


def teacher_rows(ids) -> list[TeacherRow]:
    """The rows of one list page: two queries whatever the page size."""
    names = [f"{path}__name_{code}" for path in _NAMED for code in ("kk", "ru", "en")]
    values = Teacher.objects.filter(pk__in=ids).values(
        "pk", "iin", "last_name", "first_name", "middle_name", "category_valid_until", *names
    )
    subjects: dict[int, list[str]] = {}
    for row in Teacher.subjects.through.objects.filter(teacher_id__in=ids).values(
        "teacher_id", "subject__name_kk", "subject__name_ru", "subject__name_en"
    ):
        subjects.setdefault(row["teacher_id"], []).append(localized_value(row, "subject__name"))
    today = timezone.localdate()
    return [
        TeacherRow(
            pk=v["pk"],
            iin=v["iin"],
            full_name=" ".join(p for p in (v["last_name"], v["first_name"], v["middle_name"]) if p),
            organization=localized_value(v, "organization__name"),
            district=localized_value(v, "organization__district__name"),
            position=localized_value(v, "position__name"),
            subjects=", ".join(sorted(subjects.get(v["pk"], ()))),
            category=localized_value(v, "category__name"),
            valid_until=v["category_valid_until"],
            expired=bool(v["category_valid_until"] and v["category_valid_until"] < today),
        )
        for v in values
    ]


def teacher_get(*, user, pk) -> Teacher:
    """One teacher for the detail page; raises Teacher.DoesNotExist outside the user's scope."""
    return (
        visible_teachers(user)
        .select_related(
            "organization",
            "organization__district",
            "position",
            "category",
            "teaching_language",
            "user",
        )
        .prefetch_related("subjects")
        .get(pk=pk)
    )


def teacher_history(teacher: Teacher, *, limit: int = 100) -> list[dict]:
    """The change history, newest first: who, when, why, and each field's old and new value.

    A constant number of queries: the history rows, their subject rows, and one look-up per
    related model for the names of the values that changed.
    """
    records = list(
        teacher.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    subjects_field = Teacher._meta.get_field("subjects")
    m2m_model = teacher_history_model.m2m_models[subjects_field]
    subjects_by_record: dict[int, tuple] = {r.history_id: () for r in records}
    for history_id, subject_id in (
        m2m_model.objects.filter(history__in=records)
        .order_by("subject_id")
        .values_list("history_id", "subject_id")
    ):
        subjects_by_record[history_id] += (subject_id,)

    fields = [f for f in teacher_history_model.fields_included(Teacher) if f.name not in ("id",)]
    raw_changes = []
    for newer, older in pairwise(records):
        changes = [
            (f, getattr(older, f.attname), getattr(newer, f.attname))
            for f in fields
            if getattr(older, f.attname) != getattr(newer, f.attname)
        ]
        old_subjects = subjects_by_record[older.history_id]
        new_subjects = subjects_by_record[newer.history_id]
        if old_subjects != new_subjects:
            changes.append((subjects_field, old_subjects, new_subjects))
        raw_changes.append(changes)

    names = _related_names(raw_changes)
    entries = []
    for index, record in enumerate(records[:limit]):
        changes = raw_changes[index] if index < len(raw_changes) else []
        entries.append(
            {
                "record": record,
                "changes": [
                    (f.verbose_name, _display(f, old, names), _display(f, new, names))
                    for f, old, new in changes
                ],
            }
        )
    return entries


def _related_names(raw_changes) -> dict:
    """{(model, pk): str} for every related value that appears in the changes."""
    wanted: dict = {}
    for changes in raw_changes:
        for f, old, new in changes:
            if f.is_relation:
                values = (old or ()) + (new or ()) if f.many_to_many else (old, new)
                wanted.setdefault(f.related_model, set()).update(v for v in values if v)
    return {
        (model, pk): str(obj)
        for model, pks in wanted.items()
        for pk, obj in model._default_manager.in_bulk(pks).items()
    }


def _display(field, value, names) -> str:
    if field.many_to_many:
        return ", ".join(names.get((field.related_model, pk), "?") for pk in value) or "—"
    if value in (None, ""):
        return "—"
    if field.is_relation:
        return names.get((field.related_model, value), "?")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "strftime"):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)
