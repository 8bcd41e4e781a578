"""locale/kk and locale/ru are complete, compiled and in step with the source."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGS = ["kk", "ru"]
SOURCE_DIRS = ["apps", "templates", "ustaz_pd"]


def _po(lang):
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_has_no_untranslated_or_fuzzy_entries(lang):
    po = _po(lang)
    assert len(po) > 50
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalogue_matches_the_po_file(lang):
    po = _po(lang)
    mo = polib.mofile(str(LOCALE / lang / "LC_MESSAGES" / "django.mo"))

    def messages(catalogue):
        return {
            (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in catalogue
            if not e.obsolete and "fuzzy" not in e.flags
        }

    assert messages(mo) == messages(po), "run `make messages` to recompile the .mo"


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="needs GNU gettext (make test installs it)"
)
def test_catalogue_is_in_step_with_the_source(tmp_path):
    """Re-extract the messages into a scratch copy: every msgid must already be there."""
    for name in SOURCE_DIRS:
        shutil.copytree(Path(settings.BASE_DIR) / name, tmp_path / name)
    shutil.copytree(LOCALE, tmp_path / "locale")
    shutil.copy(Path(settings.BASE_DIR) / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "kk",
            "-l",
            "ru",
            "--no-location",
            "--no-obsolete",
            "-v",
            "0",
        ],
        cwd=tmp_path,
        check=True,
        env={
            "DEBUG": "1",
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "ustaz_pd.settings",
            "PYTHONPATH": str(tmp_path),
        },
    )
    for lang in LANGS:
        fresh = polib.pofile(str(tmp_path / "locale" / lang / "LC_MESSAGES" / "django.po"))
        wanted = {(e.msgctxt, e.msgid) for e in fresh}
        have = {(e.msgctxt, e.msgid) for e in _po(lang) if not e.obsolete}
        assert sorted(wanted - have, key=str) == [], f"{lang}: run `make messages`"
        assert sorted(have - wanted, key=str) == [], f"{lang}: stale entries, `make messages`"


@pytest.mark.parametrize(
    ("lang", "one", "five"),
    [("kk", "1 педагог", "5 педагог"), ("ru", "1 педагог", "5 педагогов")],
)
def test_plurals_follow_each_language(lang, one, five):
    from apps.core.templatetags.ui import teacher_count

    with translation.override(lang):
        assert teacher_count(1) == one
        assert teacher_count(5) == five
