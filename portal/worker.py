"""Background work, run by `flask worker`: mail retries, scans, digests, reminders and jobs.

A worker must outlive every outage it meets: each step of its loop runs on its own, commits on
its own, and on failure rests with a growing pause (portal/jobs/outages.py) while the others go
on. Jobs run in WORKER_CONCURRENCY threads of their own, each with its own app context and
database session. SIGTERM stops the taking of new jobs; running ones get WORKER_SHUTDOWN_GRACE
seconds to finish, and any still running then goes back to the queue for another worker.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Callable

from flask import Flask, current_app

from .audit.checkpoints import write_if_due as checkpoint_if_due
from .clawback import batch as _attribution_batches  # noqa: F401  (registers job handlers)
from .clawback.campaigns import send_reminders
from .core import ratelimit
from .core import storage as files
from .digests.sending import send_if_due
from .disclosures import jobs as _disclosure_jobs  # noqa: F401  (registers job handlers)
from .extensions import db
from .jobs import heartbeat
from .jobs import services as jobs
from .jobs.outages import Backoff
from .mail import deliver_due
from .records.quarantine import scan_due

log = logging.getLogger("portal.worker")


def _steps() -> list[tuple[str, Callable[[], object]]]:
    lease = current_app.config["JOB_LEASE_SECONDS"]
    return [("requeue", lambda: jobs.requeue_stale(lease)), ("reminders", send_reminders),
            ("scanned", scan_due), ("digests", send_if_due), ("mail", deliver_due),
            ("prune", ratelimit.prune), ("checkpoint", checkpoint_if_due)]


def _attempt(fn: Callable[[], object], backoff: Backoff | None = None):
    """Run one step and commit it; on failure roll back, note it in `backoff` (else log it), and
    return None: a failing step never stops the others."""
    try:
        result = fn()
        db.session.commit()
        files.committed()
    except Exception as exc:
        jobs.rollback_quietly()
        files.rolled_back()
        if backoff is None:
            Backoff("worker step", 0).failed(exc)
        else:
            backoff.failed(exc)
        return None
    if backoff is not None:
        backoff.succeeded()
    return result


def run_once() -> dict:
    """Every step once, then jobs until none is due (`flask worker --once`, and the tests)."""
    done = {name: _attempt(step) for name, step in _steps()}
    done["jobs"] = 0
    while _attempt(jobs.run_one):
        done["jobs"] += 1
    return done


class Worker:
    def __init__(self, app: Flask, *, interval: float, concurrency: int) -> None:
        self.app, self.interval, self.concurrency = app, interval, max(1, concurrency)
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()
        cap = app.config["WORKER_BACKOFF_MAX_SECONDS"]
        self.backoffs = {name: Backoff(name, cap) for name in
                         ("requeue", "reminders", "scanned", "digests", "mail", "prune", "checkpoint", "heartbeat")}
        self.slot_backoffs = [Backoff(f"jobs (slot {i + 1})", cap) for i in range(self.concurrency)]
        self.running: dict[int, int] = {}   # slot -> the job it runs
        self.unreleased: dict[int, int] = {}  # slot -> a job whose failure could not be recorded

    def stop(self, *_args) -> None:
        self.stopping.set()

    def run(self) -> None:
        log.warning("worker %s started: %d job slot(s)", self.name, self.concurrency)
        slots = [threading.Thread(target=self._slot, args=(i,), name=f"job-slot-{i + 1}", daemon=True)
                 for i in range(self.concurrency)]
        for thread in slots:
            thread.start()
        while not self.stopping.is_set():
            with self.app.app_context():
                self.turn()
            self.stopping.wait(self.interval)
        self._shut_down(slots)

    def turn(self) -> None:
        for name, step in _steps():
            backoff = self.backoffs[name]
            if backoff.due():
                _attempt(step, backoff)
        beat = self.backoffs["heartbeat"]
        if beat.due():
            _attempt(lambda: heartbeat.beat(self.name, slots=self.concurrency,
                                            running=sorted(self.running.copy().values()), problem=self.problem()),
                     beat)

    def problem(self) -> str | None:
        outages = [f"{b.name}: {b.outage}" for b in [*self.backoffs.values(), *self.slot_backoffs]
                   if b.outage]
        return "; ".join(outages) or None

    def _slot(self, slot: int) -> None:
        backoff = self.slot_backoffs[slot]
        while not self.stopping.is_set():
            if not backoff.due():
                self.stopping.wait(backoff.wait())
                continue
            with self.app.app_context():
                worked = _attempt(lambda: self._one_job(slot), backoff)
            if not worked:
                self.stopping.wait(self.interval)

    def _one_job(self, slot: int) -> bool:
        if slot in self.unreleased:  # the database is back: the job this slot dropped is queued again
            jobs.release(self.unreleased[slot], "the worker lost the database while recording this job")
            del self.unreleased[slot]
        if self.stopping.is_set():
            return False
        job = jobs.take(self.name)
        if job is None:
            return False
        self.running[slot] = job.id
        try:
            jobs.run(job)
        except Exception:
            self.unreleased[slot] = self.running[slot]
            raise
        finally:
            del self.running[slot]
        return True

    def _shut_down(self, slots: list[threading.Thread]) -> None:
        grace = self.app.config["WORKER_SHUTDOWN_GRACE"]
        if self.running:
            log.warning("worker %s stopping: waiting up to %d s for job(s) %s", self.name, grace,
                        sorted(self.running.values()))
        deadline = time.monotonic() + grace
        for thread in slots:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self.app.app_context():
            for job_id in {*self.running.copy().values(), *self.unreleased.values()}:
                if _attempt(lambda: jobs.release(job_id, "released by a worker that was stopping")):
                    log.warning("job %s released: another worker will run it", job_id)
            _attempt(lambda: heartbeat.stopped(self.name))
        log.warning("worker %s stopped", self.name)
