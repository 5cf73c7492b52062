"""The staff queue: scope, filters, search by each field, bulk assignment, constant queries."""
from datetime import timedelta

import sqlalchemy as sa

from portal.auth.models import Role
from portal.extensions import db
from portal.record_requests import clock, queue
from portal.record_requests.models import RecordRequest, Status
from tests import factories as f


def _numbers(actor, **args):
    page = queue.search(actor, queue.parse(args), 50)
    return {r.req.tracking_number for r in page.rows}


def test_scope_filters_and_search_by_each_field(ctx):
    police, works = f.department("police"), f.department("works")
    staff, admin = f.user(Role.staff, dept=police), f.user(Role.admin)
    alice = f.user(email="alice.jones@example.org")
    alice.name = "Alice Jones"
    a = f.request(requester=alice, dept=police, title="Overtime ledgers",
                  description="Payroll overtime ledgers for sergeants.")
    b = f.request(dept=police, title="Dispatch logs", description="Radio dispatch logs, March.")
    c = f.request(dept=works, title="Pothole complaints", description="Complaints about potholes.")
    b.status, b.assignee = Status.fulfilled, staff
    a.due_date = clock.today() - timedelta(days=3)
    db.session.commit()
    assert _numbers(staff) == {a.tracking_number}  # open, own department
    assert _numbers(staff, status="all") == {a.tracking_number, b.tracking_number}
    assert _numbers(admin, status="all") == {a.tracking_number, b.tracking_number, c.tracking_number}
    assert _numbers(admin, status="all", department="works") == {c.tracking_number}
    assert _numbers(staff, status="closed", assignee="me") == {b.tracking_number}
    assert _numbers(staff, status="all", assignee="none") == {a.tracking_number}
    assert _numbers(staff, due="overdue") == {a.tracking_number}
    assert _numbers(staff, due="soon") == set()
    for q in [a.tracking_number, "OVERTIME", "sergeants", "alice jones", "alice.jones@example"]:
        assert _numbers(admin, status="all", q=q) == {a.tracking_number}, q
    assert _numbers(admin, status="all", q="100%_") == set()  # LIKE wildcards are literal


def test_queue_page_and_bulk_assign(client, ctx):
    police = f.department("police")
    staff, colleague = f.user(Role.staff, dept=police), f.user(Role.staff, dept=police)
    outsider = f.request(dept=f.department("works"))
    reqs = [f.request(dept=police, title=f"Request {i}") for i in range(3)]
    f.login(client, staff.email)
    page = client.get("/staff/requests?q=Request&sort=-received")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and all(r.tracking_number in html for r in reqs)
    assert outsider.tracking_number not in html and "<script" not in html and "style=" not in html
    assert client.get("/staff/requests?status=bogus").status_code == 400
    ids = [str(r.id) for r in reqs[:2]]
    r = f.post_form(client, "/staff/requests", "/staff/requests/assign",
                    {"ids": ids, "assignee": str(colleague.id)})
    assert r.status_code == 302
    db.session.expire_all()
    assert [db.session.get(RecordRequest, int(i)).assignee_id for i in ids] == [colleague.id] * 2
    r = f.post_form(client, "/staff/requests", "/staff/requests/assign",
                    {"ids": [str(reqs[2].id), str(outsider.id)], "assignee": str(colleague.id)})
    assert r.status_code == 404  # all or nothing: someone else's request refuses the batch
    db.session.expire_all()
    assert db.session.get(RecordRequest, reqs[2].id).assignee_id is None


def _bulk_requests(dept, requester, count):
    now = clock.utcnow()
    db.session.execute(sa.insert(RecordRequest), [
        {"tracking_number": f"1999-{i:06d}", "department_id": dept.id, "requester_id": requester.id,
         "title": f"Bulk {i}", "description": "d", "status": Status.received, "received_at": now,
         "due_date": clock.today(), "clock_days": 20, "extension_days": 0, "paused_days": 0,
         "assignee_id": requester.id if i % 2 else None}
        for i in range(count)])
    db.session.commit()


def test_queue_page_queries_do_not_grow_with_rows(app, client, ctx):
    dept = f.department("police")
    admin = f.user(Role.admin, dept=dept)
    f.login(client, admin.email)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def queries_for(n):
        db.session.execute(sa.delete(RecordRequest))
        db.session.commit()
        _bulk_requests(dept, admin, n)
        statements.clear()
        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", count)
            try:
                assert client.get("/staff/requests").status_code == 200
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    small, large = queries_for(5), queries_for(50)
    assert small == large and 3 <= small <= 12, (small, large)
