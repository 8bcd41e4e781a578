"""Turn a spreadsheet cell into a clean registry value, or say in the user's language why not."""

import datetime as dt
import functools
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from apps.core.identifiers import IinInfo, parse_iin, validate_bin
from apps.core.text import PERSON_NAME

# Every cleaner takes what a reader gives (str, int, float, bool, datetime, date or None) and
# returns the clean value; an empty cell gives "" (None for a date, [] for a list), and the
# caller decides whether the field is required. The import cleans hundreds of thousands of
# cells, so patterns are compiled once and values that repeat down a column (dates, first
# names, BINs, positions) are cached.


class CellError(ValueError):
    """A cell we cannot use; .message says what is wrong and what is expected."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = str(message)


_SHOWN_CHARS = 40


def _shown(value) -> str:
    """The cell as a message quotes it: short enough for an error list."""
    text = " ".join(str(value).split())
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _is_empty_text(value: str) -> bool:
    return not value or value.isspace()


# --- 12-digit numbers: IIN and BIN -----------------------------------------------------------

_SEPARATORS = re.compile(r"[\s\-‐‑–—_]+")
_WHOLE_NUMBER_TEXT = re.compile(r"(\d+)[.,]0+")  # "900101300007.0": a number written as text
_SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?[eE][+]?\d+")


def _rounded_error(value) -> CellError:
    return CellError(
        _(
            "Excel has rounded this number (%(value)s), so its last digits are lost. Format "
            "the column as Text, enter the numbers again and save the file again."
        )
        % {"value": _shown(value)}
    )


def _twelve_digits(value) -> tuple[str, bool]:
    """(digits, came_from_a_number): the digits a cell holds, undoing what Excel does to them.

    Returns the text as found when it cannot be a number, so that the caller's validator
    gives its own message. Raises CellError when Excel has rounded the number.
    """
    cls = value.__class__
    if cls is int:
        return str(value), True
    if cls is float:
        # A 12-digit float is exact; Excel's rounding shows as zeros at the end (see below).
        return (str(int(value)), True) if value.is_integer() else (str(value), False)
    if cls is not str:
        return str(value), False
    text = _SEPARATORS.sub("", value).lstrip("'")
    if text.isdigit():
        return text, False
    whole = _WHOLE_NUMBER_TEXT.fullmatch(text)
    if whole:
        return whole.group(1), True
    if _SCIENTIFIC.fullmatch(text):
        return _from_scientific(text, value), True
    return text, False


def _from_scientific(text: str, value) -> str:
    # "9,00101E+11" is what a CSV holds when Excel showed a long number in its short form
    # (General format shows at most 11 characters): only the mantissa's digits survive.
    # Software that prints the full number writes 11 or 12 significant digits.
    mantissa = text.lower().partition("e")[0].replace(",", ".")
    significant = len(mantissa.replace(".", "").lstrip("0").rstrip("0"))
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return text
    if number != number.to_integral_value():
        return text
    digits = str(int(number))
    if significant < len(digits.rstrip("0")) or significant <= _EXCEL_SHORT_DIGITS:
        raise _rounded_error(value)
    return digits


_EXCEL_SHORT_DIGITS = 10


def _rounded(digits: str) -> bool:
    """A 12-digit number ending in zeros where its serial and check digit should be."""
    return len(digits) == 12 and digits.endswith("0000")


def parse_iin_cell(value) -> tuple[str, IinInfo] | None:
    """(IIN, its birth date and sex) from a cell, None if empty; CellError if it is no IIN."""
    if value is None or (value.__class__ is str and _is_empty_text(value)):
        return None
    if value.__class__ is bool:
        raise CellError(_("An IIN is exactly 12 digits."))
    digits, from_number = _twelve_digits(value)
    if 9 <= len(digits) < 12 and digits.isdigit():
        # A number loses its leading zeros: people born in 2000-2009 have IINs starting with 0.
        padded = digits.zfill(12)
        try:
            info = parse_iin(padded)
        except ValidationError as exc:
            if from_number:
                raise CellError(exc.messages[0]) from None
        else:
            # Text of 9-11 digits is a lost zero only if the IIN then says "born in the
            # 2000s" (7th digit 5 or 6); otherwise a digit was left out.
            if from_number or padded[6] in "56":
                return padded, info
        raise CellError(_("An IIN is exactly 12 digits."))
    try:
        return digits, parse_iin(digits)
    except ValidationError as exc:
        if from_number and _rounded(digits):
            raise _rounded_error(value) from None
        raise CellError(exc.messages[0]) from None


def clean_iin(value) -> str:
    """A valid 12-digit IIN, or "" for an empty cell."""
    parsed = parse_iin_cell(value)
    return "" if parsed is None else parsed[0]


def _clean_bin_digits(digits: str, from_number: bool) -> str:
    if 9 <= len(digits) < 12 and digits.isdigit():
        padded = digits.zfill(12)
        try:
            validate_bin(padded)
        except ValidationError as exc:
            if from_number:
                raise CellError(exc.messages[0]) from None
        else:
            # Digits 3-4 of a BIN are the month of registration; padded text that breaks
            # this had a digit left out, not a zero lost.
            if from_number or "01" <= padded[2:4] <= "12":
                return padded
        raise CellError(_("A BIN is exactly 12 digits."))
    try:
        validate_bin(digits)
    except ValidationError as exc:
        if from_number and _rounded(digits):
            raise _rounded_error(digits) from None
        raise CellError(exc.messages[0]) from None
    return digits


def clean_bin(value) -> str:
    """A BIN with a valid check digit, or "" for an empty cell (lost leading zeros restored)."""
    try:
        return _clean_bin_value(value)
    except TypeError:  # unhashable: no spreadsheet gives one
        raise CellError(_("A BIN is exactly 12 digits.")) from None


@functools.lru_cache(maxsize=1 << 14, typed=True)
def _clean_bin_value(value) -> str:
    if value is None or (value.__class__ is str and _is_empty_text(value)):
        return ""
    if value.__class__ is bool:
        raise CellError(_("A BIN is exactly 12 digits."))
    digits, from_number = _twelve_digits(value)
    return _clean_bin_digits(digits, from_number)


# --- dates -----------------------------------------------------------------------------------

# Serial 61 is 1900-03-01 counted from here; Excel's phantom 29.02.1900 lies below our range.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# No date in a teacher's record lies outside these; a date before is usually a year or a
# count typed into a date cell (Excel shows 1985 as 07.06.1905).
_MIN_DATE = dt.date(1930, 1, 1)
_MAX_DATE = dt.date(2099, 12, 31)
_MIN_SERIAL = (_MIN_DATE - _EXCEL_EPOCH).days
_MAX_SERIAL = (_MAX_DATE - _EXCEL_EPOCH).days
# Two-digit years up to ten years ahead are this century (valid-until dates); the rest the last.
_PIVOT = (dt.date.today().year + 10) % 100
_DATE_SUFFIX = re.compile(r"\s*(?:г\.?|года|гг\.?|ж\.?|жыл|жылы)$", re.IGNORECASE)
_DMY = re.compile(r"(\d{1,2})\s*([./\-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})")
_YMD = re.compile(r"(\d{4})\s*([./\-])\s*(\d{1,2})\s*\2\s*(\d{1,2})")
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_SERIAL_TEXT = re.compile(r"\d{4,6}(?:[.,]\d+)?")
_YEAR_ONLY = re.compile(r"(?:19|20)\d\d")


def _not_a_date(value) -> CellError:
    return CellError(
        _("“%(value)s” is not a date. Expected a date like 25.08.1985.") % {"value": _shown(value)}
    )


def _year_only(value) -> CellError:
    return CellError(
        _("“%(value)s” is only a year. Expected a full date like 25.08.1985.")
        % {"value": _shown(value)}
    )


def _checked(day: dt.date) -> dt.date:
    if not _MIN_DATE <= day <= _MAX_DATE:
        raise CellError(
            _("%(date)s is outside the years %(first)d–%(last)d. Expected a date like 25.08.1985.")
            % {"date": day.strftime("%d.%m.%Y"), "first": _MIN_DATE.year, "last": _MAX_DATE.year}
        )
    return day


def _from_serial(value, original) -> dt.date:
    serial = int(value)
    if 1900 <= serial <= 2100 and serial == value:
        raise _year_only(original)
    if not _MIN_SERIAL <= serial <= _MAX_SERIAL:
        raise _not_a_date(original)
    return _EXCEL_EPOCH + dt.timedelta(days=serial)  # the time of day, if any, is dropped


@functools.lru_cache(maxsize=1 << 15)
def _parse_date_text(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    text = _DATE_SUFFIX.sub("", text)
    text = _TIME.sub("", text)
    match = _DMY.fullmatch(text)
    if match:
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        if len(match.group(4)) == 2:
            year += 2000 if year <= _PIVOT else 1900
    else:
        match = _YMD.fullmatch(text)
        if match is None:
            # A CSV keeps Excel's serial number when a date cell lost its format.
            if _SERIAL_TEXT.fullmatch(text):
                return _from_serial(float(text.replace(",", ".")), text)
            if _YEAR_ONLY.fullmatch(text):
                raise _year_only(text)
            raise _not_a_date(text)
        year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(4))
    try:
        day = dt.date(year, month, day)
    except ValueError:
        raise _not_a_date(text) from None
    return _checked(day)


def clean_date(value) -> dt.date | None:
    """A date from a real date cell, an Excel serial number or text such as 25.08.1985."""
    cls = value.__class__
    if cls is str:
        return _parse_date_text(value)  # cached: the same dates repeat down a column
    if value is None:
        return None
    if cls is dt.datetime:
        return _checked(value.date())
    if cls is dt.date:
        return _checked(value)
    if cls is int or cls is float:
        return _from_serial(value, value)
    if isinstance(value, dt.date):  # subclasses (pandas, freezegun)
        return clean_date(dt.date(value.year, value.month, value.day))
    raise _not_a_date(value)


# --- names -----------------------------------------------------------------------------------

_CYRILLIC = re.compile(r"[Ѐ-ӿ]")
_LATIN = re.compile(r"[A-Za-zƏəƟɵ]")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
# Latin letters that look like Cyrillic ones, as OCR, copied text or a wrong keyboard layout
# leave them in Cyrillic names. I is taken for the Kazakh І, Latin schwa for Ә.
_LOOKALIKES = str.maketrans(
    {
        "A": "А",
        "a": "а",
        "B": "В",
        "C": "С",
        "c": "с",
        "E": "Е",
        "e": "е",
        "H": "Н",
        "h": "һ",
        "I": "І",
        "i": "і",
        "K": "К",
        "k": "к",
        "M": "М",
        "O": "О",
        "o": "о",
        "P": "Р",
        "p": "р",
        "T": "Т",
        "X": "Х",
        "x": "х",
        "Y": "У",
        "y": "у",
        "Ə": "Ә",
        "ə": "ә",
        "Ɵ": "Ө",
        "ɵ": "ө",
    }
)
_DASHES = re.compile(r"\s*[‐‑‒–—−-]\s*")
_APOSTROPHES = re.compile(r"[’ʼ‘`´]")
_PUNCTUATION = re.compile(r"[‐‑‒–—−\-’ʼ‘`´]")
# The second word of a Kazakh or Uzbek patronymic ("Серік қызы", "Алишер угли").
_PATRONYMIC_WORDS = frozenset(
    {"қызы", "ұлы", "кызы", "улы", "qyzy", "uly", "угли", "уғли", "оглы", "кизи", "qizi", "o'g'li"}
)
NAME_MAX_LENGTH = 100


def _fix_lookalikes(match: re.Match) -> str:
    word = match.group(0)
    return word.translate(_LOOKALIKES) if _CYRILLIC.search(word) else word


def _capitalized(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def _normalize_name(value) -> str:
    """Spaces, dashes, apostrophes, look-alike letters and case of a name (or full name)."""
    if value.__class__ is not str:
        if value is None:
            return ""
        raise CellError(
            _("“%(value)s” is not a name: a name is written in letters.") % {"value": _shown(value)}
        )
    text = " ".join(value.split())
    if not text:
        return ""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _PUNCTUATION.search(text):
        text = _DASHES.sub("-", _APOSTROPHES.sub("'", text))
    if not text.isascii() and _LATIN.search(text) and _CYRILLIC.search(text):
        text = _LETTER_RUN.sub(_fix_lookalikes, text)
    if not PERSON_NAME.fullmatch(text):  # the registry's own rule for names
        if "?" in text or "\ufffd" in text:
            raise CellError(
                _(
                    "“%(value)s” has “?” where letters were lost: the file was saved in an "
                    "encoding without Kazakh letters. Save it as “CSV UTF-8” or as .xlsx."
                )
                % {"value": _shown(text)}
            )
        raise CellError(
            _(
                "“%(value)s” is not a name: use letters only (a hyphen, an apostrophe and "
                "spaces are allowed)."
            )
            % {"value": _shown(text)}
        )
    if text.istitle():  # "Иванова Анна", "Әбдірахманова-Иванова": nothing to change
        return text
    words = text.split(" ")
    for position, word in enumerate(words):
        # A word typed in capitals (ИВАНОВА, as lists often give surnames) or in lower case
        # is title-cased; mixed case (McDonald, Д'Артаньян) is the person's own spelling.
        if (word.isupper() or word.islower()) and len(word) > 1:
            word = _capitalized(word)
            if position and word.casefold() in _PATRONYMIC_WORDS:
                word = word.lower()
            words[position] = word
    return " ".join(words)


def _check_length(name: str, max_length: int) -> str:
    if len(name) > max_length:
        raise CellError(
            _("A name can be at most %(max)d characters long; this one has %(length)d.")
            % {"max": max_length, "length": len(name)}
        )
    return name


@functools.lru_cache(maxsize=1 << 16)
def _clean_name_text(text: str, max_length: int) -> str:
    return _check_length(_normalize_name(text), max_length)


def clean_name(value, *, max_length: int = NAME_MAX_LENGTH) -> str:
    """A last name, first name or patronymic, tidied; "" for an empty cell."""
    if value.__class__ is str:
        return _clean_name_text(value, max_length)
    return _check_length(_normalize_name(value), max_length)


def split_full_name(value) -> tuple[str, str, str]:
    """(last, first, patronymic) from "Иванова Анна Петровна" or "Әлиева Айгүл Серік қызы".

    ("", "", "") for an empty cell; two words have no patronymic.
    """
    name = _normalize_name(value)
    if not name:
        return "", "", ""
    words = name.split(" ")
    if words[-1].casefold() in _PATRONYMIC_WORDS:
        # "Серік қызы" is one patronymic; without two words before it, something is missing.
        if len(words) < 4:
            raise CellError(
                _(
                    "“%(value)s” has no last name or first name. Expected the last name, "
                    "first name and patronymic, separated by spaces."
                )
                % {"value": _shown(name)}
            )
        words[-2:] = [f"{words[-2]} {words[-1]}"]
    if len(words) == 1:
        raise CellError(
            _(
                "“%(value)s” is one word. Expected the last name, first name and patronymic "
                "(if any), separated by spaces."
            )
            % {"value": _shown(name)}
        )
    if len(words) > 3:
        raise CellError(
            _(
                "“%(value)s” has more than three parts: put the last name, first name and "
                "patronymic in separate columns."
            )
            % {"value": _shown(name)}
        )
    last, first, middle = (*words, "") if len(words) == 2 else words
    if len(name) > NAME_MAX_LENGTH:
        for part in (last, first, middle):
            _check_length(part, NAME_MAX_LENGTH)
    return last, first, middle


# --- short codes and text --------------------------------------------------------------------

_SEX = {
    **dict.fromkeys(
        ("м", "муж", "мужской", "мужчина", "е", "ер", "ер адам", "ер жынысты", "m", "e", "male"),
        "M",
    ),
    **dict.fromkeys(
        ("ж", "жен", "женский", "женщина", "ә", "ə", "әйел", "әйел адам", "әйел жынысты", "f"),
        "F",
    ),
    "female": "F",
    "man": "M",
    "woman": "F",
}


@functools.lru_cache(maxsize=256)
def _clean_sex_text(text: str) -> str:
    key = " ".join(text.casefold().replace(".", " ").split())
    if not key:
        return ""
    sex = _SEX.get(key)
    if sex is None:
        raise CellError(
            _("“%(value)s” is not a sex. Expected М or Ж (M or F).") % {"value": _shown(text)}
        )
    return sex


def clean_sex(value) -> str:
    """ "M", "F", or "" for an empty cell."""
    if value.__class__ is str:
        return _clean_sex_text(value)
    return "" if value is None else _clean_sex_text(str(value))


def _as_text(value) -> str:
    cls = value.__class__
    if cls is str:
        return value
    if value is None:
        return ""
    if cls is float and value.is_integer():
        return str(int(value))
    if cls is dt.datetime and value.time() == dt.time():
        return value.strftime("%d.%m.%Y")
    if cls is dt.date:
        return value.strftime("%d.%m.%Y")
    return str(value)


def clean_text(value, *, max_length: int) -> str:
    """Text with single spaces; numbers without ".0"; CellError if longer than max_length."""
    if value.__class__ is str and len(value) <= _CACHED_TEXT_LENGTH:
        return _clean_short_text(value, max_length)
    return _clean_text(_as_text(value), max_length)


# Reference columns (position, category, language) repeat a few values thousands of times.
_CACHED_TEXT_LENGTH = 80


@functools.lru_cache(maxsize=1 << 14)
def _clean_short_text(text: str, max_length: int) -> str:
    return _clean_text(text, max_length)


def _clean_text(text: str, max_length: int) -> str:
    text = " ".join(text.split())
    # The export's CSV writes "'" before a text a spreadsheet would run ("'-", "'=").
    text = text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text
    if len(text) > max_length:
        raise CellError(
            _("The text is too long: %(length)d characters, at most %(max)d allowed.")
            % {"length": len(text), "max": max_length}
        )
    return text


_LIST_SEPARATORS = re.compile(r"[,;/\n\r]+")


def clean_list(value) -> list[str]:
    """Items split on , ; / and new lines, with single spaces, empty and repeated ones dropped."""
    if value.__class__ is str and len(value) <= _CACHED_TEXT_LENGTH:
        return list(_clean_short_list(value))
    return list(_split_list(_as_text(value)))


@functools.lru_cache(maxsize=1 << 12)
def _clean_short_list(text: str) -> tuple[str, ...]:
    return _split_list(text)


def _split_list(text: str) -> tuple[str, ...]:
    items: list[str] = []
    for part in _LIST_SEPARATORS.split(text):
        item = " ".join(part.split())
        if item and item not in items:
            items.append(item)
    return tuple(items)


_PHONE_JUNK = re.compile(r"[^\d+]")


def _not_a_phone(value) -> CellError:
    return CellError(
        _(
            "“%(value)s” is not a phone number. Expected one Kazakhstan number like "
            "+7 701 123 45 67 or 8 701 123 45 67."
        )
        % {"value": _shown(value)}
    )


def clean_phone(value) -> str:
    """A Kazakhstan number as +77011234567, or "" for an empty cell."""
    text = _as_text(value).strip()
    if not text:
        return ""
    plus = text.startswith("+")
    # A number that went through a CSV as "87011234567.0".
    whole = _WHOLE_NUMBER_TEXT.fullmatch(text) if "." in text or "," in text else None
    digits = whole.group(1) if whole else _PHONE_JUNK.sub("", text).replace("+", "")
    if len(digits) == 11 and (digits[0] == "7" or (digits[0] == "8" and not plus)):
        national = digits[1:]
    elif len(digits) == 10 and not plus:
        national = digits
    else:
        raise _not_a_phone(value)
    # Every Kazakhstan number, mobile (70x, 747, 77x) or fixed (7xxx), starts with 7.
    if national[0] != "7":
        raise _not_a_phone(value)
    return "+7" + national


EMAIL_MAX_LENGTH = 254


def clean_email(value) -> str:
    """A lower-case e-mail address, or "" for an empty cell."""
    text = _as_text(value).strip().lower()
    if text.startswith("mailto:"):
        text = text[7:]
    if not text:
        return ""
    user, _at, domain = text.rpartition("@")
    if not user or len(text) > EMAIL_MAX_LENGTH or not _valid_email_domain(domain):
        raise _not_an_email(text)
    try:
        # Django's own rules, in two halves so that the costly domain half is checked once
        # per domain (mail.kz, gmail.com); "localhost" is the domain it lets through as is.
        validate_email(f"{user}@localhost")
    except ValidationError:
        raise _not_an_email(text) from None
    return text


def _not_an_email(text: str) -> CellError:
    return CellError(_("“%(value)s” is not a valid e-mail address.") % {"value": _shown(text)})


@functools.lru_cache(maxsize=1 << 12)
def _valid_email_domain(domain: str) -> bool:
    try:
        validate_email(f"x@{domain}")
    except ValidationError:
        return False
    return True


# Which cleaner fits which field of columns.FIELDS. The fields that name a reference entry
# (position, category, language, education) are cleaned as text here and looked up by the
# import, which knows the reference lists.
CLEANERS = {
    "iin": clean_iin,
    "full_name": split_full_name,
    "last_name": clean_name,
    "first_name": clean_name,
    "middle_name": clean_name,
    "birth_date": clean_date,
    "sex": clean_sex,
    "organization_bin": clean_bin,
    "position": functools.partial(clean_text, max_length=255),
    "subjects": clean_list,
    "teaching_language": functools.partial(clean_text, max_length=255),
    "experience_start": clean_date,
    "education": functools.partial(clean_text, max_length=255),
    "education_institution": functools.partial(clean_text, max_length=255),
    "specialty": functools.partial(clean_text, max_length=255),
    "category": functools.partial(clean_text, max_length=255),
    "category_awarded_on": clean_date,
    "category_valid_until": clean_date,
    "phone": clean_phone,
    "email": clean_email,
}
