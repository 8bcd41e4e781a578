"""One spreadsheet row -> the teacher values it carries, or the reasons it is rejected.

Reference lists (organisations, positions, categories, ...) are loaded once per import into
dictionaries, so a row costs no query; the cross-field rules are the registry's own
(`services.teacher_rule_errors`).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.text import normalize_search
from apps.organizations.models import InstructionLanguage, Organization

from ..models import Position, QualificationCategory, Subject, Teacher
from . import cleaning
from .cleaning import CellError
from .columns import FIELDS

# Model fields an import may set, and the text fields' length limits.
TEXT_LIMITS = {
    name: Teacher._meta.get_field(name).max_length
    for name in ("education_institution", "specialty")
}
DATE_FIELDS = ("birth_date", "experience_start", "category_awarded_on", "category_valid_until")
NAME_FIELDS = ("last_name", "first_name", "middle_name")
# Words that mean "no category" in a category column.
NO_CATEGORY = {"-", "—", "нет", "жоқ", "без категории", "санатсыз", "none", "no category"}


class RowValues:
    """The values of one row, with the attributes `teacher_rule_errors` reads."""

    __slots__ = (
        "birth_date",
        "category",
        "category_awarded_on",
        "category_valid_until",
        "education",
        "education_institution",
        "email",
        "experience_start",
        "first_name",
        "iin",
        "last_name",
        "middle_name",
        "organization",
        "phone",
        "position",
        "present",
        "sex",
        "specialty",
        "subjects",
        "teaching_language",
    )

    def __init__(self):
        for name in self.__slots__:
            setattr(self, name, None)
        self.present = set()


@dataclass
class Lookups:
    """Everything a row may refer to, keyed by normalised text."""

    organizations: dict[str, Organization]
    writable_organization_ids: set[int] | None  # None: any organisation (the CLI)
    default_organization: Organization | None
    positions: dict[str, Position]
    categories: dict[str, QualificationCategory]
    languages: dict[str, InstructionLanguage]
    subjects: dict[str, Subject]
    education: dict[str, str]
    today: dt.date = field(default_factory=dt.date.today)

    @classmethod
    def load(cls, *, writable_organization_ids, default_organization, today) -> "Lookups":
        return cls(
            organizations={o.bin: o for o in Organization.objects.select_related("district")},
            writable_organization_ids=writable_organization_ids,
            default_organization=default_organization,
            positions=_by_names(Position.objects.all()),
            categories=_by_names(QualificationCategory.objects.all()),
            languages=_by_names(InstructionLanguage.objects.all()),
            subjects=_by_names(Subject.objects.all()),
            education=_choices_by_label(Teacher.Education.choices),
            today=today,
        )


def _by_names(objects) -> dict:
    """code, Kazakh, Russian and English names -> object."""
    table = {}
    for obj in objects:
        for key in (obj.code, obj.name_kk, obj.name_ru, obj.name_en):
            if key:
                table.setdefault(normalize_search(key), obj)
    return table


def _choices_by_label(choices) -> dict:
    from django.utils import translation

    table = {}
    for value, label in choices:
        table[value] = value
        for lang in ("kk", "ru", "en"):
            with translation.override(lang):
                table[normalize_search(str(label))] = value
    return table


class RowBuilder:
    """Cleans and checks the rows of one file. The column plan (which cell feeds which
    field, under which column title) is worked out once, not for every row."""

    def __init__(self, mapping: dict[int, str], header: list[str], lookups: Lookups):
        self.lookups = lookups
        self.steps = []
        columns = {}
        for index, name in sorted(mapping.items()):
            title = header[index] if index < len(header) and header[index] else None
            columns[name] = str(title or FIELDS[name].label)
            self.steps.append((index, columns[name], _SETTERS[name]))
        if "full_name" in columns:
            for name in NAME_FIELDS:
                columns.setdefault(name, columns["full_name"])
        if "organization_bin" in columns:
            columns["organization"] = columns["organization_bin"]
        self.columns = columns

    def build(self, cells: list) -> tuple[RowValues, list[tuple[str, str]]]:
        """(values, errors) of one row; errors are (column title, message)."""
        values = RowValues()
        errors: list[tuple[str, str]] = []
        lookups, size = self.lookups, len(cells)
        for index, column, setter in self.steps:
            raw = cells[index] if index < size else None
            if raw is None or (raw.__class__ is str and not raw.strip()):
                continue
            try:
                setter(values, raw, lookups)
            except CellError as exc:
                errors.append((column, str(exc)))
        if values.organization is None and lookups.default_organization is not None:
            values.organization = lookups.default_organization
            values.present.add("organization")
        if (
            values.organization is not None
            and lookups.writable_organization_ids is not None
            and values.organization.pk not in lookups.writable_organization_ids
        ):
            message = _("You cannot import teachers into %(organization)s.") % {
                "organization": values.organization.name
            }
            errors.append((self.columns.get("organization", ""), message))
        iin_column = self.columns.get("iin", str(FIELDS["iin"].label))
        if not values.iin and not any(column == iin_column for column, _m in errors):
            errors.append((iin_column, _("The IIN is missing.")))
        return values, errors


def _set_iin(values, raw, lookups):
    values.iin = cleaning.clean_iin(raw)
    values.present.add("iin")


def _set_full_name(values, raw, lookups):
    values.last_name, values.first_name, values.middle_name = cleaning.split_full_name(raw)
    values.present.update(NAME_FIELDS)


def _setter(name, clean):
    def setter(values, raw, lookups):
        setattr(values, name, clean(raw))
        values.present.add(name)

    return setter


def _set_organization(values, raw, lookups):
    bin_ = cleaning.clean_bin(raw)
    organization = lookups.organizations.get(bin_)
    if organization is None:
        raise CellError(_("No organisation with BIN %(bin)s is registered.") % {"bin": bin_})
    values.organization = organization
    values.present.add("organization")


def _set_position(values, raw, lookups):
    values.position = _lookup(lookups.positions, raw, _UNKNOWN_POSITION)
    values.present.add("position")


def _set_category(values, raw, lookups):
    text = normalize_search(cleaning.clean_text(raw, max_length=100))
    values.category = (
        None if text in NO_CATEGORY else _lookup(lookups.categories, raw, _UNKNOWN_CATEGORY)
    )
    values.present.add("category")


def _set_language(values, raw, lookups):
    values.teaching_language = _lookup(lookups.languages, raw, _UNKNOWN_LANGUAGE)
    values.present.add("teaching_language")


def _set_subjects(values, raw, lookups):
    values.subjects = [
        _lookup(lookups.subjects, item, _UNKNOWN_SUBJECT) for item in cleaning.clean_list(raw)
    ]
    values.present.add("subjects")


def _set_education(values, raw, lookups):
    key = normalize_search(cleaning.clean_text(raw, max_length=100))
    if key not in lookups.education:
        raise CellError(_("Unknown level of education: %(value)s.") % {"value": raw})
    values.education = lookups.education[key]
    values.present.add("education")


_SETTERS = {
    "iin": _set_iin,
    "full_name": _set_full_name,
    **{name: _setter(name, cleaning.clean_name) for name in NAME_FIELDS},
    **{name: _setter(name, cleaning.clean_date) for name in DATE_FIELDS},
    "sex": _setter("sex", cleaning.clean_sex),
    "organization_bin": _set_organization,
    "position": _set_position,
    "category": _set_category,
    "teaching_language": _set_language,
    "subjects": _set_subjects,
    "education": _set_education,
    **{
        name: _setter(name, lambda raw, limit=limit: cleaning.clean_text(raw, max_length=limit))
        for name, limit in TEXT_LIMITS.items()
    },
    "phone": _setter("phone", cleaning.clean_phone),
    "email": _setter("email", cleaning.clean_email),
}


# Translated only when a value is unknown (gettext per cell would cost more than the look-up).
_UNKNOWN_POSITION = gettext_lazy("Unknown position: %(value)s.")
_UNKNOWN_CATEGORY = gettext_lazy("Unknown qualification category: %(value)s.")
_UNKNOWN_LANGUAGE = gettext_lazy("Unknown language of instruction: %(value)s.")
_UNKNOWN_SUBJECT = gettext_lazy("Unknown subject: %(value)s.")


def _lookup(table: dict, raw, message):
    """The object a cell names. Found values are remembered in the table under the raw
    text, since a file repeats the same few positions, categories and subjects."""
    try:
        return table[raw]
    except (KeyError, TypeError):
        pass
    text = cleaning.clean_text(raw, max_length=255)
    found = table.get(normalize_search(text))
    if found is None:
        raise CellError(str(message) % {"value": text})
    if isinstance(raw, str):
        table[raw] = found
    return found
