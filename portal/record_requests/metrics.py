"""Performance figures for staff and admins, and their CSV export.

Counted by the database (GROUP BY over the received_at and closed_at indexes), in the agency's
local months and days: PostgreSQL converts with its own time-zone data; SQLite, which has none,
calls `local_date` registered from Python. What comes back is a few hundred rows (a histogram of
days to close per month), whatever the number of requests.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from ..auth.models import Department, User
from ..core.export import safe_cell
from ..extensions import db
from . import clock
from .clock import OPEN_STATUSES
from .models import RecordRequest, Status


def median_of(histogram: Counter) -> float | int | None:
    """statistics.median of the values a {value: count} histogram stands for."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted, seen, lower = ((total - 1) // 2, total // 2), 0, None
    for value in sorted(histogram):
        count = histogram[value]
        if lower is None and seen + count > wanted[0]:
            lower = value
        if seen + count > wanted[1]:
            return value if total % 2 else (lower + value) / 2
        seen += count
    raise AssertionError("unreachable")


@dataclass
class Month:
    month: str
    received: int = 0
    closed: int = 0
    days_to_close: Counter = field(default_factory=Counter)   # days -> requests
    on_time: int = 0
    judged: int = 0

    @property
    def median_days(self) -> float | None:
        return median_of(self.days_to_close)

    @property
    def share_on_time(self) -> float | None:
        return round(self.on_time / self.judged, 3) if self.judged else None


@dataclass
class Metrics:
    months: list[Month]
    overdue_by_department: list[tuple[str, int]]
    median_days: float | None
    share_on_time: float | None


def _months(end: date, count: int) -> list[str]:
    y, m, out = end.year, end.month, []
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _local_day(column, zone: str, dialect: str):
    """The agency's local date of a UTC time, as SQL."""
    if dialect == "postgresql":
        # A literal, not a parameter: GROUP BY must see the same expression as the SELECT list.
        return sa.cast(sa.func.timezone(sa.literal_column("'" + zone.replace("'", "''") + "'"), column), sa.Date)
    return sa.func.local_date(column)


def _month(day, dialect: str):
    """'YYYY-MM' of a local date column."""
    if dialect == "postgresql":
        return sa.func.to_char(day, sa.literal_column("'YYYY-MM'"))
    return sa.func.substr(day, 1, 7)


def _rows(query, dialect: str):
    """A CTE of `query`; on PostgreSQL materialized, so that each row's time-zone conversions (the
    bulk of the cost) run once, not once for every expression that uses them."""
    cte = query.cte("local_rows")
    return cte.prefix_with("MATERIALIZED") if dialect == "postgresql" else cte


def _register_local_date(zone: str) -> None:
    """SQLite has no time-zone data: give this connection a local_date(stored UTC time)."""
    tz = ZoneInfo(zone)

    def local_date(value):
        if value is None:
            return None
        moment = datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
        return moment.astimezone(tz).date().isoformat()
    db.session.connection().connection.dbapi_connection.create_function(
        "local_date", 1, local_date, deterministic=True)


def compute(actor: User, months: int = 12) -> Metrics:
    """Received and closed per month, median days to close, share closed on time (withdrawn
    requests are left out of both: the agency did not answer them), and overdue by department."""
    today = clock.today()
    labels = _months(today, months)
    by_month = {label: Month(label) for label in labels}
    scope = [] if actor.is_admin else [RecordRequest.department_id == actor.department_id]
    zone, dialect = current_app.config["AGENCY_TIMEZONE"], db.session.get_bind().dialect.name
    if dialect == "sqlite":
        _register_local_date(zone)
    # Local midnight of the first month's first day.
    first = datetime(int(labels[0][:4]), int(labels[0][5:]), 1, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)
    received = _rows(sa.select(_local_day(RecordRequest.received_at, zone, dialect).label("day"))
                     .where(*scope, RecordRequest.received_at >= first), dialect)
    received_month = _month(received.c.day, dialect)
    for month, count in db.session.execute(
            sa.select(received_month, sa.func.count()).group_by(received_month)):
        if (m := by_month.get(month)) is not None:
            m.received = count
    # Withdrawn and duplicate requests count as closed, but not in days to close or on time.
    closed = _rows(sa.select(
        _local_day(RecordRequest.closed_at, zone, dialect).label("closed"),
        _local_day(RecordRequest.received_at, zone, dialect).label("received"),
        RecordRequest.status.not_in([Status.withdrawn, Status.duplicate]).label("answered"),
        RecordRequest.due_date).where(*scope, RecordRequest.closed_at >= first), dialect)
    days = (closed.c.closed - closed.c.received if dialect == "postgresql"
            else sa.cast(sa.func.julianday(closed.c.closed) - sa.func.julianday(closed.c.received), sa.Integer))
    on_time = sa.case((closed.c.due_date.is_(None), None), else_=closed.c.closed <= closed.c.due_date)
    keys = (_month(closed.c.closed, dialect), closed.c.answered, days, on_time)
    all_days, on_time_total, judged_total = Counter(), 0, 0
    for month, was_answered, n_days, in_time, count in db.session.execute(
            sa.select(*keys, sa.func.count()).group_by(*keys)):
        if (m := by_month.get(month)) is None:
            continue
        m.closed += count
        if not was_answered:
            continue
        m.days_to_close[n_days] += count
        all_days[n_days] += count
        if in_time is not None:
            m.judged += count
            m.on_time += count if in_time else 0
            judged_total += count
            on_time_total += count if in_time else 0
    overdue = db.session.execute(
        sa.select(Department.name, sa.func.count(RecordRequest.id))
        .join(Department, Department.id == RecordRequest.department_id)
        .where(*scope, RecordRequest.status.in_(OPEN_STATUSES), RecordRequest.paused_on.is_(None),
               RecordRequest.due_date < today)
        .group_by(Department.name).order_by(Department.name)).all()
    return Metrics(list(by_month.values()), [(n, c) for n, c in overdue], median_of(all_days),
                   round(on_time_total / judged_total, 3) if judged_total else None)


def to_csv(m: Metrics) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["month", "received", "closed", "median_days_to_close", "share_on_time"])
    for row in m.months:
        w.writerow([safe_cell(v) for v in (row.month, row.received, row.closed, row.median_days,
                                           row.share_on_time)])
    w.writerow([])
    w.writerow(["department", "overdue"])
    for name, count in m.overdue_by_department:
        w.writerow([safe_cell(name), safe_cell(count)])
    return out.getvalue()
