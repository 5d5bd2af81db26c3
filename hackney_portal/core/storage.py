"""Private uploads (CVs, evidence for homelessness cases) encrypted on disk with the field encryption keys.

Evidence for a homelessness case is often special category data (medical letters, police reports), so a copy
of the media volume or a backup must not show it. Files are small (the upload limit is a few megabytes), so
each is encrypted whole with Fernet, as the encrypted database fields are.
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage

from .crypto import decrypt_bytes, encrypt_bytes

# Files written before encryption was turned on start like this no Fernet token does (tokens begin "gAAAAA").
_FERNET_PREFIX = b"gAAAAA"


class EncryptedFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        content.seek(0)
        return super()._save(name, ContentFile(encrypt_bytes(content.read())))

    def _open(self, name, mode="rb"):
        with super()._open(name, "rb") as raw:
            data = raw.read()
        if data.startswith(_FERNET_PREFIX):
            # Without the key this raises: ciphertext is never served as if it were the file.
            data = decrypt_bytes(data)
        return File(io.BytesIO(data), name=name)

    def size(self, name):
        with self._open(name) as f:
            return len(f.read())


def private_storage() -> EncryptedFileSystemStorage:
    """The storage for private uploads (a callable, so migrations do not record settings)."""
    return _storage


_storage = EncryptedFileSystemStorage()


def encrypt_file_in_place(name: str) -> None:
    """Encrypt a file stored before encryption was turned on (used by a data migration)."""
    if not _storage.exists(name):
        return
    path = _storage.path(name)
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(_FERNET_PREFIX):
        with open(path, "wb") as f:
            f.write(encrypt_bytes(data))
