"""Performance figures for staff and admins, and their CSV export.

Counted by the database (GROUP BY over covering indexes of received_on and closed_on, the local
dates stored with each request: converting a year of UTC times at every view was most of the
cost), in the agency's local months and days. What comes back is a few hundred rows (a histogram
of days to close per month), whatever the number of requests.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

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


def _month(day, dialect: str):
    """The month of a date column, as SQL whose str() starts with 'YYYY-MM' (a truncated timestamp
    on PostgreSQL, where to_char cost more than the rest of the counting; text on SQLite)."""
    if dialect == "postgresql":
        return sa.func.date_trunc(sa.literal_column("'month'"), sa.cast(day, sa.DateTime))
    return sa.func.substr(day, 1, 7)


def compute(actor: User, months: int = 12) -> Metrics:
    """Received and closed per month, median days to close, share closed on time (withdrawn
    requests are left out of both: the agency did not answer them), and overdue by department."""
    today = clock.today()
    labels = _months(today, months)
    by_month = {label: Month(label) for label in labels}
    scope = [] if actor.is_admin else [RecordRequest.department_id == actor.department_id]
    dialect = db.session.get_bind().dialect.name
    first = date(int(labels[0][:4]), int(labels[0][5:]), 1)
    received_month = _month(RecordRequest.received_on, dialect)
    for month, count in db.session.execute(
            sa.select(received_month, sa.func.count()).where(*scope, RecordRequest.received_on >= first)
            .group_by(received_month)):
        if (m := by_month.get(str(month)[:7])) is not None:
            m.received = count
    # Withdrawn and duplicate requests count as closed, but not in days to close or on time.
    closed, received, due = RecordRequest.closed_on, RecordRequest.received_on, RecordRequest.due_date
    days = (closed - received if dialect == "postgresql"
            else sa.cast(sa.func.julianday(closed) - sa.func.julianday(received), sa.Integer))
    answered = RecordRequest.status.not_in([Status.withdrawn, Status.duplicate])
    keys = (_month(closed, dialect), days)
    all_days, on_time_total, judged_total = Counter(), 0, 0
    for month, n_days, n_closed, n_answered, n_judged, n_on_time in db.session.execute(
            sa.select(*keys, sa.func.count(), sa.func.count().filter(answered),
                      sa.func.count().filter(answered, due.is_not(None)),
                      sa.func.count().filter(answered, closed <= due))
            .where(*scope, closed >= first).group_by(*keys)):
        if (m := by_month.get(str(month)[:7])) is None:
            continue
        m.closed += n_closed
        if n_answered:
            m.days_to_close[n_days] += n_answered
            all_days[n_days] += n_answered
        m.judged += n_judged
        m.on_time += n_on_time
        judged_total += n_judged
        on_time_total += n_on_time
    overdue = db.session.execute(
        sa.select(Department.name, sa.func.count()).select_from(RecordRequest)
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
