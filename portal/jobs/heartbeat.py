"""Worker heartbeats: each `flask worker` touches its row every turn; `flask worker status` and
the admin pages read them."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..core.models import utcnow
from ..extensions import db
from .models import Job, JobState, WorkerHeartbeat


def beat(name: str, *, slots: int, running: list[int], problem: str | None) -> None:
    row = db.session.scalar(sa.select(WorkerHeartbeat).where(WorkerHeartbeat.name == name))
    if row is None:
        row = WorkerHeartbeat(name=name, started_at=utcnow())
        db.session.add(row)
    row.seen_at, row.stopped_at, row.slots = utcnow(), None, slots
    row.running, row.problem = ",".join(map(str, running))[:400], problem


def stopped(name: str) -> None:
    db.session.execute(sa.update(WorkerHeartbeat).where(WorkerHeartbeat.name == name)
                       .values(seen_at=utcnow(), stopped_at=utcnow(), running=""))


def last_seen() -> datetime | None:
    return db.session.scalar(sa.select(sa.func.max(WorkerHeartbeat.seen_at)))


def missing_since() -> datetime | str | None:
    """None while some worker was seen recently; else when one was last seen ("never" if none
    ever was). What the admin pages warn about."""
    seen = last_seen()
    if seen is None:
        return "never"
    limit = timedelta(seconds=current_app.config["WORKER_MISSING_SECONDS"])
    return seen if utcnow() - seen > limit else None


def report() -> dict:
    workers = db.session.scalars(sa.select(WorkerHeartbeat).order_by(WorkerHeartbeat.seen_at.desc())).all()
    counts = dict(db.session.execute(sa.select(Job.state, sa.func.count()).group_by(Job.state)).all())
    return {"workers": workers, "missing_since": missing_since(),
            "jobs": {state.value: counts.get(state, 0) for state in JobState}}


def install(app) -> None:
    app.jinja_env.globals["worker_missing_since"] = missing_since
