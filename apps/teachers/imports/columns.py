"""The registry fields an import can fill, and how header cells in three languages map to them."""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Field:
    label: Promise | str
    synonyms: tuple[str, ...]


# Labels reuse the model's verbose names where there is one, so they share its translations.
# Synonyms are what people type: Kazakh, Russian and English, with and without abbreviations.
# Each field's own name (with spaces for underscores) is accepted too, for files we exported.
FIELDS: dict[str, Field] = {
    "iin": Field(
        _("IIN"),
        (
            "ИИН",
            "ЖСН",
            "IIN",
            "ИИН педагога",
            "ИИН сотрудника",
            "Жеке сәйкестендіру нөмірі",
            "индивидуальный идентификационный номер",
            "Individual identification number",
        ),
    ),
    "full_name": Field(
        _("full name"),
        (
            "ФИО",
            "Ф.И.О.",
            "ФИО педагога",
            "Аты-жөні",
            "Тегі, аты, әкесінің аты",
            "Т.А.Ә.",
            "Фамилия Имя Отчество",
            "Фамилия, имя, отчество",
            "Full name",
        ),
    ),
    "last_name": Field(_("last name"), ("Фамилия", "Тегі", "Last name", "Surname", "Family name")),
    "first_name": Field(_("first name"), ("Имя", "Аты", "First name", "Given name")),
    "middle_name": Field(
        _("patronymic"), ("Отчество", "Әкесінің аты", "Patronymic", "Middle name")
    ),
    "birth_date": Field(
        _("birth date"),
        (
            "Дата рождения",
            "Туған күні",
            "Туылған күні",
            "Туған күні, айы, жылы",
            "Birth date",
            "Date of birth",
        ),
    ),
    "sex": Field(_("sex"), ("Пол", "Жынысы", "Sex", "Gender")),
    "organization_bin": Field(
        _("organisation BIN"),
        (
            "БИН",
            "БСН",
            "БИН организации",
            "БИН школы",
            "БИН учреждения",
            "Ұйымның БСН",
            "Мектептің БСН",
            "Organisation BIN",
            "Organization BIN",
            "School BIN",
            "BIN",
        ),
    ),
    "position": Field(_("position"), ("Должность", "Лауазымы", "Лауазым", "Position", "Job title")),
    "subjects": Field(
        _("subjects"),
        (
            "Предмет",
            "Предметы",
            "Преподаваемый предмет",
            "Преподаваемые предметы",
            "Пән",
            "Пәні",
            "Пәндер",
            "Оқытатын пәні",
            "Subject",
            "Subjects",
            "Subject(s)",
        ),
    ),
    "teaching_language": Field(
        _("language of instruction"),
        (
            "Язык обучения",
            "Язык преподавания",
            "Оқыту тілі",
            "Language of instruction",
            "Teaching language",
        ),
    ),
    "experience_start": Field(
        _("pedagogical experience since"),
        (
            "Педстаж с",
            "Стаж с",
            "Дата начала педстажа",
            "Дата начала педагогического стажа",
            "Педагогикалық өтілі басталған күн",
            "Experience since",
            "Pedagogical experience since",
        ),
    ),
    "education": Field(
        _("education"),
        ("Образование", "Уровень образования", "Білімі", "Білім деңгейі", "Education"),
    ),
    "education_institution": Field(
        _("educational institution"),
        (
            "Учебное заведение",
            "Что окончил",
            "Что окончил(а)",
            "Оқу орны",
            "Бітірген оқу орны",
            "Educational institution",
        ),
    ),
    "specialty": Field(
        _("specialty"),
        (
            "Специальность",
            "Специальность по диплому",
            "Мамандығы",
            "Мамандық",
            "Specialty",
            "Speciality",
        ),
    ),
    "category": Field(
        _("qualification category"),
        (
            "Категория",
            "Квалификационная категория",
            "Санаты",
            "Біліктілік санаты",
            "Category",
            "Qualification category",
        ),
    ),
    "category_awarded_on": Field(
        _("category awarded on"),
        (
            "Дата присвоения категории",
            "Дата присвоения",
            "Санат берілген күн",
            "Санат берілген күні",
            "Category awarded on",
        ),
    ),
    "category_valid_until": Field(
        _("category valid until"),
        (
            "Категория действительна до",
            "Действительна до",
            "Срок действия категории",
            "Срок действия",
            "Дата окончания категории",
            "Санаттың жарамдылық мерзімі",
            "Category valid until",
            "Valid until",
        ),
    ),
    "phone": Field(
        _("phone"),
        (
            "Телефон",
            "Тел.",
            "Моб. телефон",
            "Мобильный телефон",
            "Контактный телефон",
            "Ұялы телефон",
            "Телефон нөмірі",
            "Phone",
            "Mobile",
        ),
    ),
    "email": Field(
        _("e-mail"),
        (
            "E-mail",
            "Email",
            "Е-mail",  # with a Cyrillic Е, as a Russian keyboard layout leaves it
            "Эл. почта",
            "Электронная почта",
            "Электрондық пошта",
            "Электрондық поштасы",
        ),
    ),
}

_LEADING_NUMBER = re.compile(r"^\s*\d+\s*[.)]\s*")
_NON_WORD = re.compile(r"[\W_]+")


def normalize_header(text: str) -> str:
    """Casefold, ё -> е, no punctuation, quotes, asterisks, "№" or leading "1."; single spaces."""
    text = unicodedata.normalize("NFC", str(text)).casefold().replace("ё", "е")
    text = _LEADING_NUMBER.sub("", text)
    return _NON_WORD.sub(" ", text).strip()


def _build_indexes():
    exact: dict[str, str] = {}
    compact: dict[str, str] = {}
    token_synonyms: list[tuple[tuple[str, ...], int, str]] = []
    for name, field in FIELDS.items():
        for synonym in (*field.synonyms, name.replace("_", " ")):
            normal = normalize_header(synonym)
            exact.setdefault(normal, name)
            compact.setdefault(normal.replace(" ", ""), name)
            token_synonyms.append((tuple(normal.split()), len(normal), name))
    # Most specific first: "дата присвоения категории" must be tried before "категория".
    token_synonyms.sort(key=lambda item: (-len(item[0]), -item[1]))
    return exact, compact, token_synonyms


_EXACT, _COMPACT, _TOKEN_SYNONYMS = _build_indexes()


def _token_matches(synonym_token: str, header_token: str) -> bool:
    if synonym_token == header_token:
        return True
    # A shared stem lets "категории", "категориясы" or "предметы" match; short words
    # ("имя", "пол", "иин") must match whole, or "пол" would match "полное".
    if len(synonym_token) < 4:
        return False
    return header_token.startswith(synonym_token[: max(4, len(synonym_token) - 2)])


def _fuzzy_field(tokens: list[str]) -> str | None:
    for synonym_tokens, _length, name in _TOKEN_SYNONYMS:
        if all(any(_token_matches(s, h) for h in tokens) for s in synonym_tokens):
            return name
    return None


def guess_mapping(header: list[str]) -> dict[int, str]:
    """Column index -> field name; each field at most once, unknown columns left out.

    Exact synonyms win over partial matches anywhere in the header, so that a column
    "Год окончания учебного заведения" cannot take the field from "Учебное заведение".
    """
    normal = [normalize_header(cell) if cell is not None else "" for cell in header]
    mapping: dict[int, str] = {}
    used: set[str] = set()
    for index, text in enumerate(normal):
        if not text:
            continue
        name = _EXACT.get(text) or _COMPACT.get(text.replace(" ", ""))
        if name and name not in used:
            mapping[index] = name
            used.add(name)
    for index, text in enumerate(normal):
        if not text or index in mapping:
            continue
        name = _fuzzy_field(text.split())
        # A column whose best match is taken is another column about the same thing
        # ("ИИН руководителя"); the second-best field would be a wrong guess.
        if name and name not in used:
            mapping[index] = name
            used.add(name)
    return mapping


@dataclass(frozen=True)
class NamedColumn:
    """A column of a small fixed-layout file (test results, selection scores)."""

    label: object  # a lazy translation
    synonyms: tuple[str, ...]


class ColumnSet:
    """The columns of such a file, found in its header by label (in any interface
    language, so that an error file downloaded in one language imports in any) or by a
    synonym; every column is required."""

    def __init__(self, columns: dict[str, NamedColumn]):
        self.columns = columns

    def __iter__(self):
        return iter(self.columns)

    def label(self, name: str) -> str:
        return capfirst(str(self.columns[name].label))

    def _index(self) -> dict[str, str]:
        index = {}
        for name, column in self.columns.items():
            texts = [*column.synonyms, name.replace("_", " ")]
            for language in ("kk", "ru", "en"):
                with translation.override(language):
                    texts.append(str(column.label))
            for text in texts:
                index.setdefault(normalize_header(text), name)
        return index

    def map(self, header: list[str]) -> dict[str, int]:
        """Column name -> its index in the header (the first column that says it); a
        ValidationError names the columns that are missing."""
        index = self._index()
        found: dict[str, int] = {}
        for position, text in enumerate(header):
            name = index.get(normalize_header(text)) if text else None
            if name:
                found.setdefault(name, position)
        missing = [self.label(name) for name in self.columns if name not in found]
        if missing:
            raise ValidationError(
                gettext(
                    "The first row of the file must name the columns. Missing: %(missing)s. "
                    "Expected columns: %(expected)s."
                )
                % {
                    "missing": ", ".join(missing),
                    "expected": ", ".join(self.label(name) for name in self.columns),
                },
                code="columns",
            )
        return found
