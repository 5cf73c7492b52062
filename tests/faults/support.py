"""What the fault tests share: a real `flask worker` process on the test app's database and store,
a copy queued for it, and a record of every answer the portal gave while things broke."""
from __future__ import annotations

import signal
import subprocess
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from portal.disclosures import services
from portal.extensions import db
from portal.jobs.models import Job, JobState, WorkerHeartbeat
from portal.record_requests.models import RecordRequest
from tests import factories as f
from tests.security.test_faults import _worker, _worker_instance, mp4

MIB = 1024 ** 2


class Worker:
    """`flask worker` in a process of its own, configured like the test app (portal.cfg)."""

    def __init__(self, app, tmp_path: Path, *, lease: int = 900, **config) -> None:
        self.instance = _worker_instance(app, tmp_path, lease)
        with (self.instance / "portal.cfg").open("a") as cfg:
            for key, value in {"WORKER_BACKOFF_MAX_SECONDS": 4, **config}.items():
                cfg.write(f"{key} = {value!r}\n")
        self.log = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, *args: str) -> "Worker":
        self.proc = _worker(self.instance, "--interval", "0.2", *args, log=self.log)
        return self

    def alive(self) -> bool:
        return self.proc.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def terminate(self, timeout: float = 60) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class Answers:
    """Every status the portal answered during a fault; a 500 is never acceptable."""

    def __init__(self, client) -> None:
        self.client, self.statuses, self.refused_titles = client, [], []

    def call(self, method: str, url: str, **kw):
        r = self.client.open(url, method=method, **kw)
        self.statuses.append((method, url, r.status_code))
        return r

    def file_request(self, token: dict, dept_slug: str):
        """File a request; remember its title if the portal said 503 (it must not be stored)."""
        title = f"Filed during an outage {uuid.uuid4().hex[:8]}"
        r = self.call("POST", "/api/v1/requests", headers=token,
                      json={"department": dept_slug, "title": title, "description": "Anything at all."})
        if r.status_code == 503:
            self.refused_titles.append(title)
        return r

    def check(self) -> None:
        assert not [s for s in self.statuses if s[2] >= 500 and s[2] != 503], self.statuses
        db.session.expire_all()
        for title in self.refused_titles:   # answered 503: nothing of it was kept
            assert db.session.scalar(sa.select(sa.func.count()).select_from(RecordRequest)
                                     .where(RecordRequest.title == title)) == 0, title


def queued_copy(client, app, size: int = 8 * MIB):
    """A released file too large to mark inline: its download answers 202 and queues a job."""
    app.config["MARK_INLINE_MAX_BYTES"] = MIB
    dept, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, mp4(size), filename="bodycam.mp4")
    grant = services.create_release(staff, req.id, [rec.id]).grants[0]
    db.session.commit()
    url, token = f"/api/v1/grants/{grant.id}/download", f.token_for(requester)
    assert client.get(url, headers=token).status_code == 202
    return grant.id, url, token, dept.slug


def wait_for_job(state: JobState, timeout: float, worker: Worker | None = None) -> Job:
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        job = db.session.scalar(sa.select(Job))
        if job.state == state:
            return job
        if worker is not None:
            assert worker.alive(), worker.output()
        assert time.monotonic() < deadline, f"job {job.state} {job.error}; {worker.output() if worker else ''}"
        time.sleep(0.2)


def delivered(client, url: str, token: dict, worker: Worker, timeout: float = 120) -> bytes:
    """The queued copy, once the worker made it: downloaded whole."""
    wait_for_job(JobState.done, timeout, worker)
    r = client.get(url, headers=token)
    assert r.status_code == 200, r.get_data()[:300]
    assert int(r.headers["Content-Length"]) == len(r.get_data())
    return r.get_data()


def heartbeat_of(worker: Worker) -> WorkerHeartbeat:
    db.session.expire_all()
    return db.session.scalar(sa.select(WorkerHeartbeat).where(WorkerHeartbeat.name.endswith(f":{worker.proc.pid}")))


def outages_logged(worker: Worker, step: str) -> int:
    """How many times the worker logged `step` failing: once per outage, however many retries."""
    return sum(1 for line in worker.output().splitlines()
               if f"{step}: " in line and "retrying with backoff" in line)
