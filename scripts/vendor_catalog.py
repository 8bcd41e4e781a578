"""(Re)build locale_vendor/kk: the Django and django-allauth texts that our pages show.

Django's Kazakh catalogue is partial and django-allauth has none, so we keep our own Kazakh
translations of their strings in locale_vendor/ (a LOCALE_PATHS entry that makemessages
never rewrites). This script picks the msgids from the catalogues of the *installed*
packages (by the source file each entry comes from), merges them with the translations
already in locale_vendor/kk/LC_MESSAGES/django.po, and writes the .po back: new strings
get an empty msgstr to translate, strings no longer used become obsolete (#~). Then it
compiles the .mo with polib, so no GNU gettext is needed.

    .venv/bin/python scripts/vendor_catalog.py

Run it after upgrading Django or django-allauth, translate the empty entries, run it again
(it compiles). tests/core/test_vendor_translations.py imports select_entries() from here.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent
PO_PATH = BASE_DIR / "locale_vendor" / "kk" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# Same plural rule as Django's own kk catalogues, so that gettext merges the catalogues.
HEADER = {
    "Project-Id-Version": "ustaz-pd vendor strings",
    "Last-Translator": "Ustaz PD team",
    "Language-Team": "Kazakh",
    "Language": "kk",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=2; plural=(n!=1);",
}


@dataclass(frozen=True)
class Source:
    """One installed catalogue with `#:` references, and the source paths we want."""

    package: str  # importable package the catalogue belongs to
    catalogue: str  # .po path relative to the package directory
    include: tuple[str, ...]  # reference path prefixes (relative to the catalogue's root)


# allauth's ru catalogue carries references (as does en); Django's translated catalogues do
# not, so for Django the English source catalogue is the one with `#:` references.
SOURCES = (
    Source(
        "allauth",
        "locale/ru/LC_MESSAGES/django.po",
        # Not socialaccount, mfa, usersessions, headless, idp, nor their templates.
        include=("account/", "core/", "utils.py", "templates/account/", "templates/allauth/"),
    ),
    Source(
        "django",
        "conf/locale/en/LC_MESSAGES/django.po",
        include=(
            "forms/",
            "core/validators.py",
            "core/paginator.py",
            "db/models/",
            "utils/dates.py",
            "utils/dateformat.py",
            "utils/timesince.py",
            "utils/text.py",
            "utils/ipv6.py",
            "template/defaultfilters.py",
            "views/csrf.py",
            "views/generic/",
        ),
    ),
    Source(
        "django",
        "contrib/auth/locale/en/LC_MESSAGES/django.po",
        include=(
            "contrib/auth/forms.py",
            "contrib/auth/password_validation.py",
            "contrib/auth/validators.py",
            "contrib/auth/models.py",
            "contrib/auth/base_user.py",
        ),
    ),
)


def package_dir(package: str) -> Path:
    module = __import__(package)
    return Path(module.__file__).resolve().parent


def select_entries() -> list[polib.POEntry]:
    """The entries to translate, untranslated, with `#:` references prefixed by package.

    An entry is kept when any of its references is wanted; the key is (msgctxt, msgid) and
    the first source that has a key wins (its references are merged with the later ones).
    """
    selected: dict[tuple[str | None, str], polib.POEntry] = {}
    for source in SOURCES:
        catalogue = polib.pofile(str(package_dir(source.package) / source.catalogue))
        for entry in catalogue:
            if entry.obsolete or not entry.msgid:
                continue
            refs = [path for path, _line in entry.occurrences if path.startswith(source.include)]
            if not refs:
                continue
            occurrences = [(f"{source.package}/{path}", "") for path in refs]
            key = (entry.msgctxt, entry.msgid)
            if key in selected:
                selected[key].occurrences.extend(occurrences)
                continue
            selected[key] = polib.POEntry(
                msgctxt=entry.msgctxt,
                msgid=entry.msgid,
                msgid_plural=entry.msgid_plural,
                msgstr="",
                msgstr_plural={0: "", 1: ""} if entry.msgid_plural else {},
                occurrences=occurrences,
                flags=[f for f in entry.flags if f.endswith("-format")],
            )
    for entry in selected.values():
        entry.occurrences = sorted(set(entry.occurrences))
    return list(selected.values())


def build(po_path: Path = PO_PATH) -> polib.POFile:
    """The new catalogue: the selected entries with the translations already in po_path."""
    old = {}
    if po_path.exists():
        old = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(po_path))}
    po = polib.POFile(wrapwidth=88)
    po.header = "Kazakh translations of the Django and django-allauth strings our pages show.\n"
    po.header += "Built by scripts/vendor_catalog.py; see locale_vendor/README.md."
    po.metadata = dict(HEADER)
    for entry in select_entries():
        previous = old.pop((entry.msgctxt, entry.msgid), None)
        if previous is not None and bool(previous.msgid_plural) == bool(entry.msgid_plural):
            entry.msgstr = previous.msgstr
            if entry.msgid_plural:
                entry.msgstr_plural = {n: previous.msgstr_plural.get(n, "") for n in (0, 1)}
        po.append(entry)
    for previous in old.values():  # no longer used upstream: keep the text, out of the .mo
        previous.obsolete = True
        previous.occurrences = []
        po.append(previous)
    return po


def main() -> int:
    po = build()
    PO_PATH.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(PO_PATH))
    po.save_as_mofile(str(MO_PATH))
    untranslated = po.untranslated_entries()
    obsolete = po.obsolete_entries()
    print(
        f"{PO_PATH.relative_to(BASE_DIR)}: {len(po) - len(obsolete)} entries, "
        f"{len(untranslated)} to translate, {len(obsolete)} obsolete; compiled {MO_PATH.name}."
    )
    return 1 if untranslated else 0


if __name__ == "__main__":
    sys.exit(main())
