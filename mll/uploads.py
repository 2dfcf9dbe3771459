"""Uploads: limited in size, checked by content, stored under random names."""

import uuid
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


def validate_pdf(upload) -> None:
    """A PDF no larger than the limit, judged by its first bytes, not its name."""
    if upload.size > settings.MLL_MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"This file is {filesizeformat(upload.size)}; the limit is "
            f"{filesizeformat(settings.MLL_MAX_UPLOAD_BYTES)}."
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise ValidationError("This file isn't a PDF. Upload the document saved as PDF.")
