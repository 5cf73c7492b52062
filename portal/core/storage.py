"""The app's storage backend, and cleanup of objects written by a transaction that failed."""
from __future__ import annotations

import logging
from contextlib import contextmanager

from flask import current_app, g

from ..storage import Storage, get_storage

log = logging.getLogger(__name__)


def storage() -> Storage:
    ext = current_app.extensions
    if "portal.storage" not in ext:  # built on first use: no I/O when the app is created
        ext["portal.storage"] = get_storage(current_app.config)
    return ext["portal.storage"]


def written(key: str) -> None:
    """Note an object written in this transaction, to be removed if it rolls back."""
    g.setdefault("written_keys", []).append(key)


def committed() -> None:
    g.pop("written_keys", None)


def rolled_back() -> None:
    for key in g.pop("written_keys", []):
        try:
            storage().delete(key)
        except Exception:  # reported by `flask storage check` as an orphan
            log.exception("could not remove %s after a rollback", key)


@contextmanager
def part_of_transaction():
    """A part of the transaction that may fail alone (one member of a ZIP): objects it wrote
    are removed at once if it raises, the rest of the transaction's stay."""
    keys = g.setdefault("written_keys", [])
    start = len(keys)
    try:
        yield
    except BaseException:
        for key in keys[start:]:
            try:
                storage().delete(key)
            except Exception:
                log.exception("could not remove %s after a refused part", key)
        del keys[start:]
        raise
