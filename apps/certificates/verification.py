"""What the public verification page can find by a code: course certificates, and the
documents of the apps above this one, which register a look-up here (attestation's
category certificates) since certificates must never import them.

A look-up takes a normalised code and returns a `Found` (the partial that shows the
document, and the document) or None.
"""

from collections.abc import Callable
from dataclasses import dataclass

from . import selectors


@dataclass(frozen=True)
class Found:
    """A document found by its code, and the template partial that shows it."""

    template: str
    document: object


Lookup = Callable[[str], Found | None]

_lookups: list[Lookup] = []


def register(lookup: Lookup) -> None:
    """Add a look-up, once (an app's ready() may run again in tests)."""
    if lookup not in _lookups:
        _lookups.append(lookup)


def course_certificate_by_code(code: str) -> Found | None:
    certificate = selectors.certificate_by_code(code)
    return Found("certificates/verify/course.html", certificate) if certificate else None


def find(code: str) -> Found | None:
    """The document with this code: a course certificate first, then the registered
    look-ups in the order they registered."""
    code = selectors.normalize_code(code)
    for lookup in (course_certificate_by_code, *_lookups):
        found = lookup(code)
        if found is not None:
            return found
    return None
