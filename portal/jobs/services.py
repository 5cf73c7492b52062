"""A job queue in the database. Several workers take jobs safely (SKIP LOCKED on PostgreSQL)."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Callable

import sqlalchemy as sa

from ..core import storage as files
from ..core.models import utcnow
from ..extensions import db
from .models import Job, JobState, WorkerHeartbeat
from .outages import describe, transient

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
TRANSIENT_RETRY_SECONDS = 15  # a job met an outage: tried again after this, its attempt not counted
HANDLERS: dict[str, Callable[[int], None]] = {}


def handler(kind: str):
    def register(fn):
        HANDLERS[kind] = fn
        return fn
    return register


def enqueue(kind: str, ref: int) -> Job:
    job = Job(kind=kind, ref=ref)
    db.session.add(job)
    db.session.flush()
    return job


def _claim(worker: str | None = None) -> Job | None:
    """Take the oldest due job so that no other worker can take it too.

    PostgreSQL: the row is locked FOR UPDATE SKIP LOCKED, so concurrent workers pass over it.
    SQLite (one writer at a time): a conditional UPDATE that only succeeds while the job is still
    queued; a worker whose UPDATE changed no row lost the race and looks again.
    """
    postgres = db.session.get_bind().dialect.name == "postgresql"
    for _ in range(20):
        stmt = (sa.select(Job).where(Job.state == JobState.queued, Job.run_after <= utcnow())
                .order_by(Job.id).limit(1))
        if postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        job = db.session.scalar(stmt)
        if job is None:
            return None
        if postgres:
            job.state, job.started_at, job.attempts = JobState.running, utcnow(), job.attempts + 1
            job.worker = worker
            db.session.commit()
            return job
        taken = db.session.execute(
            sa.update(Job).where(Job.id == job.id, Job.state == JobState.queued)
            .values(state=JobState.running, started_at=utcnow(), attempts=Job.attempts + 1, worker=worker)
            .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        if taken == 1:
            db.session.refresh(job)
            return job
        db.session.expire(job)  # another worker took it first
    return None


def run_one() -> bool:
    """Take and run one due job; False when there is none."""
    job = take()
    if job is None:
        return False
    run(job)
    return True


def take(worker: str | None = None) -> Job | None:
    """Claim the oldest due job for `worker` (its heartbeat name; committed: no transaction stays
    open)."""
    return _claim(worker)


def run(job: Job) -> None:
    """Run a claimed job. The handler does its long work with no write pending (a read opens no
    write transaction) and its writes are committed in one short transaction at the end.

    A transient failure (the database, the file store or the mail server unreachable) puts the
    job back for later without using up an attempt; any other failure uses one. If the database
    cannot even record that, the exception propagates and the caller releases the job later."""
    job_id = job.id
    try:
        HANDLERS[job.kind](job.ref)
        job.state, job.finished_at, job.error = JobState.done, utcnow(), None
        db.session.commit()
        files.committed()
    except Exception as exc:
        rollback_quietly()
        files.rolled_back()  # what the failed attempt stored (a half-made copy) goes with it
        if transient(exc):
            log.warning("job %s: %s; queued again", job_id, describe(exc))
            release(job_id, f"waiting out an outage: {describe(exc)}", delay=TRANSIENT_RETRY_SECONDS)
            return
        log.exception("job %s failed", job_id)
        job = db.session.get(Job, job_id)
        job.error = f"{type(exc).__name__}: {exc}"[:2000]
        if job.attempts >= MAX_ATTEMPTS:
            job.state = JobState.failed
            _on_failure(job)
        else:
            job.state, job.run_after = JobState.queued, utcnow() + timedelta(seconds=10 * job.attempts)
        db.session.commit()


def release(job_id: int, reason: str, *, delay: float = 0) -> bool:
    """Put a job this worker holds back in the queue without using up an attempt (an outage, or
    the worker stopping); False when it was no longer running (done, or requeued by a lease)."""
    changed = db.session.execute(
        sa.update(Job).where(Job.id == job_id, Job.state == JobState.running)
        .values(state=JobState.queued, attempts=Job.attempts - 1, error=reason[:2000], worker=None,
                run_after=utcnow() + timedelta(seconds=delay))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return changed == 1


def rollback_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: a new session gets a new one
        db.session.remove()


def _on_failure(job: Job) -> None:
    failed = HANDLERS.get(f"{job.kind}:failed")
    if failed is not None:
        failed(job.ref)


def requeue_stale(lease_seconds: int = 900) -> int:
    """Jobs left running past their lease by a worker that died go back to the queue (or fail,
    once out of attempts); the job's error says why, so its attempts tell the whole story. A job
    whose worker's heartbeat is younger than the lease is still being worked on, however long."""
    cutoff = utcnow() - timedelta(seconds=lease_seconds)
    alive = sa.select(WorkerHeartbeat.id).where(WorkerHeartbeat.name == Job.worker,
                                                WorkerHeartbeat.seen_at >= cutoff,
                                                WorkerHeartbeat.stopped_at.is_(None))
    stale = db.session.scalars(sa.select(Job).where(Job.state == JobState.running, Job.started_at < cutoff,
                                                    ~alive.exists())
                               .order_by(Job.id)).all()
    for job in stale:
        job.error = (f"lease of {lease_seconds} s expired on attempt {job.attempts} "
                     "(the worker stopped before finishing)")
        if job.attempts >= MAX_ATTEMPTS:
            job.state = JobState.failed
            _on_failure(job)
        else:
            job.state = JobState.queued
        log.warning("job %s: %s", job.id, job.error)
    return len(stale)
