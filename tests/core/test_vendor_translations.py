"""The Kazakh catalogue of Django and django-allauth strings in locale_vendor/ is complete,
well-formed, compiled, and actually used (see locale_vendor/README.md)."""

import importlib.util
import re
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

BASE_DIR = Path(__file__).resolve().parents[2]
PO_PATH = BASE_DIR / "locale_vendor" / "kk" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

PLACEHOLDER = re.compile(r"%%|%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxX]|\{\w*\}")
HTML_TAG = re.compile(r"<[^>]+>")
# Punctuation and technical terms that are the same in Kazakh.
SAME_AS_ENGLISH = {":", ":?.!", "…", ", ", "%(truncated_text)s…", "IPv4", "IPv6"}


def load_script():
    """scripts/ is not a package: import scripts/vendor_catalog.py by its path."""
    path = BASE_DIR / "scripts" / "vendor_catalog.py"
    spec = importlib.util.spec_from_file_location("vendor_catalog", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO_PATH))


def active(po):
    return [e for e in po if not e.obsolete]


def key(entry):
    return (entry.msgctxt, entry.msgid)


def signature(text):
    """What a translation must keep: placeholders, HTML tags, surrounding whitespace."""
    return (
        frozenset(PLACEHOLDER.findall(text)),
        tuple(sorted(HTML_TAG.findall(text))),
        re.match(r"\s*", text).group(),
        text[len(text.rstrip()) :],
    )


def translations(entry):
    if entry.msgid_plural:
        return [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def test_po_is_complete_and_well_formed(po):
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n!=1);"
    problems = []
    for entry in active(po):
        if entry.fuzzy:
            problems.append(("fuzzy", entry.msgid))
        if entry.msgid_plural and sorted(entry.msgstr_plural) != [0, 1]:
            problems.append(("plural forms", entry.msgid))
        # %(count)s-style plurals: msgstr[n] may follow the singular or the plural msgid.
        sources = {signature(entry.msgid), signature(entry.msgid_plural or entry.msgid)}
        for text in translations(entry):
            if not text:
                problems.append(("empty", entry.msgid))
            elif signature(text) not in sources:
                problems.append(("placeholders/tags/whitespace", entry.msgid, text))
            elif text == entry.msgid and entry.msgid not in SAME_AS_ENGLISH:
                problems.append(("English copy", entry.msgid))
    assert problems == []


def compiled_messages(mo):
    return {
        key(e): tuple(e.msgstr_plural[n] for n in sorted(e.msgstr_plural))
        if e.msgid_plural
        else e.msgstr
        for e in mo
    }


def test_mo_is_compiled_from_po(po, tmp_path):
    fresh = tmp_path / "django.mo"
    po.save_as_mofile(str(fresh))
    committed = polib.mofile(str(MO_PATH))
    assert compiled_messages(committed) == compiled_messages(polib.mofile(str(fresh)))
    assert committed.metadata.get("Plural-Forms") == po.metadata["Plural-Forms"]


SHOWN_ON_OUR_PAGES = [
    # allauth
    "Sign In",
    "Sign Up",
    "Sign Out",
    "Password",
    "Forgot your password?",
    "Remember Me",
    "Password Reset",
    "Confirm Email Address",
    "The email address and/or password you specified are not correct.",
    "Too many failed login attempts. Try again later.",
    # Django forms, validators, models, paginator
    "This field is required.",
    "Enter a valid email address.",
    "Select a valid choice. That choice is not one of the available choices.",
    "Enter a valid date.",
    "That page number is less than 1",
    "This field cannot be blank.",
    # django.contrib.auth password validators
    "This password is too common.",
    "This password is entirely numeric.",
    "Your password can’t be too similar to your other personal information.",
]
PLURALS_SHOWN_ON_OUR_PAGES = [
    (
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
    (
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
    ),
]


@pytest.mark.parametrize("msgid", SHOWN_ON_OUR_PAGES)
def test_strings_on_our_pages_are_kazakh(msgid):
    with translation.override("kk"):
        assert translation.gettext(msgid) != msgid


@pytest.mark.parametrize(("singular", "plural"), PLURALS_SHOWN_ON_OUR_PAGES)
def test_plurals_on_our_pages_are_kazakh(singular, plural):
    with translation.override("kk"):
        assert translation.ngettext(singular, plural, 1) != singular
        assert translation.ngettext(singular, plural, 8) != plural


def runtime_translation(entry):
    """What gettext gives for the entry (the singular form of plurals)."""
    if entry.msgid_plural and entry.msgctxt:
        return translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
    if entry.msgid_plural:
        return translation.ngettext(entry.msgid, entry.msgid_plural, 1)
    if entry.msgctxt:
        return translation.pgettext(entry.msgctxt, entry.msgid)
    return translation.gettext(entry.msgid)


def test_vendor_catalogue_wins_over_django_own_kazakh(po):
    """Django's partial kk catalogue must not shadow ours (only our own locale/ may)."""
    own_po = BASE_DIR / "locale" / "kk" / "LC_MESSAGES" / "django.po"
    own = set()
    if own_po.exists():
        own = {key(e) for e in polib.pofile(str(own_po)) if e.translated()}
    with translation.override("kk"):
        wrong = [
            (entry.msgid, runtime_translation(entry))
            for entry in active(po)
            if key(entry) not in own and runtime_translation(entry) != translations(entry)[0]
        ]
    assert wrong == []


def test_every_selected_upstream_string_is_translated(po):
    """After a Django/allauth upgrade: run scripts/vendor_catalog.py and translate."""
    wanted = {key(e): bool(e.msgid_plural) for e in load_script().select_entries()}
    ours = {key(e): e for e in active(po)}
    missing = [k for k in wanted if k not in ours or not ours[k].translated()]
    wrong_kind = [k for k in wanted if k in ours and bool(ours[k].msgid_plural) != wanted[k]]
    no_longer_used = [k for k in ours if k not in wanted]
    assert (missing, wrong_kind, no_longer_used) == ([], [], [])
    assert len(wanted) > 400  # the selection rules still match the upstream layout
