"""Rate limits kept in the database, so several app servers share the counters."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .errors import TooManyAttempts
from .models import UTCDateTime, utcnow


class RateHit(db.Model):
    __tablename__ = "rate_hits"
    __table_args__ = (sa.Index("ix_rate_hits_bucket_at", "bucket", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(sa.String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def hits(bucket: str, window: int, now: datetime | None = None) -> int:
    since = (now or utcnow()) - timedelta(seconds=window)
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(RateHit)
        .where(RateHit.bucket == bucket, RateHit.at > since)) or 0


def check(bucket: str, limit: tuple[int, int]) -> None:
    """Raise TooManyAttempts when the bucket is full; does not count a hit."""
    count, window = limit
    if hits(bucket, window) >= count:
        raise TooManyAttempts(retry_after=window)


def hit(bucket: str) -> RateHit:
    row = RateHit(bucket=bucket)
    db.session.add(row)
    return row


def take(bucket: str, limit: tuple[int, int]) -> RateHit:
    """Check and count in one step, so that simultaneous attempts cannot all pass a check made
    before any of them was counted. Callers for one bucket go one at a time until the request
    ends: PostgreSQL by a transaction-level advisory lock on the bucket, SQLite by its write lock,
    taken by writing the hit before counting. A refused attempt rolls back with its request and
    is not counted."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(bucket.encode()).digest()[:8], "big", signed=True)
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
        if hits(bucket, limit[1]) >= limit[0]:
            raise TooManyAttempts(retry_after=limit[1])
        row = hit(bucket)
        session.flush()
        return row
    row = hit(bucket)
    session.flush()
    if hits(bucket, limit[1]) > limit[0]:  # our own hit included
        raise TooManyAttempts(retry_after=limit[1])
    return row


def clear(bucket: str) -> None:
    db.session.execute(sa.delete(RateHit).where(RateHit.bucket == bucket))


def prune(older_than: int = 86400) -> int:
    cutoff = utcnow() - timedelta(seconds=older_than)
    return db.session.execute(sa.delete(RateHit).where(RateHit.at < cutoff)).rowcount
