"""`flask worker status` and the admin pages' line when no worker has been seen (issue 21, item 1)."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.auth.models import Role
from portal.core.models import utcnow
from portal.extensions import db
from portal.jobs import heartbeat
from portal.jobs.models import WorkerHeartbeat
from portal.jobs.services import enqueue
from tests import factories as f

ALERT = "No background worker has been seen"


def test_no_worker_ever_is_reported_and_shown_to_admins(ctx, client, runner):
    result = runner.invoke(args=["worker", "status"])
    assert result.exit_code == 1
    assert "no worker has ever run against this database" in result.output
    admin = f.user(Role.admin)
    f.login(client, admin.email)
    page = client.get("/admin/users").get_data(as_text=True)
    assert f"{ALERT} yet" in page


def test_a_recent_heartbeat_is_listed_and_silences_the_alert(ctx, app, client, runner):
    enqueue("make_copy", 1)
    heartbeat.beat("records-1:4242", slots=2, running=[7], problem="scanned: OperationalError: database is locked")
    db.session.commit()
    result = runner.invoke(args=["worker", "status"])
    assert result.exit_code == 0, result.output
    assert "records-1:4242: running; seen 0 s ago; 2 slot(s); jobs now: 7; waiting out: scanned: " in result.output
    assert "jobs: 1 queued, 0 running, 0 done, 0 failed" in result.output
    admin = f.user(Role.admin)
    f.login(client, admin.email)
    assert ALERT not in client.get("/admin/users").get_data(as_text=True)
    requester, theirs = f.user(), app.test_client()
    f.login(theirs, requester.email)
    db.session.execute(sa.delete(WorkerHeartbeat))
    db.session.commit()
    assert ALERT not in theirs.get("/me/files").get_data(as_text=True)   # admins' pages only
    assert ALERT in client.get("/admin/users").get_data(as_text=True)


def test_a_worker_silent_for_more_than_5_minutes_is_an_alert(ctx, client, runner):
    heartbeat.beat("records-1:4242", slots=2, running=[], problem=None)
    db.session.commit()
    db.session.execute(sa.update(WorkerHeartbeat).values(seen_at=utcnow() - timedelta(minutes=6)))
    db.session.commit()
    result = runner.invoke(args=["worker", "status"])
    assert result.exit_code == 1 and "no worker seen within 300 s" in result.output
    admin = f.user(Role.admin)
    f.login(client, admin.email)
    assert f"{ALERT} since " in client.get("/admin/users").get_data(as_text=True)
