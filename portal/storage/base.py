"""The storage contract every backend honours, and the pieces they share.

Keys are always made by the server: a user's filename never reaches a path or an
object name, so a hostile name cannot traverse, collide or leak.
"""
from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, ContextManager, Iterator, Mapping
from uuid import uuid4

# Large enough that per-call overhead vanishes, small enough that a 1 GB upload
# still costs only this much memory at a time.
CHUNK_SIZE = 1024 * 1024

# S3 caps keys at 1024 bytes; holding local keys to the same limit keeps the
# backends interchangeable.
MAX_KEY_LENGTH = 1024

_KEY_CHARS = re.compile(r"[A-Za-z0-9/_.-]+")


@dataclass(frozen=True)
class StoredObject:
    key: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Listed:
    """An object as a listing sees it; `partial` marks an unfinished upload (a local temporary
    file, an S3 multipart upload), which is no object yet and is found only by iter_partial."""
    key: str
    size: int
    modified: datetime
    partial: str | None = None   # the S3 upload id, or the local temporary file's name


class StorageError(Exception):
    """The backend could not do what was asked; the message says which backend, what and why."""


class TooLarge(StorageError):
    """The stream ran past max_size; nothing was kept."""


class NotFound(StorageError):
    """No object under that key."""


def validate_key(key: str) -> str:
    """Refuse anything that could escape the root or mean two things on two backends.

    Segments may not start with '.', which also rules out '.', '..' and hidden
    files, and leaves dot-names free for the local backend's temporary files.
    """
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise StorageError(f"invalid storage key {key!r}: must be 1-{MAX_KEY_LENGTH} characters")
    if not _KEY_CHARS.fullmatch(key) or ".." in key:
        raise StorageError(f"invalid storage key {key!r}: only [A-Za-z0-9/_.-] and no '..'")
    if any(not part or part.startswith(".") for part in key.split("/")):
        raise StorageError(f"invalid storage key {key!r}: empty segment or segment starting with '.'")
    return key


def validate_prefix(prefix: str) -> str:
    """A listing prefix is a key fragment, maybe ending in '/'; the empty prefix lists everything."""
    if prefix:
        validate_key(prefix.removesuffix("/"))
    return prefix


class Meter:
    """Hashes and counts bytes as they pass, so no backend needs a second read."""

    def __init__(self, max_size: int | None) -> None:
        self.max_size = max_size
        self.size = 0
        self._hash = hashlib.sha256()

    def chunks(self, stream: BinaryIO) -> Iterator[bytes]:
        while chunk := stream.read(CHUNK_SIZE):
            self.size += len(chunk)
            if self.max_size is not None and self.size > self.max_size:
                raise TooLarge(f"upload exceeds the limit of {self.max_size} bytes")
            self._hash.update(chunk)
            yield chunk

    def stored(self, key: str) -> StoredObject:
        return StoredObject(key=key, sha256=self._hash.hexdigest(), size=self.size)


class Storage(ABC):
    """A flat namespace of keys, like S3's.

    One divergence the local backend cannot avoid: a folder cannot also be a file,
    so there a key may not be a folder-prefix of another ("a" beside "a/b");
    such a put raises StorageError. Server-made keys never collide that way.
    """

    name: str

    @classmethod
    @abstractmethod
    def from_config(cls, config: Mapping[str, Any]) -> Storage:
        """The backend built from the app's config; StorageError names a missing setting."""

    def put(self, stream: BinaryIO, *, prefix: str = "blobs",
            max_size: int | None = None) -> StoredObject:
        # Validating the whole key also checks the prefix and the total length.
        return self._write(validate_key(f"{prefix}/{uuid4().hex}"), stream, max_size)

    def put_at(self, key: str, stream: BinaryIO) -> StoredObject:
        return self._write(validate_key(key), stream, None)

    @abstractmethod
    def _write(self, key: str, stream: BinaryIO, max_size: int | None) -> StoredObject:
        """Stream to `key` through a Meter; on any failure leave nothing behind.

        Failures other than StorageError are raised as StorageError chained to
        the original, so callers have one exception family to handle.
        """

    @abstractmethod
    def open(self, key: str) -> ContextManager[BinaryIO]: ...

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    def ping(self) -> None:
        """Raise StorageError unless the store answers now (the readiness probe)."""
        self.exists("readyz/probe")  # "no such object" is an answer too

    @abstractmethod
    def size(self, key: str) -> int: ...

    @abstractmethod
    def url(self, key: str, *, expires: int = 60, filename: str | None = None) -> str | None: ...

    @abstractmethod
    def iter_keys(self, prefix: str = "") -> Iterator[str]: ...

    def iter_objects(self, prefix: str = "") -> Iterator[Listed]:
        """Every object with its size and last change, for `flask storage check`."""
        raise NotImplementedError(f"{self.name}: listing objects with their age")

    def iter_partial(self) -> Iterator[Listed]:
        """Unfinished uploads: left by a process that died, or still in flight."""
        raise NotImplementedError(f"{self.name}: listing unfinished uploads")

    def delete_partial(self, item: Listed) -> None:
        raise NotImplementedError(f"{self.name}: removing unfinished uploads")
