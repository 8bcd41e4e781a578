"""One spreadsheet row -> the teacher values it carries, or the reasons it is rejected.

Reference lists (organisations, positions, categories, ...) are loaded once per import into
dictionaries, so a row costs no query; the cross-field rules are the registry's own
(`services.teacher_rule_errors`).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

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


def build_row(cells: list, mapping: dict[int, str], header: list[str], lookups: Lookups):
    """Clean and check one row. Returns (values, errors); errors are (column, message)."""
    values = RowValues()
    errors: list[tuple[str, str]] = []
    columns = {}
    for index, name in mapping.items():
        raw = cells[index] if index < len(cells) else None
        column = header[index] if index < len(header) and header[index] else FIELDS[name].label
        columns[name] = column
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            _set_field(values, name, raw, lookups)
        except CellError as exc:
            errors.append((str(column), str(exc)))
    if "full_name" in columns:
        for name in NAME_FIELDS:
            columns.setdefault(name, columns["full_name"])
    if "organization_bin" in columns:
        columns["organization"] = columns["organization_bin"]
    if values.organization is None and lookups.default_organization is not None:
        values.organization = lookups.default_organization
        values.present.add("organization")
    if values.organization is not None and (
        lookups.writable_organization_ids is not None
        and values.organization.pk not in lookups.writable_organization_ids
    ):
        errors.append(
            (
                columns.get("organization", ""),
                _("You cannot import teachers into %(organization)s.")
                % {"organization": values.organization.name},
            )
        )
    if not values.iin and not any(c == columns.get("iin") for c, _m in errors):
        errors.append((columns.get("iin", str(FIELDS["iin"].label)), _("The IIN is missing.")))
    return values, errors, columns


def _set_field(values: RowValues, name: str, raw, lookups: Lookups) -> None:
    if name == "iin":
        values.iin = cleaning.clean_iin(raw)
    elif name == "full_name":
        values.last_name, values.first_name, values.middle_name = cleaning.split_full_name(raw)
        values.present.update(NAME_FIELDS)
        return
    elif name in NAME_FIELDS:
        setattr(values, name, cleaning.clean_name(raw))
    elif name in DATE_FIELDS:
        setattr(values, name, cleaning.clean_date(raw))
    elif name == "sex":
        values.sex = cleaning.clean_sex(raw)
    elif name == "organization_bin":
        bin_ = cleaning.clean_bin(raw)
        organization = lookups.organizations.get(bin_)
        if organization is None:
            raise CellError(_("No organisation with BIN %(bin)s is registered.") % {"bin": bin_})
        values.organization = organization
        values.present.add("organization")
        return
    elif name == "position":
        values.position = _lookup(lookups.positions, raw, _("Unknown position: %(value)s."))
    elif name == "category":
        text = normalize_search(cleaning.clean_text(raw, max_length=100))
        values.category = (
            None
            if text in NO_CATEGORY
            else _lookup(lookups.categories, raw, _("Unknown qualification category: %(value)s."))
        )
    elif name == "teaching_language":
        values.teaching_language = _lookup(
            lookups.languages, raw, _("Unknown language of instruction: %(value)s.")
        )
    elif name == "subjects":
        values.subjects = [
            _lookup(lookups.subjects, item, _("Unknown subject: %(value)s."))
            for item in cleaning.clean_list(raw)
        ]
    elif name == "education":
        key = normalize_search(cleaning.clean_text(raw, max_length=100))
        if key not in lookups.education:
            raise CellError(_("Unknown level of education: %(value)s.") % {"value": raw})
        values.education = lookups.education[key]
    elif name in TEXT_LIMITS:
        setattr(values, name, cleaning.clean_text(raw, max_length=TEXT_LIMITS[name]))
    elif name == "phone":
        values.phone = cleaning.clean_phone(raw)
    elif name == "email":
        values.email = cleaning.clean_email(raw)
    values.present.add(name)


def _lookup(table: dict, raw, message: str):
    text = cleaning.clean_text(raw, max_length=255)
    found = table.get(normalize_search(text))
    if found is None:
        raise CellError(message % {"value": text})
    return found
