"""Uploaded files are typed by their content, never by their name."""

import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# What each accepted type starts with.
_MAGIC = {
    "pdf": (b"%PDF-",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
LABELS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "docx": "DOCX"}
# How a stored file of each type is served: content type and file name extensions.
SERVED_AS = {
    "pdf": ("application/pdf", ("pdf",)),
    "jpeg": ("image/jpeg", ("jpg", "jpeg")),
    "png": ("image/png", ("png",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("docx",),
    ),
}


def sniff_file_type(file, *, allowed: tuple[str, ...], max_bytes: int | None = None) -> str:
    """The type of an uploaded file by its content, if it is one of `allowed`; else a
    translated ValidationError naming what is accepted."""
    from django.conf import settings

    max_bytes = max_bytes or settings.EXTERNAL_PD_MAX_BYTES
    if file.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if file.size > max_bytes:
        raise ValidationError(
            _("The file is larger than %(size)s MB.") % {"size": max_bytes // 2**20},
            code="too_large",
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for kind in allowed:
        if kind == "docx":
            if head.startswith(b"PK\x03\x04") and _is_docx(file):
                return kind
        elif any(head.startswith(magic) for magic in _MAGIC[kind]):
            return kind
    raise ValidationError(
        _("This file is not a %(types)s file.")
        % {"types": ", ".join(LABELS[kind] for kind in allowed)},
        code="file_type",
    )


def _is_docx(file) -> bool:
    try:
        with zipfile.ZipFile(file) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        file.seek(0)
