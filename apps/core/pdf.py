"""The one place that registers the PDF fonts: PT Serif from the fontpkg-pt-serif package,
whose glyphs cover every Kazakh letter, embedded in every PDF the system makes."""

import threading
from dataclasses import dataclass
from pathlib import Path

import fontpkg_pt_serif
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# The letters of the Kazakh alphabet that are not in the Russian one; a font without any of
# them would print an empty box in a teacher's name.
KAZAKH_LETTERS = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"

FONT_FILES = {
    "PTSerif": fontpkg_pt_serif.ROOT / "files" / "PT_Serif-Web-Regular.ttf",
    "PTSerif-Bold": fontpkg_pt_serif.ROOT / "files" / "PT_Serif-Web-Bold.ttf",
}


@dataclass(frozen=True)
class PdfFonts:
    """Names of the registered fonts, for `canvas.setFont`."""

    regular: str
    bold: str


_lock = threading.Lock()
_fonts: PdfFonts | None = None


def pdf_fonts() -> PdfFonts:
    """Register the fonts with reportlab on first use (parsing a TTF costs milliseconds, so
    once per process) and return their names."""
    global _fonts
    if _fonts is None:
        with _lock:
            if _fonts is None:
                # Compressed streams stay binary: ASCII85 on top makes files a quarter
                # larger and costs time, for 7-bit mail channels nobody uses any more.
                rl_config.useA85 = 0
                for name, path in FONT_FILES.items():
                    pdfmetrics.registerFont(_checked_font(name, path))
                pdfmetrics.registerFontFamily("PTSerif", normal="PTSerif", bold="PTSerif-Bold")
                _fonts = PdfFonts(regular="PTSerif", bold="PTSerif-Bold")
    return _fonts


def _checked_font(name: str, path: Path) -> TTFont:
    # asciiReadable=False: a subset holds only the glyphs a document uses, not all of ASCII
    # besides (a certificate's embedded fonts are a third of the size and faster to write).
    font = TTFont(name, str(path), asciiReadable=False)
    missing = [letter for letter in KAZAKH_LETTERS if ord(letter) not in font.face.charToGlyph]
    if missing:
        raise RuntimeError(f"The font {path.name} has no glyph for {''.join(missing)}.")
    return font
