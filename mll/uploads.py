"""Uploads: limited in size, checked by content, stored under random names."""

import uuid
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible

PDF_MAGIC = b"%PDF-"


@deconstructible
class RandomName:
    """upload_to that keeps only the extension: names say nothing and can't be guessed."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        suffix = PurePath(filename).suffix.lower()[:10]
        return f"{self.folder}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder


def _check_size(upload) -> None:
    if upload.size > settings.MLL_MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"This file is {filesizeformat(upload.size)}; the limit is "
            f"{filesizeformat(settings.MLL_MAX_UPLOAD_BYTES)}."
        )


def validate_pdf(upload) -> None:
    """A PDF no larger than the limit, judged by its first bytes, not its name."""
    _check_size(upload)
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise ValidationError("This file isn't a PDF. Upload the document saved as PDF.")


# Meeting attachments: slides, handouts, sheets and pictures. Each kind is recognised by its
# content; the name's extension must agree, so a download never opens as something else.
DOCUMENT_TYPES = {
    "pdf": ("application/pdf", {".pdf"}, "a PDF"),
    "png": ("image/png", {".png"}, "a PNG image"),
    "jpeg": ("image/jpeg", {".jpg", ".jpeg"}, "a JPEG image"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        {".docx"},
        "a Word document (.docx)",
    ),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        {".pptx"},
        "a PowerPoint presentation (.pptx)",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        {".xlsx"},
        "an Excel workbook (.xlsx)",
    ),
}
DOCUMENT_TYPES_HELP = "PDF, PowerPoint (.pptx), Word (.docx), Excel (.xlsx), PNG or JPEG"
# The main part an Office Open XML package declares in [Content_Types].xml.
OFFICE_MAIN_PARTS = {
    "docx": b"wordprocessingml.document.main+xml",
    "pptx": b"presentationml.presentation.main+xml",
    "xlsx": b"spreadsheetml.sheet.main+xml",
}
ZIP_MAGIC = b"PK\x03\x04"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


def _office_kind(upload) -> str | None:
    try:
        with zipfile.ZipFile(upload) as package:
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:  # a real one is a few kilobytes
                return None
            types = package.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    for kind, main_part in OFFICE_MAIN_PARTS.items():
        if main_part in types:
            return kind
    return None


def sniff_document(upload) -> str:
    """The kind of an attachment (a DOCUMENT_TYPES key), judged by its bytes; refuses anything
    else, anything too large, and a name whose extension says another kind."""
    _check_size(upload)
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = None
    if head.startswith(PDF_MAGIC):
        kind = "pdf"
    elif head.startswith(PNG_MAGIC):
        kind = "png"
    elif head.startswith(JPEG_MAGIC):
        kind = "jpeg"
    elif head.startswith(ZIP_MAGIC):
        kind = _office_kind(upload)
        upload.seek(0)
    suffix = PurePath(upload.name or "").suffix.lower()
    if kind is None:
        raise ValidationError(
            f"This file isn't one we accept. Upload {DOCUMENT_TYPES_HELP}; "
            "if it is one, it may be damaged: save it again and retry."
        )
    _, suffixes, description = DOCUMENT_TYPES[kind]
    if suffix not in suffixes:
        raise ValidationError(
            f"This file's name ends in “{suffix or 'nothing'}” but it is {description}. "
            f"Rename it to end in {' or '.join(sorted(suffixes))} and upload it again."
        )
    return kind
