"""Where picture bytes live: a small interface, and the default that keeps them in the
database so that every worker and host serves the same files with no shared disk.

A key is the SHA-256 of the bytes plus their extension (`<64 hex>.webp`), so the same
bytes are stored once, a key never changes meaning, and a changed picture is a new URL.
An object store (S3 and the like) fits behind the same two methods: see docs/media.md.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .models import MediaBlob

KEY_PATTERN = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp)$")
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def media_key(data: bytes, extension: str) -> str:
    """The key of `data`: its SHA-256 in hex, a dot, and its extension."""
    return f"{hashlib.sha256(data).hexdigest()}.{extension}"


def is_media_key(key: str) -> bool:
    """Whether `key` has the shape of a key this shop makes (anything else names nothing)."""
    return bool(KEY_PATTERN.match(key))


@dataclass(frozen=True)
class StoredFile:
    """What a storage hands back for a key: the bytes and their type."""

    data: bytes
    content_type: str


class MediaStorage(Protocol):
    """Keeps files by key. `put` of a key already held keeps the first copy (same key,
    same bytes); `get` of an unknown key answers None."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key` (as part of the caller's transaction, where it has one)."""

    def get(self, key: str) -> StoredFile | None:
        """The file stored under `key`, or None."""


class DatabaseStorage:
    """The default: bytes in the `media_blob` table, in the caller's session, so a picture
    and its row commit (or roll back) together, and every host reads the same table."""

    def __init__(self, session):
        self.session = session

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Insert the blob unless its key is there already (two uploads of the same bytes
        at once both succeed: the second insert does nothing)."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        self.session.execute(
            insert(MediaBlob).values(key=key, content_type=content_type, size=len(data),
                                     data=data)
            .on_conflict_do_nothing(index_elements=[MediaBlob.key]))

    def get(self, key: str) -> StoredFile | None:
        """The blob's bytes and type, in one query."""
        row = self.session.execute(select(MediaBlob.data, MediaBlob.content_type)
                                   .where(MediaBlob.key == key)).first()
        return StoredFile(bytes(row.data), row.content_type) if row else None
