"""/healthz is liveness, /readyz readiness (issue 21, item 4). The PostgreSQL and S3 outages are
in tests/faults/; here the SQLite lock and a local store that cannot be written."""
from __future__ import annotations

import sqlite3
import time

import pytest


def test_ready_when_database_and_storage_answer(client):
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.get_json() == {"ready": True, "checks": {"database": "ok", "storage": "ok"}}


def test_locked_sqlite_is_not_ready_within_2_s_but_still_alive(app, client):
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("an SQLite lock")
    lock = sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    lock.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        r = client.get("/readyz")
        took = time.monotonic() - started
        assert r.status_code == 503 and took < 3, took
        assert r.get_json() == {"ready": False, "checks": {"database": "no answer within 2 s", "storage": "ok"}}
        assert client.get("/healthz").status_code == 200
    finally:
        lock.rollback()
        lock.close()
    deadline = time.monotonic() + 10   # the check still waiting on the lock finishes, and the next one passes
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_local_store_that_cannot_be_written_is_not_ready(app, client, tmp_path):
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("the local store (PostgreSQL runs with S3: tests/faults/)")
    (tmp_path / "not-a-folder").write_text("a file where the store's folder should be")
    app.config["STORAGE_DIR"] = str(tmp_path / "not-a-folder" / "files")
    app.extensions.pop("portal.storage", None)
    r = client.get("/readyz")
    assert r.status_code == 503
    body = r.get_json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["storage"].startswith("StorageError: local: ") and "not-a-folder" in body["checks"]["storage"]
