"""Where uploaded and derived files live: a local folder or an S3 bucket.

No Flask here: the app passes its config mapping to `get_storage`, and the name
of the backend is recorded with each row so files can be found after a move. The one
exception is `cli.py`, the app's `flask storage` command, which create_app loads.
"""
from __future__ import annotations

from typing import Any, Mapping

from .base import NotFound, Storage, StorageError, StoredObject, TooLarge
from .local import LocalStorage
from .s3 import S3Storage

BACKENDS: dict[str, type[Storage]] = {
    LocalStorage.name: LocalStorage,
    S3Storage.name: S3Storage,
}


def get_storage(config: Mapping[str, Any]) -> Storage:
    """The backend named by config['STORAGE'], configured from the same mapping."""
    name = config.get("STORAGE")
    try:
        backend = BACKENDS[name]
    except (KeyError, TypeError):
        raise StorageError(f"unknown STORAGE backend {name!r}: expected one of {sorted(BACKENDS)}") from None
    return backend.from_config(config)


__all__ = [
    "BACKENDS", "LocalStorage", "NotFound", "S3Storage", "Storage", "StorageError",
    "StoredObject", "TooLarge", "get_storage",
]
