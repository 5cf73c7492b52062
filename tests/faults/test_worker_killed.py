"""The worker killed mid-job (SIGKILL: no goodbye), and stopped mid-job (SIGTERM: it hands the job
back). Either way a worker started again, as deploy.stack does, delivers the copy."""
from __future__ import annotations

import signal
import time

import sqlalchemy as sa

from portal.jobs.models import Job, JobState
from portal.disclosures.models import CopyState, Grant
from portal.extensions import db
from tests.faults.support import Answers, Worker, delivered, queued_copy, wait_for_job

MIB = 1024 ** 2


def test_worker_killed_mid_job_is_replaced_and_the_copy_delivered(client, ctx, app, tmp_path):
    grant_id, url, token, slug = queued_copy(client, app, size=64 * MIB)
    answers = Answers(client)
    first = Worker(app, tmp_path, lease=3).start()
    try:
        wait_for_job(JobState.running, 60, first)
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(10)
    finally:
        first.kill()
    assert answers.call("GET", url, headers=token).status_code == 202   # wait, not an error
    db.session.expire_all()
    assert db.session.get(Grant, grant_id).copy_state == CopyState.preparing

    second = Worker(app, tmp_path, lease=3).start()   # what deploy.stack's supervision does
    try:
        delivered(client, url, token, second, timeout=180)
        assert second.alive()
        db.session.expire_all()
        job = db.session.scalar(sa.select(Job))
        assert job.attempts == 2 and "lease of 3 s expired on attempt 1" in second.output()
        answers.check()
        assert second.terminate() == 0
    finally:
        second.kill()


def test_worker_stopped_mid_job_hands_it_back_at_once(client, ctx, app, tmp_path):
    grant_id, url, token, slug = queued_copy(client, app, size=64 * MIB)
    first = Worker(app, tmp_path, WORKER_SHUTDOWN_GRACE=0).start()   # lease stays 900 s
    try:
        wait_for_job(JobState.running, 60, first)
        started = time.monotonic()
        assert first.terminate() == 0
        assert time.monotonic() - started < 15
    finally:
        first.kill()
    db.session.expire_all()
    job = db.session.scalar(sa.select(Job))
    if job.state == JobState.done:   # it finished within the grace after all: nothing to hand back
        return
    assert job.state == JobState.queued and job.attempts == 0, (job.state, job.attempts, first.output())
    assert job.error == "released by a worker that was stopping"
    assert "released: another worker will run it" in first.output()

    second = Worker(app, tmp_path).start()   # no lease to wait out
    try:
        delivered(client, url, token, second, timeout=120)
        db.session.expire_all()
        assert db.session.scalar(sa.select(Job)).attempts == 1
        assert second.terminate() == 0
    finally:
        second.kill()
