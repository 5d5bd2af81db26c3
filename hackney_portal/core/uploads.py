"""Check uploaded files by their content (magic bytes), never by the name or the browser's claimed type."""

from __future__ import annotations

import zipfile

import filetype

from .exceptions import ApplicationError


def upload_check(
    upload, *, allowed: dict[str, str], max_bytes: int, field: str, what: str, kinds: str
) -> str:
    """Return the file's extension for its real type, or raise an error naming what is accepted."""
    if upload.size > max_bytes:
        raise ApplicationError(f"{what} must be smaller than {max_bytes // (1024 * 1024)} MB", field=field)
    if upload.size == 0:
        raise ApplicationError(f"{what} is empty", field=field)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in allowed:
        raise ApplicationError(f"{what} must be {kinds}", field=field)
    if kind.mime == DOCX and not _plain_word_document(upload):
        raise ApplicationError(f"{what} must be {kinds}, without macros", field=field)
    return allowed[kind.mime]


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _plain_word_document(upload) -> bool:
    """A .docx is a zip: it must open, hold a document, and carry no macro project (a .docm renamed .docx
    passes the magic-byte check, and whoever opens it may be asked to enable its macros)."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = [name.lower() for name in archive.namelist()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)
    return "word/document.xml" in names and not any(name.endswith("vbaproject.bin") for name in names)
