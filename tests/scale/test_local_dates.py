"""received_on and closed_on, the local dates metrics count by, follow the times everywhere they are set."""
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from portal.auth.models import Role
from portal.extensions import db
from portal.record_requests import clock, groups, workflow
from portal.record_requests.models import RecordRequest, Status
from tests import factories as f

# 05:30 UTC is still the evening before in Los Angeles (the default AGENCY_TIMEZONE), and already
# the afternoon of the same day in Tokyo.
LATE = datetime(2026, 3, 2, 5, 30, tzinfo=timezone.utc)


def _dates(req_id: int) -> tuple:
    return db.session.execute(sa.select(RecordRequest.received_on, RecordRequest.closed_on)
                              .where(RecordRequest.id == req_id)).one()


def _insert(**times) -> int:
    """A request written as bulk loads and the scale seed write them: a plain INSERT."""
    requester, dept = f.user(), f.department()
    row = {"tracking_number": "1998-000001", "department_id": dept.id,
           "requester_id": requester.id, "title": "t", "description": "d", "status": Status.fulfilled,
           "clock_days": 20, "extension_days": 0, "paused_days": 0, **times}
    db.session.execute(sa.insert(RecordRequest), [row])
    db.session.commit()
    return db.session.scalar(sa.select(RecordRequest.id).where(RecordRequest.tracking_number == "1998-000001"))


def test_filing_closing_reopening_and_merging_keep_the_local_dates(ctx):
    staff_dept = f.department("police")
    staff = f.user(Role.staff, dept=staff_dept)
    req = f.request(dept=staff_dept)
    assert _dates(req.id) == (clock.local_date(req.received_at), None)
    workflow.close(staff, req.id, "fulfilled", "Here they are.")
    db.session.commit()
    assert _dates(req.id)[1] == clock.local_date(req.closed_at) is not None
    workflow.reopen(staff, req.id, "One more record.")
    db.session.commit()
    assert req.closed_at is None and _dates(req.id)[1] is None
    workflow.withdraw(req.requester, req.id)
    db.session.commit()
    assert _dates(req.id)[1] == clock.local_date(req.closed_at)
    dup, keep = f.request(dept=staff_dept), f.request(dept=staff_dept)
    groups.merge(staff, dup.id, keep.id, "same records")
    db.session.commit()
    assert _dates(dup.id)[1] == clock.local_date(dup.closed_at) is not None
    clock.set_closed(keep, LATE)
    db.session.commit()
    assert _dates(keep.id)[1] == date(2026, 3, 1)


def test_a_plain_insert_gets_the_local_dates_of_its_times(ctx):
    rid = _insert(received_at=LATE - timedelta(days=3), closed_at=LATE)
    assert _dates(rid) == (date(2026, 2, 26), date(2026, 3, 1))


def test_an_insert_without_times_gets_the_local_date_of_now(ctx):
    rid = _insert()  # received_at from its own default, in the same INSERT
    received_at = db.session.scalar(sa.select(RecordRequest.received_at).where(RecordRequest.id == rid))
    assert _dates(rid) == (clock.local_date(received_at), None)


def test_recompute_after_a_change_of_time_zone(ctx, runner):
    rid = _insert(received_at=LATE - timedelta(days=3), closed_at=LATE)
    ctx.config["AGENCY_TIMEZONE"] = "Asia/Tokyo"
    result = runner.invoke(args=["requests", "recompute-local-dates"])
    assert result.exit_code == 0, result.output
    assert "changed: 1 " in result.output
    db.session.expire_all()
    assert _dates(rid) == (date(2026, 2, 27), date(2026, 3, 2))
    again = runner.invoke(args=["requests", "recompute-local-dates"])
    assert "changed: 0 " in again.output


def test_migration_0010_fills_the_dates_of_existing_requests(ctx):
    from flask_migrate import downgrade, upgrade
    rid = _insert(received_at=LATE - timedelta(days=3), closed_at=LATE)
    open_id = f.request().id
    db.session.remove()
    downgrade(revision="0009")
    upgrade()
    assert _dates(rid) == (date(2026, 2, 26), date(2026, 3, 1))
    received_at = db.session.scalar(sa.select(RecordRequest.received_at).where(RecordRequest.id == open_id))
    assert _dates(open_id) == (clock.local_date(received_at), None)
