"""Private files (CVs, evidence for homelessness cases) encrypted at rest with the field encryption keys, on
the local disk (`make run`, the tests) or in S3-compatible object storage (production, many hosts).

Evidence for a homelessness case is often special category data (medical letters, police reports), so a copy
of the media volume, the bucket or a backup must not show it. Files are small (the upload limit is a few
megabytes), so each is encrypted whole with Fernet, as the encrypted database fields are. The storage holds
only ciphertext, so a signed URL to the object would be useless: every download goes through the portal's own
audited views, which decrypt.

Which backend holds them is `STORAGES["private"]` (`PORTAL_STORAGE=local|s3`); models reach it through
`private_storage`, which looks the backend up when used, so one setting moves every file field.
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

from .crypto import decrypt_bytes, encrypt_bytes

# Files written before encryption was turned on start like this no Fernet token does (tokens begin "gAAAAA").
_FERNET_PREFIX = b"gAAAAA"


class EncryptingMixin:
    """Encrypts on save and decrypts on open, over any Django storage backend."""

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

    def url(self, name, *args, **kwargs):
        # A public or signed URL would hand out ciphertext, or worse bypass the audit: there is none.
        raise NotImplementedError("private files are downloaded through the portal's views")


class EncryptedFileSystemStorage(EncryptingMixin, FileSystemStorage):
    pass


def __getattr__(name: str):
    # The S3 backend pulls in boto3 (half a second per process): only when settings name it.
    if name == "EncryptedS3Storage":
        from storages.backends.s3 import S3Storage

        class EncryptedS3Storage(EncryptingMixin, S3Storage):
            # Never overwrite an object: two hosts saving the same name get two names, as on one disk.
            file_overwrite = False
            default_acl = None
            querystring_auth = True

        globals()[name] = EncryptedS3Storage
        return EncryptedS3Storage
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages["private"]


_storage = _PrivateStorage()


@receiver(setting_changed)
def _reset_private_storage(*, setting, **kwargs):
    if setting in {"STORAGES", "MEDIA_ROOT"}:
        _storage._wrapped = empty


def private_storage():
    """The storage for private files (a callable, so migrations do not record settings)."""
    return _storage


def encrypt_file_in_place(name: str) -> None:
    """Encrypt a file stored before encryption was turned on (used by a data migration)."""
    if not _storage.exists(name):
        return
    backend = _storage._wrapped
    # The backend's own open, below the decrypting one, reads the bytes as stored.
    with super(EncryptingMixin, backend)._open(name, "rb") as raw:
        data = raw.read()
    if not data.startswith(_FERNET_PREFIX):
        backend.delete(name)
        backend.save(name, ContentFile(data))
