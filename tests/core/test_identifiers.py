"""IIN and BIN validation, as DOMAIN.md defines them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.core.identifiers import check_digit, make_iin, parse_iin, validate_bin


@pytest.mark.parametrize(
    ("iin", "birth_date", "sex"),
    [
        ("061211600012", dt.date(2006, 12, 11), "F"),
        ("900101300007", dt.date(1990, 1, 1), "M"),
    ],
)
def test_valid_iins_from_the_domain_rules(iin, birth_date, sex):
    info = parse_iin(iin)
    assert info.birth_date == birth_date
    assert info.sex == sex


@pytest.mark.parametrize(
    ("iin", "code"),
    [
        ("900101300001", "iin_check_digit"),  # wrong check digit (DOMAIN.md example)
        ("901301300007", "iin_date"),  # month 13
        ("900230300007", "iin_date"),  # 30 February
        ("90010130000", "iin_format"),  # 11 digits
        ("9001013000070", "iin_format"),  # 13 digits
        ("90010130000A", "iin_format"),  # a letter
        ("9001 1300007", "iin_format"),  # a space
        ("", "iin_format"),
        ("900101700007", "iin_century"),  # 7th digit 7
        ("900101000007", "iin_century"),  # 7th digit 0
    ],
)
def test_invalid_iins_are_refused_with_the_reason(iin, code):
    with pytest.raises(ValidationError) as exc:
        parse_iin(iin)
    assert exc.value.code == code


def test_second_weighting_is_used_when_the_first_sum_is_ten():
    # Find 11 digits whose first weighted sum is 10 and check the rule's second pass.
    for serial in range(10000):
        first11 = f"8506154{serial:04d}"
        if sum(int(d) * w for d, w in zip(first11, range(1, 12), strict=True)) % 11 == 10:
            break
    second = (
        sum(int(d) * w for d, w in zip(first11, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True))
        % 11
    )
    assert check_digit(first11) == (None if second == 10 else second)


def test_make_iin_builds_numbers_that_parse_back():
    made = [make_iin(dt.date(1979, 2, 28), "M", n) for n in range(200)]
    valid = [iin for iin in made if iin]
    assert len(valid) > 150
    for iin in valid:
        assert parse_iin(iin).birth_date == dt.date(1979, 2, 28)
        assert parse_iin(iin).sex == "M"


def test_bin_check_digit():
    first11 = "05014000001"
    digit = check_digit(first11)
    validate_bin(f"{first11}{digit}")
    with pytest.raises(ValidationError):
        validate_bin(f"{first11}{(digit + 1) % 10}")
    with pytest.raises(ValidationError):
        validate_bin("12345")
