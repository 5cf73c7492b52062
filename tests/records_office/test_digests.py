"""Daily digests list exactly the requests that need each person, and go out once per day."""
from datetime import timedelta

from portal.auth.models import Role
from portal.extensions import db
from portal.digests import services as digests
from portal.digests.sending import send_all
from portal.record_requests import clock, routing, workflow
from portal.record_requests import deadlines as dl
from portal.record_requests.models import Status
from tests import factories as f


def _numbers(rows):
    return sorted(r.tracking_number for r in rows)


def _setup():
    dept = f.department("police")
    me, colleague = f.user(Role.staff, dept=dept), f.user(Role.staff, dept=dept)
    today = clock.today()

    def req(title, due, status=Status.in_progress, who=me):
        r = f.request(dept=dept, title=title)
        routing.assign(me if who is me else colleague, r.id, who)
        r.status, r.due_date = status, due
        db.session.commit()
        return r

    cast = {
        "overdue": req("Overdue one", today - timedelta(days=3)),
        "soon": req("Due today", today),
        "later": req("Due in two months", today + timedelta(days=60)),
        "unacknowledged": req("Not acknowledged yet", today + timedelta(days=60), Status.received),
        "replied": req("Requester answered", today + timedelta(days=60)),
        "colleague": req("Someone else's, overdue", today - timedelta(days=3), who=colleague),
        "closed": req("Closed and overdue", today - timedelta(days=3), Status.fulfilled),
    }
    workflow.message(cast["replied"].requester, cast["replied"].id, "Here is the date range you asked for.")
    f.commit()
    return me, colleague, today, cast


def test_the_staff_digest_lists_exactly_the_right_requests(ctx):
    me, colleague, today, c = _setup()
    d = digests.staff_digest(me, today)
    assert _numbers(d.overdue) == _numbers([c["overdue"]])
    assert _numbers(d.due_soon) == _numbers([c["soon"]])
    assert _numbers(d.waiting) == _numbers([c["unacknowledged"], c["replied"]])
    assert _numbers(d.new) == _numbers([c[k] for k in ("overdue", "soon", "later", "unacknowledged", "replied")])
    assert _numbers(digests.staff_digest(colleague, today).overdue) == _numbers([c["colleague"]])


def test_digests_are_sent_once_per_day(ctx, runner, mailbox):
    me, colleague, today, c = _setup()
    admin = f.user(Role.admin)
    mailbox.clear()
    out = runner.invoke(args=["digests", "send"])
    assert out.exit_code == 0 and "staff digests: 2; admin summaries: 1" in out.output
    body = mailbox.last_body(me.email)
    for key in ("overdue", "soon", "later", "unacknowledged", "replied"):
        assert c[key].tracking_number in body
    assert c["colleague"].tracking_number not in body and c["closed"].tracking_number not in body
    assert "Police: 6 open, 2 overdue, 1 due soon" in mailbox.last_body(admin.email)

    again = runner.invoke(args=["digests", "send"])
    assert "staff digests: 0; admin summaries: 0" in again.output
    assert len(mailbox.to(me.email)) == 1 and len(mailbox.to(admin.email)) == 1

    # The next day: a new digest, where only what was assigned since the last one is "new".
    fresh = f.request(dept=me.department, title="Assigned this morning")
    routing.assign(me, fresh.id, me)
    db.session.commit()
    counts = send_all(today + timedelta(days=1))
    assert counts["staff"] == 2
    tomorrow = digests.staff_digest(me, today + timedelta(days=1))
    assert _numbers(tomorrow.new) == _numbers([fresh])
    assert len(mailbox.to(me.email)) == 2 and fresh.tracking_number in mailbox.last_body(me.email)


def test_two_runs_racing_send_one_digest(ctx, mailbox):
    from portal.digests import sending
    me, colleague, today, c = _setup()
    mailbox.clear()
    assert sending._once(me, "staff", today, "s", "b") is True
    assert sending._once(me, "staff", today, "s", "b") is False  # the unique marker refuses it
    f.commit()
    assert len(mailbox.to(me.email)) == 1


def test_requesters_are_reminded_once_before_their_respond_by_date(ctx, app, mailbox):
    dept, staff, requester, req = f.scenario()
    workflow.send_fee_estimate(staff, req.id, "25.00", "Copies")
    f.commit()
    today = clock.today()
    req.paused_on = today - timedelta(days=app.config["REQUESTER_RESPOND_DAYS"] - 3)  # answer due in 3 days
    other = f.request(dept=dept)
    workflow.clarify(staff, other.id, "Which years?")  # just asked: not due for a reminder yet
    f.commit()
    mailbox.clear()
    assert send_all(today)["reminders"] == 1
    assert send_all(today)["reminders"] == 0
    assert send_all(today + timedelta(days=1))["reminders"] == 0  # once per respond-by date
    body = mailbox.last_body(requester.email)
    assert "fee estimate of 25.00" in body and (today + timedelta(days=3)).isoformat() in body
    assert len(mailbox.to(requester.email)) == 1 and mailbox.to(other.requester.email) == []


def test_the_digest_page(ctx, client):
    me, colleague, today, c = _setup()
    f.login(client, me.email)
    page = client.get("/staff/digest").get_data(as_text=True)
    assert c["overdue"].tracking_number in page and c["colleague"].tracking_number not in page


def test_the_worker_sends_the_day_s_digests_once_after_the_digest_hour(ctx, app, mailbox):
    from portal.worker import run_once
    me, colleague, today, c = _setup()
    mailbox.clear()
    app.config["DIGEST_HOUR"] = 0  # any time of day is past midnight
    office_open = dl.is_business_day(dl.law_for(None), today, clock.closures())
    first, second = run_once(), run_once()
    # On a weekend or holiday the worker sends staff no digest (the next test covers both cases).
    assert first["digests"]["staff"] == (2 if office_open else 0) and second["digests"] is None
    assert len(mailbox.to(me.email)) == (1 if office_open else 0)


def test_the_worker_sends_no_staff_digest_on_a_day_the_office_is_closed(app, ctx, mailbox):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from portal.digests.sending import send_if_due

    me, _, today, _ = _setup()
    zone, law = ZoneInfo(app.config["AGENCY_TIMEZONE"]), dl.law_for(None)
    at_nine = lambda day: datetime(day.year, day.month, day.day, 9, tzinfo=zone)  # noqa: E731
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    workday = dl.next_business_day(law, saturday)
    app.config["DIGEST_HOUR"] = 7
    mailbox.clear()

    weekend = send_if_due(at_nine(saturday))
    assert weekend["staff"] == 0 and weekend["admin"] == 0 and not mailbox.to(me.email)
    monday = send_if_due(at_nine(workday))
    assert monday["staff"] == 2 and len(mailbox.to(me.email)) == 1

    closed = dl.next_business_day(law, workday + timedelta(days=1))
    clock.add_closure(f.user(Role.admin), closed, "Office move")
    db.session.commit()
    assert send_if_due(at_nine(closed))["staff"] == 0 and len(mailbox.to(me.email)) == 1
