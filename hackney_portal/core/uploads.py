"""Check uploaded files by their content (magic bytes), never by the name or the browser's claimed type."""

from __future__ import annotations

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
    return allowed[kind.mime]
