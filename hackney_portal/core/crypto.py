"""Encryption at rest for special category data (health, ethnicity, sexuality, abuse, offending).

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256) under keys from `FIELD_ENCRYPTION_KEYS`; the
first key encrypts, every key decrypts, so a key is rotated by putting the new one first and re-saving rows.
A raw SQL read sees only the token. Encrypted columns cannot be searched or indexed: keep them for details
that nobody filters on, and put the coded values that queues and reports need in plain columns.
"""

from __future__ import annotations

import json
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt_bytes(data: bytes) -> bytes:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS)).encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS)).decrypt(token)


def encrypt(plaintext: str) -> str:
    return encrypt_bytes(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return decrypt_bytes(token.encode()).decode()


class EncryptedTextField(models.TextField):
    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt(value)


class EncryptedJSONField(models.TextField):
    """A JSON document stored encrypted; reads back as Python data."""

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt(json.dumps(value, sort_keys=True, default=str))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return json.loads(decrypt(value))

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value
