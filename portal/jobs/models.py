"""Background jobs in the database, taken by `flask worker` processes."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import UTCDateTime, utcnow
from ..extensions import db


class JobState(str, enum.Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (sa.Index("ix_jobs_state_run_after", "state", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    ref: Mapped[int] = mapped_column(sa.Integer)            # the row the job works on
    state: Mapped[JobState] = mapped_column(
        sa.Enum(JobState, native_enum=False, create_constraint=False, length=16),
        server_default=JobState.queued.value)
    attempts: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    error: Mapped[Optional[str]] = mapped_column(sa.Text)
    worker: Mapped[Optional[str]] = mapped_column(sa.String(200))  # the heartbeat name of who runs it


class WorkerHeartbeat(db.Model):
    """One row per `flask worker` process, touched every turn of its loop: an operator (and the
    admin pages) can tell a worker that stopped from one that is merely idle."""
    __tablename__ = "worker_heartbeats"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)   # host:pid
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    stopped_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    slots: Mapped[int] = mapped_column(sa.Integer, server_default="1")
    running: Mapped[str] = mapped_column(sa.String(400), server_default="")  # job ids, comma-separated
    problem: Mapped[Optional[str]] = mapped_column(sa.Text)                  # the outage it is waiting out
