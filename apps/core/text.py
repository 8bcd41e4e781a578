"""Text normalisation shared by search and import."""

import re

_SPACES = re.compile(r"\s+")


def normalize_search(value: str) -> str:
    """Lower-case, ё -> е, single spaces: what names are stored and searched as."""
    return _SPACES.sub(" ", (value or "").casefold().replace("ё", "е")).strip()
