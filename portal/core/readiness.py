"""Readiness: can this server do its work now? The database and the file store must each answer
within READY_TIMEOUT seconds. (Liveness, `/healthz`, asks only whether the process answers.)

Each check runs in a thread of its own so that a store that hangs (a locked SQLite file waits
for its busy timeout, an unreachable S3 endpoint for its connect timeout) cannot hold the probe
past its limit. While a check from an earlier probe is still waiting, a new probe does not start
another: it reports that one as not answering, so a hung store costs one thread, not one per probe.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, TimeoutError as FutureTimeout
from typing import Callable

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from . import storage as files

READY_TIMEOUT = 2.0
_lock = threading.Lock()


def _submit(name: str, fn: Callable[[], object]) -> Future:
    with _lock:  # per app: each has its own database and store
        state = current_app.extensions.setdefault("portal.readiness", {})
        earlier = state.get(name)
        if earlier is not None and not earlier[1].done():
            return earlier[1]
        pool = earlier[0] if earlier else ThreadPoolExecutor(1, thread_name_prefix=f"readyz-{name}")
        future = pool.submit(fn)
        state[name] = (pool, future)
        return future


def _database(engine: sa.Engine) -> Callable[[], object]:
    def check():
        with engine.connect() as conn:  # a real table: SQLite only then meets a lock
            conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    return check


def _storage(store) -> Callable[[], object]:
    def check():
        store.ping()
    return check


def check() -> dict[str, str]:
    """{"database": "ok" | what failed, "storage": ...}."""
    futures = {"database": _submit("database", _database(db.engine)),
               "storage": _submit("storage", _storage(files.storage()))}
    deadline, results = time.monotonic() + READY_TIMEOUT, {}
    for name, future in futures.items():
        try:
            future.result(timeout=max(0.0, deadline - time.monotonic()))
            results[name] = "ok"
        except FutureTimeout:
            results[name] = f"no answer within {READY_TIMEOUT:g} s"
        except Exception as exc:
            results[name] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"[:300]
    return results
