"""Cleaning single spreadsheet cells for the teacher import, and guessing what columns hold."""

import datetime as dt

import pytest
from django.utils import translation

from apps.core.identifiers import check_digit, parse_iin, validate_bin
from apps.teachers.imports import cleaning
from apps.teachers.imports.cleaning import (
    CLEANERS,
    CellError,
    clean_bin,
    clean_date,
    clean_email,
    clean_iin,
    clean_list,
    clean_name,
    clean_phone,
    clean_sex,
    clean_text,
    parse_iin_cell,
    split_full_name,
)
from apps.teachers.imports.columns import FIELDS, guess_mapping, normalize_header


@pytest.fixture(autouse=True)
def _english():
    # Assertions below look for words of the English messages; the site's default is Kazakh.
    with translation.override("en"):
        yield


def _error(function, value, **kwargs) -> str:
    with pytest.raises(CellError) as caught:
        function(value, **kwargs)
    assert caught.value.message
    return caught.value.message


def _message_of(validator, value) -> str:
    try:
        validator(value)
    except Exception as exc:  # the validator's own message is what we compare
        return exc.messages[0]
    raise AssertionError("the validator accepted the value")


# --- IIN -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("900101300007", "900101300007"),
        ("061211600012", "061211600012"),
        (" 9001 0130 0007 ", "900101300007"),
        ("900101-300007", "900101300007"),
        ("900101\u00a0300007", "900101300007"),
        ("'061211600012", "061211600012"),
        (900101300007, "900101300007"),
        (900101300007.0, "900101300007"),
        ("900101300007.0", "900101300007"),
        ("900101300007,0", "900101300007"),
        ("9.00101300007E+11", "900101300007"),
        ("9,00101300007E+11", "900101300007"),
        (9.00101300007e11, "900101300007"),
        # A number loses the leading zero of people born in the 2000s.
        (61211600012, "061211600012"),
        (61211600012.0, "061211600012"),
        ("61211600012", "061211600012"),
        ("61211600012.0", "061211600012"),
        ("6.1211600012E+10", "061211600012"),
        (None, ""),
        ("", ""),
        ("   ", ""),
    ],
)
def test_clean_iin_accepts(value, expected):
    assert clean_iin(value) == expected


@pytest.mark.parametrize(
    ("value", "parse_iin_input"),
    [
        ("900101300001", "900101300001"),  # check digit
        (900101300001, "900101300001"),
        ("900132300007", "900132300007"),  # 32nd of January
        ("900101700007", "900101700007"),  # 7th digit
        ("90010130000712", "90010130000712"),
        ("ИИН 900101300007", "ИИН900101300007"),
        ("abc", "abc"),
        (12.5, "12.5"),
        (True, "1"),
        # Eleven digits of text that are not a lost zero: a digit was left out.
        ("90010130007", "90010130007"),
        ("12345", "12345"),
    ],
)
def test_clean_iin_rejects_with_the_validators_message(value, parse_iin_input):
    assert _error(clean_iin, value) == _message_of(parse_iin, parse_iin_input)


@pytest.mark.parametrize(
    "value",
    ["9,00101E+11", "9.00101E+11", "9,001013E+11", "6,12116E+10", 9.00101e11, 900101000000],
)
def test_clean_iin_says_when_excel_rounded_the_number(value):
    message = _error(clean_iin, value)
    assert "rounded" in message
    assert "Text" in message


def test_parse_iin_cell_gives_birth_date_and_sex():
    iin, info = parse_iin_cell(61211600012)
    assert iin == "061211600012"
    assert (info.birth_date, info.sex) == (dt.date(2006, 12, 11), "F")
    assert parse_iin_cell("") is None


# --- BIN -------------------------------------------------------------------------------------


def _bin(first11: str) -> str:
    return first11 + str(check_digit(first11))


BIN_2004 = _bin("04034000123")  # registered in March 2004: starts with a zero
BIN_1998 = _bin("98044000011")


def test_bins_used_here_are_valid():
    validate_bin(BIN_2004)
    validate_bin(BIN_1998)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (BIN_1998, BIN_1998),
        (int(BIN_1998), BIN_1998),
        (float(BIN_1998), BIN_1998),
        (f"{BIN_1998}.0", BIN_1998),
        (f" {BIN_1998[:6]} {BIN_1998[6:]} ", BIN_1998),
        (int(BIN_2004), BIN_2004),
        (float(BIN_2004), BIN_2004),
        (BIN_2004.lstrip("0"), BIN_2004),
        (None, ""),
        ("", ""),
    ],
)
def test_clean_bin_accepts(value, expected):
    assert clean_bin(value) == expected


def test_clean_bin_rejects_with_the_validators_message():
    wrong = BIN_1998[:11] + str((int(BIN_1998[11]) + 1) % 10)
    assert _error(clean_bin, wrong) == _message_of(validate_bin, wrong)
    assert _error(clean_bin, "12345") == _message_of(validate_bin, "12345")
    assert "rounded" in _error(clean_bin, "9,80441E+11")


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(1985, 8, 25), dt.date(1985, 8, 25)),
        (dt.datetime(1985, 8, 25, 0, 0), dt.date(1985, 8, 25)),
        (31284, dt.date(1985, 8, 25)),  # Excel serial numbers (1900 date system)
        (31284.0, dt.date(1985, 8, 25)),
        (31284.75, dt.date(1985, 8, 25)),
        ("31284", dt.date(1985, 8, 25)),
        ("45123", dt.date(2023, 7, 16)),
        ("25.08.1985", dt.date(1985, 8, 25)),
        ("5.8.1985", dt.date(1985, 8, 5)),
        ("05.08.85", dt.date(1985, 8, 5)),
        ("01.09.28", dt.date(2028, 9, 1)),
        ("01.09.05", dt.date(2005, 9, 1)),
        ("25/08/1985", dt.date(1985, 8, 25)),
        ("25-08-1985", dt.date(1985, 8, 25)),
        ("1985-08-25", dt.date(1985, 8, 25)),
        ("1985.08.25", dt.date(1985, 8, 25)),
        ("1985-08-25 00:00:00", dt.date(1985, 8, 25)),
        ("1985-08-25T00:00:00", dt.date(1985, 8, 25)),
        ("  25.08.1985  ", dt.date(1985, 8, 25)),
        ("25 . 08 . 1985", dt.date(1985, 8, 25)),
        ("25.08.1985 г.", dt.date(1985, 8, 25)),
        ("25.08.1985г", dt.date(1985, 8, 25)),
        ("25.08.1985 ж.", dt.date(1985, 8, 25)),
        ("25.08.1985ж", dt.date(1985, 8, 25)),
        (None, None),
        ("", None),
        ("  ", None),
    ],
)
def test_clean_date_accepts(value, expected):
    assert clean_date(value) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("31.02.1985", "25.08.1985"),
        ("25.13.1985", "25.08.1985"),
        ("abc", "25.08.1985"),
        ("25.08", "25.08.1985"),
        ("08/25/1985", "25.08.1985"),  # US order
        ("25.08/1985", "25.08.1985"),
        (15, "25.08.1985"),  # a count in a date column
        (True, "25.08.1985"),
        ("1985", "only a year"),
        (1985, "only a year"),
        ("1985 ж.", "only a year"),
        ("25.08.1885", "outside the years"),
        (dt.date(1905, 6, 7), "outside the years"),  # 1985 typed into a date-formatted cell
        ("25.08.2185", "outside the years"),
    ],
)
def test_clean_date_rejects(value, words):
    assert words in _error(clean_date, value)


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Иванова", "Иванова"),
        ("  Анна  ", "Анна"),
        ("ИВАНОВА", "Иванова"),
        ("иванова", "Иванова"),
        ("ӘБДІРАХМАНОВА-ИВАНОВА", "Әбдірахманова-Иванова"),
        ("Иванова - Петрова", "Иванова-Петрова"),
        ("Иванова–Петрова", "Иванова-Петрова"),
        ("Д’Артаньян", "Д'Артаньян"),
        ("McDonald", "McDonald"),
        ("Ivanova", "Ivanova"),  # Latin only: the person's own spelling, left alone
        ("СЕРІК ҚЫЗЫ", "Серік қызы"),
        # Latin look-alikes inside Cyrillic words
        ("Ивaновa", "Иванова"),
        ("Пeтрoв", "Петров"),
        ("Pоза", "Роза"),  # Latin P is the Cyrillic Р it looks like
        ("Сeрiк", "Серік"),
        ("Aйгүл", "Айгүл"),
        ("ƏБДІРАХМАНОВ", "Әбдірахманов"),
        ("Əлиев", "Әлиев"),
        ("Ива\u0306нова", "Ивӑнова"),  # decomposed letters are composed (NFC)
        (None, ""),
        ("", ""),
    ],
)
def test_clean_name(value, expected):
    assert clean_name(value) == expected


def test_clean_name_fixes_lookalikes_only_in_cyrillic_words():
    assert clean_name("Иванoва Ivanova") == "Иванова Ivanova"


@pytest.mark.parametrize("value", ["Иванова2", "Иванова.", "Иванова А.П.", "@нна", 123, 1.5])
def test_clean_name_rejects_what_is_not_letters(value):
    assert "letters" in _error(clean_name, value)


def test_clean_name_explains_question_marks_of_a_lost_encoding():
    assert "encoding" in _error(clean_name, "Ә?ілова")
    assert "encoding" in _error(clean_name, "\ufffdлиев")


def test_clean_name_length():
    assert clean_name("Б" + "а" * 99) == "Б" + "а" * 99
    assert "100" in _error(clean_name, "Б" + "а" * 100)
    assert "10" in _error(clean_name, "Абдрахманова", max_length=10)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Иванова Анна Петровна", ("Иванова", "Анна", "Петровна")),
        ("  Иванова   Анна  Петровна ", ("Иванова", "Анна", "Петровна")),
        ("ИВАНОВА АННА ПЕТРОВНА", ("Иванова", "Анна", "Петровна")),
        ("ИВАНОВА Анна Петровна", ("Иванова", "Анна", "Петровна")),
        ("Әлиева Айгүл Серік қызы", ("Әлиева", "Айгүл", "Серік қызы")),
        ("ӘЛИЕВА АЙГҮЛ СЕРІК ҚЫЗЫ", ("Әлиева", "Айгүл", "Серік қызы")),
        ("Нұрланов Ерлан Серік ұлы", ("Нұрланов", "Ерлан", "Серік ұлы")),
        ("Нұрланов Ерлан Серікұлы", ("Нұрланов", "Ерлан", "Серікұлы")),
        ("Ким Анна", ("Ким", "Анна", "")),
        ("Ивaновa Aнна Пeтровна", ("Иванова", "Анна", "Петровна")),
        ("Иванова-Петрова Анна", ("Иванова-Петрова", "Анна", "")),
        (None, ("", "", "")),
        ("", ("", "", "")),
    ],
)
def test_split_full_name(value, expected):
    assert split_full_name(value) == expected


@pytest.mark.parametrize(
    "value",
    ["Иванова", "Иванова Анна Мария Петровна", "Анна Серік қызы", "Иванова А.П.", 42],
)
def test_split_full_name_rejects(value):
    _error(split_full_name, value)


# --- sex, text, lists, phone, e-mail ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("М", "M"),
        ("м", "M"),
        ("Е", "M"),
        ("Ер", "M"),
        ("ер.", "M"),
        ("муж.", "M"),
        ("Мужской", "M"),
        ("M", "M"),
        ("male", "M"),
        ("Ж", "F"),
        (" ж ", "F"),
        ("Ә", "F"),
        ("Әйел", "F"),
        ("жен", "F"),
        ("ЖЕНСКИЙ", "F"),
        ("F", "F"),
        ("Female", "F"),
        (None, ""),
        ("", ""),
    ],
)
def test_clean_sex(value, expected):
    assert clean_sex(value) == expected


@pytest.mark.parametrize("value", ["X", "мж", 1, "?"])
def test_clean_sex_rejects(value):
    assert "М or Ж" in _error(clean_sex, value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Учитель   математики ", "Учитель математики"),
        (12.0, "12"),
        (12.5, "12.5"),
        (2024, "2024"),
        (dt.datetime(2020, 1, 2), "02.01.2020"),
        (None, ""),
    ],
)
def test_clean_text(value, expected):
    assert clean_text(value, max_length=50) == expected


def test_clean_text_length():
    assert clean_text("x" * 10, max_length=10) == "x" * 10
    assert "11" in _error(clean_text, "x" * 11, max_length=10)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Математика", ["Математика"]),
        (
            "Математика, Физика; Информатика/История\nХимия",
            ["Математика", "Физика", "Информатика", "История", "Химия"],
        ),
        ("Қазақ  тілі ,, Қазақ тілі;", ["Қазақ тілі"]),
        (None, []),
        ("", []),
    ],
)
def test_clean_list(value, expected):
    assert clean_list(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("8 (701) 123-45-67", "+77011234567"),
        ("+7 701 123 45 67", "+77011234567"),
        ("+7(701)1234567", "+77011234567"),
        ("77011234567", "+77011234567"),
        ("7011234567", "+77011234567"),
        ("8 (72533) 5-12-34", "+77253351234"),
        (87011234567, "+77011234567"),
        (87011234567.0, "+77011234567"),
        ("87011234567.0", "+77011234567"),
        (None, ""),
        ("", ""),
    ],
)
def test_clean_phone(value, expected):
    assert clean_phone(value) == expected


@pytest.mark.parametrize(
    "value",
    ["123-45-67", "+998 90 123 45 67", "8 901 123 45 67", "87011234567, 87021234567", "+8 701"],
)
def test_clean_phone_rejects(value):
    assert "+7 701 123 45 67" in _error(clean_phone, value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" Aigul@Mail.KZ ", "aigul@mail.kz"),
        ("mailto:aigul@mail.kz", "aigul@mail.kz"),
        (None, ""),
        ("", ""),
    ],
)
def test_clean_email(value, expected):
    assert clean_email(value) == expected


@pytest.mark.parametrize("value", ["aigul@", "aigul mail.kz", "aigul@mail", "a@b@c.kz", 5])
def test_clean_email_rejects(value):
    assert "e-mail" in _error(clean_email, value)


def test_every_field_has_a_cleaner():
    assert set(CLEANERS) == set(FIELDS)


def test_messages_quote_long_values_shortly():
    message = _error(clean_date, "x" * 500)
    assert len(message) < 120


def test_date_text_is_cached():
    cleaning._parse_date_text.cache_clear()
    for _i in range(3):
        clean_date("25.08.1985")
    assert cleaning._parse_date_text.cache_info().hits == 2


# --- columns ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  ИИН  ", "иин"),
        ("Ф.И.О.", "ф и о"),
        ("1. Дата рождения*", "дата рождения"),
        ("12) Пол", "пол"),
        ("№ ИИН", "иин"),
        ("«Учебное заведение»", "учебное заведение"),
        ("Тегі,  аты,\nәкесінің аты", "тегі аты әкесінің аты"),
        ("Дата присвоения (ёлка)", "дата присвоения елка"),
        ("E-mail", "e mail"),
    ],
)
def test_normalize_header(text, expected):
    assert normalize_header(text) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["№", "ФИО", "ИИН", "Дата рождения", "Пол", "БИН школы", "Должность", "Предмет"],
            {
                1: "full_name",
                2: "iin",
                3: "birth_date",
                4: "sex",
                5: "organization_bin",
                6: "position",
                7: "subjects",
            },
        ),
        (
            ["Тегі", "Аты", "Әкесінің аты", "ЖСН", "Туған күні", "Жынысы", "Ұйымның БСН"],
            {
                0: "last_name",
                1: "first_name",
                2: "middle_name",
                3: "iin",
                4: "birth_date",
                5: "sex",
                6: "organization_bin",
            },
        ),
        (
            ["Full name", "IIN", "Date of birth", "Gender", "Position", "Subject(s)", "Email"],
            {
                0: "full_name",
                1: "iin",
                2: "birth_date",
                3: "sex",
                4: "position",
                5: "subjects",
                6: "email",
            },
        ),
        (
            ["Аты-жөні", "ЖСН", "Оқыту тілі", "Санаты", "Санат берілген күн", "Ұялы телефон"],
            {
                0: "full_name",
                1: "iin",
                2: "teaching_language",
                3: "category",
                4: "category_awarded_on",
                5: "phone",
            },
        ),
        # The most specific synonym wins, wherever the columns stand.
        (
            ["Дата присвоения категории", "Категория", "Категория действительна до"],
            {0: "category_awarded_on", 1: "category", 2: "category_valid_until"},
        ),
        (
            ["Дата присвоения квалификационной категории", "Квалификационная категория"],
            {0: "category_awarded_on", 1: "category"},
        ),
        (
            ["Срок действия квалификационной категории", "ИИН (12 цифр)", "Ф. И. О."],
            {0: "category_valid_until", 1: "iin", 2: "full_name"},
        ),
        # An exact name anywhere beats a partial one earlier in the row.
        (
            ["Год окончания учебного заведения", "Учебное заведение"],
            {1: "education_institution"},
        ),
        # Each field once; unknown columns left out.
        (["ИИН", "ИИН", "Примечание", "", None], {0: "iin"}),
        (["ИИН", "ИИН руководителя"], {0: "iin"}),
        (["Е-mail", "Тел.", "Моб. телефон"], {0: "email", 1: "phone"}),
        (["Стаж", "Педагогический стаж (лет)", "Педстаж с"], {2: "experience_start"}),
        (["iin", "last_name", "birth_date"], {0: "iin", 1: "last_name", 2: "birth_date"}),
    ],
)
def test_guess_mapping(header, expected):
    assert guess_mapping(header) == expected


def test_no_synonym_belongs_to_two_fields():
    owners: dict[str, set[str]] = {}
    for name, field in FIELDS.items():
        for synonym in field.synonyms:
            owners.setdefault(normalize_header(synonym).replace(" ", ""), set()).add(name)
    assert {key: names for key, names in owners.items() if len(names) > 1} == {}


def test_every_synonym_maps_to_its_own_field():
    for name, field in FIELDS.items():
        for synonym in field.synonyms:
            assert guess_mapping([synonym]) == {0: name}, synonym
