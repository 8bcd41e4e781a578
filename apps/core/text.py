"""Text normalisation shared by search and import."""

import re

_SPACES = re.compile(r"\s+")
# Kazakh letters folded to their nearest Russian ones, and ё to е: registries hold both
# spellings of the same name (Айгүл / Айгуль, Сейітов / Сеитов), so the search matches either.
_FOLD = str.maketrans(
    {
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "ё": "е",
        "ь": "",
    }
)


def normalize_search(value: str) -> str:
    """Lower-case, Kazakh letters and ё folded, single spaces: how names are searched."""
    return _SPACES.sub(" ", (value or "").casefold().translate(_FOLD)).strip()


# A person's name: letters of any alphabet, parts joined by a space, hyphen or apostrophe.
PERSON_NAME = re.compile(r"[^\W\d_]+(?:['\- ][^\W\d_]+)*")


def validate_person_name(value: str) -> None:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if value and not PERSON_NAME.fullmatch(value):
        raise ValidationError(
            _("Use letters only (a hyphen, an apostrophe and spaces are allowed)."),
            code="person_name",
        )
