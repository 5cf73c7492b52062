"""Performance figures for staff and admins, and their CSV export."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from statistics import median

import sqlalchemy as sa

from ..auth.models import Department, User
from ..core.export import safe_cell
from ..extensions import db
from . import clock
from .clock import OPEN_STATUSES
from .models import RecordRequest, Status


@dataclass
class Month:
    month: str
    received: int = 0
    closed: int = 0
    days_to_close: list[int] = field(default_factory=list)
    on_time: int = 0
    judged: int = 0

    @property
    def median_days(self) -> float | None:
        return median(self.days_to_close) if self.days_to_close else None

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


def compute(actor: User, months: int = 12) -> Metrics:
    """Received and closed per month, median days to close, share closed on time (withdrawn
    requests are left out of both: the agency did not answer them), and overdue by department."""
    today = clock.today()
    labels = _months(today, months)
    by_month = {label: Month(label) for label in labels}
    scope = [] if actor.is_admin else [RecordRequest.department_id == actor.department_id]
    first = datetime(int(labels[0][:4]), int(labels[0][5:]), 1, tzinfo=timezone.utc)
    rows = db.session.execute(sa.select(RecordRequest.received_at, RecordRequest.closed_at,
                                        RecordRequest.due_date, RecordRequest.status)
                              .where(*scope, sa.or_(RecordRequest.received_at >= first,
                                                    RecordRequest.closed_at >= first)))
    all_days, on_time, judged = [], 0, 0
    for received_at, closed_at, due, status in rows:
        got = clock.local_date(received_at)
        if (m := by_month.get(got.strftime("%Y-%m"))) is not None:
            m.received += 1
        if closed_at is None or (m := by_month.get(clock.local_date(closed_at).strftime("%Y-%m"))) is None:
            continue
        m.closed += 1
        if status in (Status.withdrawn, Status.duplicate):  # answered elsewhere, or not at all
            continue
        closed = clock.local_date(closed_at)
        m.days_to_close.append((closed - got).days)
        all_days.append((closed - got).days)
        if due is not None:
            m.judged += 1
            m.on_time += closed <= due
            judged, on_time = judged + 1, on_time + (closed <= due)
    overdue = db.session.execute(
        sa.select(Department.name, sa.func.count(RecordRequest.id))
        .join(Department, Department.id == RecordRequest.department_id)
        .where(*scope, RecordRequest.status.in_(OPEN_STATUSES), RecordRequest.paused_on.is_(None),
               RecordRequest.due_date < today)
        .group_by(Department.name).order_by(Department.name)).all()
    return Metrics(list(by_month.values()), [(n, c) for n, c in overdue],
                   median(all_days) if all_days else None,
                   round(on_time / judged, 3) if judged else None)


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
