"""Kazakhstan's 12-digit identifiers: IIN (people) and BIN (organisations).

Both end in the same check digit: s = sum(d_i * w_i) mod 11 over the first 11 digits with
weights 1..11; if s == 10, again with weights 3..11,1,2; if that is 10 too the number is
never issued.
"""

import datetime as dt
import functools
import operator
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS_1 = tuple(range(1, 12))
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_DIGITS = re.compile(r"\d{12}")
# d7 of an IIN: century and sex.
_CENTURY_SEX = {
    "1": (1800, "M"),
    "2": (1800, "F"),
    "3": (1900, "M"),
    "4": (1900, "F"),
    "5": (2000, "M"),
    "6": (2000, "F"),
}


def check_digit(first11: str) -> int | None:
    """The 12th digit for these 11 digits, or None if no valid number has them."""
    # map/operator.mul: this runs for every row of a 67,000-row import.
    digits = list(map(int, first11))
    s = sum(map(operator.mul, digits, _WEIGHTS_1)) % 11
    if s == 10:
        s = sum(map(operator.mul, digits, _WEIGHTS_2)) % 11
        if s == 10:
            return None
    return s


def has_valid_check_digit(number: str) -> bool:
    return check_digit(number[:11]) == int(number[11])


@dataclass(frozen=True)
class IinInfo:
    birth_date: dt.date
    sex: str  # "M" or "F"


@functools.lru_cache(maxsize=4096)
def parse_iin(value: str) -> IinInfo:
    """Validate an IIN and return the birth date and sex it encodes.

    Raises ValidationError with a translated message naming what is wrong. Cached: an
    import checks each row's IIN in several places.
    """
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        raise ValidationError(_("An IIN is exactly 12 digits."), code="iin_format")
    century = _CENTURY_SEX.get(value[6])
    if century is None:
        raise ValidationError(
            _("The 7th digit of an IIN (century and sex) must be 1 to 6."),
            code="iin_century",
        )
    try:
        birth_date = dt.date(century[0] + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise ValidationError(
            _("The first six digits of an IIN must be a real birth date (YYMMDD)."),
            code="iin_date",
        ) from None
    if not has_valid_check_digit(value):
        raise ValidationError(
            _("The IIN's check digit is wrong: please check the number."),
            code="iin_check_digit",
        )
    return IinInfo(birth_date=birth_date, sex=century[1])


def validate_iin(value: str) -> None:
    parse_iin(value)


def validate_bin(value: str) -> None:
    """A BIN: 12 digits with the same check digit as an IIN (the date part is not a birth date)."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        raise ValidationError(_("A BIN is exactly 12 digits."), code="bin_format")
    if not has_valid_check_digit(value):
        raise ValidationError(
            _("The BIN's check digit is wrong: please check the number."),
            code="bin_check_digit",
        )


def make_iin(birth_date: dt.date, sex: str, serial: int) -> str | None:
    """Build a valid IIN (for demo data and tests), or None if this serial has no check digit."""
    century_digit = {1800: 1, 1900: 3, 2000: 5}[birth_date.year // 100 * 100]
    if sex == "F":
        century_digit += 1
    first11 = f"{birth_date:%y%m%d}{century_digit}{serial % 10000:04d}"
    digit = check_digit(first11)
    return None if digit is None else f"{first11}{digit}"
