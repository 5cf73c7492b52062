"""Issue 21's faults, done for real to a running `flask worker` and to the app: the SQLite file
locked for 40 s, the PostgreSQL cluster stopped and started again, SeaweedFS stopped during an
upload. Each time a copy waits in the queue for the worker; afterwards the worker process is
alive, the copy is delivered, nothing answered 503 was stored, and nothing answered 500.
(The worker killed mid-job: test_worker_killed.py.)"""
from __future__ import annotations

import io
import sqlite3
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.jobs.models import Job, JobState
from portal.core.models import utcnow
from portal.extensions import db
from portal.records.models import Blob, Record
from tests import factories as f
from tests.faults.support import (Answers, Worker, delivered, heartbeat_of, outages_logged, queued_copy)
from tests.security.test_faults import killed_on_first_upload, mp4, weed  # noqa: F401  (weed: the fixture)
from tests.support.seaweed import start_seaweed

MIB = 1024 ** 2


def _only(app, kind: str) -> None:
    if app.config["BACKEND"] != kind:
        pytest.skip(f"a {kind} fault")


def test_sqlite_locked_for_40_s(client, ctx, app, tmp_path):
    _only(app, "sqlite")
    grant_id, url, token, slug = queued_copy(client, app)
    # the job falls due while the file is locked (as after a retry pause), so the worker that is
    # up and beating before the lock has to take it through the lock
    db.session.execute(sa.update(Job).values(run_after=utcnow() + timedelta(seconds=20)))
    db.session.commit()
    worker = Worker(app, tmp_path).start()
    deadline = time.monotonic() + 60
    while heartbeat_of(worker) is None:
        assert time.monotonic() < deadline and worker.alive(), worker.output()
        time.sleep(0.2)
    db.session.remove()
    answers = Answers(client)
    lock = sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    lock.execute("BEGIN EXCLUSIVE")   # no reader, no writer gets in: what a long migration or backup does
    locked_at = time.monotonic()
    try:
        # A filing sent meanwhile waits out SQLite's busy timeout (30 s) and is told to try again.
        filing = threading.Thread(target=answers.file_request, args=(token, slug))
        filing.start()
        time.sleep(3)
        ready = answers.call("GET", "/readyz")
        assert ready.status_code == 503 and ready.get_json()["checks"]["database"] == "no answer within 2 s"
        assert answers.call("GET", "/healthz").status_code == 200
        filing.join(60)
        time.sleep(max(0.0, 40 - (time.monotonic() - locked_at)))
        assert worker.alive(), worker.output()
    finally:
        lock.rollback()
        lock.close()
    assert [s for _, _, s in answers.statuses if s == 503], answers.statuses   # the filing met the lock

    data = delivered(client, url, token, worker)
    assert data[:2] == b"PK"   # the streamed receipt ZIP around the video
    assert worker.alive()
    assert outages_logged(worker, "requeue") == 1, worker.output()
    beat = heartbeat_of(worker)
    assert beat is not None and beat.stopped_at is None
    answers.check()
    assert answers.call("POST", "/api/v1/requests", headers=token,
                        json={"department": slug, "title": "After the lock",
                              "description": "Filed once the database is back."}).status_code == 201
    assert worker.terminate() == 0
    assert heartbeat_of(worker).stopped_at is not None


def test_postgresql_stopped_and_started_again(client, ctx, app, tmp_path, backend):
    _only(app, "postgres")
    server = backend["server"]
    grant_id, url, token, slug = queued_copy(client, app)
    answers = Answers(client)
    db.session.remove()
    server.pause()
    worker = Worker(app, tmp_path).start()    # starts while the database is down
    try:
        deadline = time.monotonic() + 15      # a 15 s restart, as an upgrade or failover does
        answers.file_request(token, slug)
        ready = answers.call("GET", "/readyz")
        assert ready.status_code == 503 and ready.get_json()["checks"]["storage"] == "ok"
        assert ready.get_json()["checks"]["database"].startswith("OperationalError")
        assert answers.call("GET", url, headers=token).status_code == 503
        time.sleep(max(0.0, deadline - time.monotonic()))
        assert worker.alive(), worker.output()
    finally:
        server.restart()
        backend["admin"].dispose()   # its connections died with the server
    assert answers.refused_titles, answers.statuses

    delivered(client, url, token, worker)
    assert worker.alive()
    # retried many times in 15 s (connection refused is immediate), logged once
    assert outages_logged(worker, "requeue") == 1, worker.output()
    assert "requeue: working again" in worker.output()
    answers.check()
    assert answers.call("GET", "/readyz").status_code == 200
    assert worker.terminate() == 0


def test_seaweedfs_stopped_during_an_upload(client, ctx, app, tmp_path, weed):
    grant_id, url, token, slug = queued_copy(client, app)
    _, staff, _, req = f.scenario()
    answers = Answers(client)
    staff_token = f.token_for(staff)
    with killed_on_first_upload(weed):
        r = answers.call("POST", f"/api/v1/requests/{req.id}/records", headers=staff_token,
                         data={"file": (io.BytesIO(mp4(40 * MIB)), "cctv.mp4")}, content_type="multipart/form-data")
    assert weed.server.process.poll() is not None, f"the upload finished before the kill: {r.status_code}"
    assert r.status_code == 503

    worker = Worker(app, tmp_path).start()   # the store is down: the copy cannot be made yet
    try:
        deadline = time.monotonic() + 60
        while "queued again" not in worker.output():   # the job met the outage and went back
            assert time.monotonic() < deadline, worker.output()
            time.sleep(0.3)
        ready = answers.call("GET", "/readyz")
        assert ready.status_code == 503 and ready.get_json()["checks"]["database"] == "ok"
        assert ready.get_json()["checks"]["storage"].startswith("StorageError")
        assert answers.call("GET", url, headers=token).status_code in (202, 503)
        db.session.expire_all()
        job = db.session.scalar(sa.select(Job))
        assert job.state in (JobState.queued, JobState.running) and job.attempts <= 1   # outages use no attempt
        assert worker.alive(), worker.output()
    finally:
        weed.server = start_seaweed(weed.workdir, like=weed.server)   # same ports and keys: the worker's config holds
    delivered(client, url, token, worker)
    assert worker.alive()
    db.session.expire_all()
    assert db.session.scalar(sa.select(Job)).attempts == 1
    # the upload that was answered 503 left no row, and no object once storage check has swept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Record).where(Record.filename == "cctv.mp4")) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Blob)) == 1
    runner = app.test_cli_runner()
    assert runner.invoke(args=["storage", "check", "--grace", "0", "--delete-orphans"]).exit_code in (0, 1)
    assert runner.invoke(args=["storage", "check", "--grace", "0"]).exit_code == 0
    answers.check()
    assert worker.terminate() == 0
