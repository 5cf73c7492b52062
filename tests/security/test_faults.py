"""Injected faults: each leaves the database and the store consistent and the user a clear message.

SeaweedFS is stopped for real (a server of this test's own, so the suite's shared one keeps
serving), the worker is a real `flask worker` process killed with SIGKILL, and SMTP is a closed
port. The database fault is the one thing injected from inside: an event listener that raises the
error a dropped connection raises, on the second grant of a release.
"""
from __future__ import annotations

import contextlib
import contextvars
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from portal.audit.models import AuditEntry
from portal.core import storage as files
from portal.disclosures import services
from portal.disclosures.models import CopyState, Delivery, Grant, Release
from portal.extensions import db
from portal.jobs.models import Job, JobState
from portal.mail.models import MailStatus, OutgoingMail
from portal.records.models import Attachment, Blob, Record
from portal.storage import StorageError
from tests import factories as f
from tests.conftest import unavailable
from tests.disclosures import samples
from tests.support.postgres import free_port
from tests.support.seaweed import SeaweedError, SeaweedServer, start_seaweed

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 ** 2
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def mp4(size: int) -> bytes:
    """An MP4-like file (the portal keeps it as video/mp4 and wraps its copy in a receipt ZIP)."""
    return MP4_HEAD + os.urandom(size - len(MP4_HEAD))


class Weed:
    """A SeaweedFS of one test's own: stopped and started again on the same data."""

    def __init__(self, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.workdir, self.monkeypatch = workdir, monkeypatch
        self.bucket = "faults"
        self.server: SeaweedServer | None = None

    def start(self, app=None) -> None:
        try:
            self.server = start_seaweed(self.workdir)
        except SeaweedError as exc:
            unavailable(f"SeaweedFS could not start: {exc}")
        for name, value in self.server.env().items():
            self.monkeypatch.setenv(name, value)
        if app is not None:
            self.use(app)

    def use(self, app) -> None:
        """Point the app at this server (its port and credentials change at each start)."""
        app.config.update(self.server.storage_config(self.bucket))
        app.extensions.pop("portal.storage", None)
        with app.app_context():
            files.storage().ensure_bucket()

    def kill(self) -> None:
        self.server.process.kill()   # no goodbye to open connections: as a crash or a cut cable
        self.server.stop()

    def client(self):
        s = self.server
        return boto3.client("s3", endpoint_url=s.endpoint_url, region_name=s.region,
                            aws_access_key_id=s.access_key, aws_secret_access_key=s.secret_key)

    def keys(self) -> list[str]:
        return sorted(o["Key"] for o in self.client().list_objects_v2(Bucket=self.bucket).get("Contents", ()))

    def pending_uploads(self) -> list[dict]:
        return self.client().list_multipart_uploads(Bucket=self.bucket).get("Uploads", [])


@pytest.fixture
def weed(app, tmp_path, monkeypatch):
    w = Weed(tmp_path / "own-weed", monkeypatch)
    w.start(app)
    yield w
    if w.server is not None:
        w.server.stop()


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


# -- storage stopped mid-upload --------------------------------------------------------------

@contextlib.contextmanager
def killed_on_first_upload(weed):
    """SeaweedFS is killed as soon as a multipart upload is in flight inside the block (a watcher
    thread polls for it; it stops when the block ends, killed or not)."""
    killed = threading.Event()
    watcher = weed.client()

    def kill_when_upload_starts():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed.is_set():
            try:
                if watcher.list_multipart_uploads(Bucket=weed.bucket).get("Uploads"):
                    weed.kill()
                    killed.set()
                    return
            except Exception:
                return
            time.sleep(0.005)

    thread = threading.Thread(target=kill_when_upload_starts)
    thread.start()
    try:
        yield
    finally:
        killed.set()
        thread.join()


def test_storage_stopped_mid_upload_keeps_nothing_and_says_try_again(client, ctx, weed, runner):
    """A 40 MiB upload goes to S3 in 8 MiB parts; the server is killed as soon as the first part
    is in flight. The uploader gets a 503 that says nothing was saved; no row, no object."""
    _, staff, _, req = f.scenario()
    h = f.token_for(staff)
    with killed_on_first_upload(weed):
        r = client.post(f"/api/v1/requests/{req.id}/records", headers=h,
                        data={"file": (io.BytesIO(mp4(40 * MIB)), "bodycam.mp4")},
                        content_type="multipart/form-data")
    assert weed.server.process.poll() is not None, f"the upload finished before the kill: {r.status_code}"
    assert r.status_code == 503
    assert r.get_json()["error"] == {"code": "unavailable", "message": "File storage cannot be reached right "
                                     "now; nothing was saved. Please try again."}
    db.session.expire_all()
    assert (_count(Blob), _count(Record), _count(Attachment)) == (0, 0, 0)
    assert "record.upload" not in _actions()

    weed.start(ctx)   # back on the same data: what did the dead server keep?
    assert weed.keys() == []                      # no object, whole or half
    assert len(weed.pending_uploads()) <= 1       # at most the unfinished multipart upload
    result = runner.invoke(args=["storage", "check", "--grace", "0", "--delete-orphans"])
    assert result.exit_code == 0, result.output
    assert weed.pending_uploads() == [] and weed.keys() == []

    # and once storage is back, the same upload simply works
    r = client.post(f"/api/v1/requests/{req.id}/records", headers=h,
                    data={"file": (io.BytesIO(mp4(MIB)), "bodycam.mp4")}, content_type="multipart/form-data")
    assert r.status_code == 201


def test_upload_while_storage_is_down_is_a_clean_503_on_the_page_too(client, ctx, weed):
    _, staff, _, req = f.scenario()
    weed.kill()
    f.login(client, staff.email)
    page = f"/staff/requests/{req.id}/records"
    r = f.post_form(client, page, f"/staff/requests/{req.id}/records",
                    {"file": (io.BytesIO(samples.pdf()), "report.pdf"), "disposition": "release"})
    assert r.status_code == 503
    assert "File storage cannot be reached right now; nothing was saved." in r.get_data(as_text=True)
    db.session.expire_all()
    assert (_count(Blob), _count(Record)) == (0, 0)


# -- storage stopped mid-download ------------------------------------------------------------

def _released(staff, requester, req, data: bytes, filename: str):
    rec = f.upload(staff, req, data, filename=filename)
    rel = services.create_release(staff, req.id, [rec.id])
    db.session.commit()
    return rel.grants[0]


def test_storage_stopped_mid_download_logs_an_incomplete_delivery(client, ctx, app, weed):
    app.config["MARK_INLINE_MAX_BYTES"] = 64 * MIB
    _, staff, requester, req = f.scenario()
    grant = _released(staff, requester, req, mp4(24 * MIB), "bodycam.mp4")
    url, h = f"/api/v1/grants/{grant.id}/download", f.token_for(requester)
    first = client.get(url, headers=h)     # makes and stores the copy, sends it whole
    assert first.status_code == 200

    def download_and_cut():
        # Opened and read in one context of its own, as a server would (IsolatedClient does the
        # same for buffered requests); the body is read chunk by chunk, the store killed after one.
        r = FlaskClient.open(client, url, headers=h, buffered=False)
        assert r.status_code == 200
        chunks = iter(r.response)
        received = len(next(chunks))
        weed.kill()
        with pytest.raises(StorageError):
            for chunk in chunks:
                received += len(chunk)
        r.close()
        return received, int(r.headers["Content-Length"])

    received, length = contextvars.Context().run(download_and_cut)
    assert received < length   # the client sees a short body, never one that passes for whole
    db.session.expire_all()
    done, cut = db.session.scalars(sa.select(Delivery).order_by(Delivery.id)).all()
    assert done.completed and done.error is None
    assert not cut.completed and cut.finished_at is not None and 0 < cut.bytes_sent < grant.copy_size
    assert cut.error.startswith(f"storage failed after {cut.bytes_sent} bytes: s3: read")

    # while it stays down, the next try is a clean 503 and logs nothing
    again = client.get(url, headers=h)
    assert again.status_code == 503 and again.get_json()["error"]["code"] == "unavailable"
    assert "Nothing was sent" in again.get_json()["error"]["message"]
    db.session.expire_all()
    assert _count(Delivery) == 2

    weed.start(app)   # back: the same copy, whole, logged complete
    ok = client.get(url, headers=h)
    assert ok.status_code == 200 and len(ok.get_data()) == grant.copy_size
    db.session.expire_all()
    assert db.session.scalars(sa.select(Delivery).order_by(Delivery.id.desc())).first().completed


# -- a database error in the middle of a release ---------------------------------------------

def test_database_error_mid_release_leaves_no_trace(client, ctx, mailbox):
    _, staff, requester, req = f.scenario()
    a = f.upload(staff, req, samples.text(), filename="a.txt")
    b = f.upload(staff, req, samples.csv(), filename="b.csv")
    h = f.token_for(staff)
    before = (_count(AuditEntry), _count(OutgoingMail))
    mailbox.clear()
    inserted = []

    def fail_inserting_grants(conn, cursor, statement, parameters, context, executemany):
        # grants go in as one bulk INSERT: the database fails it, after the release row went in
        if statement.lstrip().upper().startswith("INSERT INTO GRANTS"):
            inserted.append(statement)
            raise sa.exc.OperationalError(statement, {}, Exception("server closed the connection"))

    sa.event.listen(db.engine, "before_cursor_execute", fail_inserting_grants)
    try:
        r = client.post(f"/api/v1/requests/{req.id}/releases", headers=h,
                        json={"record_ids": [a.id, b.id], "recipients": ["lawyer@example.org"]})
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", fail_inserting_grants)
    assert len(inserted) == 1
    assert r.status_code == 503 and r.headers["Retry-After"]
    assert r.get_json()["error"]["message"].startswith("The database could not complete this right now. "
                                                       "Nothing was changed")
    db.session.expire_all()
    assert (_count(Release), _count(Grant), _count(Delivery)) == (0, 0, 0)
    assert (_count(AuditEntry), _count(OutgoingMail)) == before   # no audit row, no mail queued
    assert mailbox.messages == []
    assert list(files.storage().iter_keys("copies/")) == []          # no marked copy made
    assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("users"))
                             .where(sa.column("email") == "lawyer@example.org")) == 0

    # nothing was half done, so the same release goes through as if the first never happened
    r = client.post(f"/api/v1/requests/{req.id}/releases", headers=h,
                    json={"record_ids": [a.id, b.id], "recipients": ["lawyer@example.org"]})
    assert r.status_code == 201
    db.session.expire_all()
    assert (_count(Release), _count(Grant)) == (1, 4)


def test_database_error_mid_release_on_the_staff_page_is_a_clear_page(client, ctx):
    _, staff, requester, req = f.scenario()
    a = f.upload(staff, req, samples.text(), filename="a.txt")

    def fail(mapper, connection, target):
        raise sa.exc.OperationalError("INSERT INTO releases ...", {}, Exception("deadlock detected"))

    f.login(client, staff.email)
    page = f"/staff/requests/{req.id}/records"
    sa.event.listen(Release, "before_insert", fail)
    try:
        r = f.post_form(client, page, f"/staff/requests/{req.id}/releases", {"record_ids": [str(a.id)]})
    finally:
        sa.event.remove(Release, "before_insert", fail)
    assert r.status_code == 503
    assert "Nothing was changed; please try again" in r.get_data(as_text=True)
    db.session.expire_all()
    assert (_count(Release), _count(Grant)) == (0, 0)


def test_database_error_when_logging_a_download_leaves_no_orphan_copy(client, ctx, runner):
    """The copy is marked and stored, then writing its delivery row fails: nothing is sent, and the
    stored copy goes with the rolled-back transaction instead of lingering as an orphan."""
    _, staff, requester, req = f.scenario()
    grant = _released(staff, requester, req, samples.text(), "memo.txt")
    url, h = f"/api/v1/grants/{grant.id}/download", f.token_for(requester)

    def fail(mapper, connection, target):
        raise sa.exc.OperationalError("INSERT INTO deliveries ...", {}, Exception("server closed the connection"))

    sa.event.listen(Delivery, "before_insert", fail)
    try:
        r = client.get(url, headers=h)
    finally:
        sa.event.remove(Delivery, "before_insert", fail)
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "unavailable"
    db.session.expire_all()
    assert _count(Delivery) == 0
    assert db.session.get(Grant, grant.id).copy_key is None
    assert list(files.storage().iter_keys("copies/")) == []
    assert runner.invoke(args=["storage", "check", "--grace", "0"]).exit_code == 0

    ok = client.get(url, headers=h)
    assert ok.status_code == 200
    db.session.expire_all()
    assert [d.completed for d in db.session.scalars(sa.select(Delivery))] == [True]


# -- the worker killed while marking ---------------------------------------------------------

def _worker_instance(app, tmp_path: Path, lease: int) -> Path:
    """An instance folder whose portal.cfg is this test app's configuration, for `flask worker`."""
    instance = tmp_path / "worker-instance"
    instance.mkdir(exist_ok=True)
    keys = ["DATABASE_URL", "SECRET_KEY", "WATERMARK_KEY", "BASE_URL", "STORAGE", "STORAGE_DIR", "S3_BUCKET",
            "S3_ENDPOINT_URL", "S3_REGION", "SMTP_URL", "OUTBOX_DIR", "MARK_INLINE_MAX_BYTES",
            "MAIL_RETRY_SECONDS", "DIGEST_HOUR"]
    lines = [f"{k} = {app.config.get(k)!r}" for k in keys] + [f"JOB_LEASE_SECONDS = {lease}"]
    (instance / "portal.cfg").write_text("\n".join(lines) + "\n")
    return instance


def _worker(instance: Path, *args: str, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    cmd = [sys.executable, "-m", "flask", "--app", f"portal:create_app(instance_path={str(instance)!r})",
           "worker", *args]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def test_worker_killed_while_marking_the_job_is_retried_after_its_lease(client, ctx, app, tmp_path):
    app.config["MARK_INLINE_MAX_BYTES"] = MIB     # so a 64 MiB file's copy is the worker's job
    _, staff, requester, req = f.scenario()
    grant = _released(staff, requester, req, mp4(64 * MIB), "bodycam.mp4")
    url, h = f"/api/v1/grants/{grant.id}/download", f.token_for(requester)
    assert client.get(url, headers=h).status_code == 202           # queued for the worker
    instance = _worker_instance(app, tmp_path, lease=2)
    log = tmp_path / "worker.log"

    first = _worker(instance, "--interval", "0.05", log=log)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db.session.expire_all()
            job = db.session.scalar(sa.select(Job))
            if job.state == JobState.running:
                break
            assert first.poll() is None, log.read_text()
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    db.session.expire_all()
    job, grant = db.session.scalar(sa.select(Job)), db.session.get(Grant, grant.id)
    assert job.state == JobState.running and job.attempts == 1, log.read_text()
    assert grant.copy_state == CopyState.preparing         # killed before it finished
    assert client.get(url, headers=h).status_code == 202   # the recipient is told to wait, not an error

    time.sleep(2.5)   # the lease runs out
    second = _worker(instance, "--once", log=log)
    assert second.wait(180) == 0, log.read_text()
    db.session.expire_all()
    job, grant = db.session.scalar(sa.select(Job)), db.session.get(Grant, grant.id)
    assert job.state == JobState.done and job.attempts == 2
    assert grant.copy_state == CopyState.ready

    # one derived copy, under the grant's own key; a half-written temporary file of the killed
    # worker, if it got that far, is what `flask storage check` reports and removes
    assert list(files.storage().iter_keys("copies/")) == [grant.copy_key]
    runner = app.test_cli_runner()
    assert runner.invoke(args=["storage", "check", "--grace", "0", "--delete-orphans"]).exit_code == 0
    assert runner.invoke(args=["storage", "check", "--grace", "0"]).exit_code == 0

    r = client.get(url, headers=h)
    assert r.status_code == 200 and len(r.get_data()) == grant.copy_size
    db.session.expire_all()
    [d] = db.session.scalars(sa.select(Delivery)).all()
    assert d.completed and d.sha256 == grant.copy_sha256


# -- SMTP down -------------------------------------------------------------------------------

def test_smtp_down_the_change_commits_and_the_mail_waits_for_the_worker(client, ctx, app, mailbox):
    from portal.worker import run_once
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, samples.text(), filename="a.txt")
    mailbox.clear()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"   # nothing listens there
    r = client.post(f"/api/v1/requests/{req.id}/releases", headers=f.token_for(staff),
                    json={"record_ids": [rec.id]})
    assert r.status_code == 201                     # the user sees no error
    db.session.expire_all()
    assert _count(Release) == 1 and _count(Grant) == 1
    [mail] = db.session.scalars(sa.select(OutgoingMail).where(
        OutgoingMail.to == requester.email, OutgoingMail.subject.startswith("Records released"))).all()
    assert mail.status == MailStatus.pending and mail.attempts == 1 and "refused" in mail.last_error.lower()
    assert mailbox.messages == []

    run_once()                                      # the worker tries again: still down
    db.session.expire_all()
    mail = db.session.get(OutgoingMail, mail.id)
    assert mail.status == MailStatus.pending and mail.attempts == 2

    app.config["SMTP_URL"] = mailbox.url            # SMTP is back
    run_once()
    db.session.expire_all()
    assert db.session.get(OutgoingMail, mail.id).status == MailStatus.sent
    assert f"Records released: request {req.tracking_number}" in [m["Subject"] for m in mailbox.to(requester.email)]
