"""The metrics counted by the database equal the row-by-row Python computation they replaced."""
from datetime import datetime, timedelta, timezone
from statistics import median

import sqlalchemy as sa

from portal.auth.models import Department, Role
from portal.extensions import db
from portal.record_requests import clock, metrics
from portal.record_requests.clock import OPEN_STATUSES
from portal.record_requests.models import RecordRequest, Status
from tests import factories as f


def python_metrics(actor, months=12):
    """metrics.compute as it was before migration 0009: every row read and counted in Python."""
    today = clock.today()
    labels = metrics._months(today, months)
    by_month = {label: {"received": 0, "closed": 0, "days": [], "on_time": 0, "judged": 0} for label in labels}
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
            m["received"] += 1
        if closed_at is None or (m := by_month.get(clock.local_date(closed_at).strftime("%Y-%m"))) is None:
            continue
        m["closed"] += 1
        if status in (Status.withdrawn, Status.duplicate):
            continue
        closed = clock.local_date(closed_at)
        m["days"].append((closed - got).days)
        all_days.append((closed - got).days)
        if due is not None:
            m["judged"] += 1
            m["on_time"] += closed <= due
            judged, on_time = judged + 1, on_time + (closed <= due)
    overdue = db.session.execute(
        sa.select(Department.name, sa.func.count(RecordRequest.id))
        .join(Department, Department.id == RecordRequest.department_id)
        .where(*scope, RecordRequest.status.in_(OPEN_STATUSES), RecordRequest.paused_on.is_(None),
               RecordRequest.due_date < today).group_by(Department.name).order_by(Department.name)).all()
    return ([(k, v["received"], v["closed"], median(v["days"]) if v["days"] else None,
              round(v["on_time"] / v["judged"], 3) if v["judged"] else None) for k, v in by_month.items()],
            [tuple(r) for r in overdue], median(all_days) if all_days else None,
            round(on_time / judged, 3) if judged else None)


def as_tuple(m):
    return ([(r.month, r.received, r.closed, r.median_days, r.share_on_time) for r in m.months],
            m.overdue_by_department, m.median_days, m.share_on_time)


def test_sql_metrics_equal_the_python_computation(ctx):
    police, works = f.department("police"), f.department("works")
    staff, admin, requester = f.user(Role.staff, dept=police), f.user(Role.admin), f.user()
    now = clock.utcnow()
    statuses = [Status.fulfilled, Status.denied, Status.withdrawn, Status.duplicate, Status.received,
                Status.in_progress, Status.partially_fulfilled, Status.no_responsive_records]
    rows = []
    for i in range(240):
        # Received over 15 months at odd hours (some late evening locally: the UTC date differs),
        # closed 0 to 40 days later, due 5 to 30 days after receipt, some undated.
        received = now - timedelta(days=5 + (i * 37) % 450, hours=(i * 5) % 24, minutes=i % 60)
        status = statuses[i % len(statuses)]
        closed = received + timedelta(days=(i * 7) % 41, hours=(i * 3) % 24) if status.closed else None
        if closed and closed > now:
            closed = now - timedelta(minutes=1)
        rows.append({"tracking_number": f"1997-{i:06d}", "department_id": (police, works)[i % 2].id,
                     "requester_id": requester.id, "title": "t", "description": "d", "status": status,
                     "received_at": received, "closed_at": closed,
                     "due_date": None if i % 9 == 0 else clock.local_date(received) + timedelta(days=5 + i % 26),
                     "clock_days": 20, "extension_days": 0, "paused_days": 0})
    db.session.execute(sa.insert(RecordRequest), rows)
    db.session.commit()
    for who in (admin, staff):
        got, want = as_tuple(metrics.compute(who)), python_metrics(who)
        assert got == want
        assert sum(r[2] for r in got[0]) > 50 and got[1]  # enough closed rows and some overdue
    assert metrics.median_of(__import__("collections").Counter({1: 2, 4: 2})) == 2.5 == median([1, 1, 4, 4])
