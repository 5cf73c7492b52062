"""The clock kept in the database: pauses, FOIL's acknowledgment, closure days, transfers, nightly run."""
from datetime import timedelta

from portal import mail
from portal.auth.models import Role
from portal.extensions import db
from portal.record_requests import clock, routing, workflow
from portal.record_requests import deadlines as dl
from portal.record_requests.models import RecordRequest, Status
from tests import factories as f


def _paused_a_week_ago(req):
    req.status, req.paused_on = Status.awaiting_requester, clock.today() - timedelta(days=7)
    db.session.commit()


def test_resume_moves_the_due_date_by_the_paused_days(ctx):
    staff_cpra = f.user(Role.staff, dept=f.department("cpra-dept", law="cpra"))
    cpra = f.request(dept=staff_cpra.department)
    _paused_a_week_ago(cpra)
    workflow.resume(staff_cpra, cpra.id)
    # Cal. Gov. Code 7922.535(a): calendar days, so a week's pause gives back 7 days.
    assert cpra.paused_days == 7 and cpra.paused_on is None
    assert cpra.due_date == dl.due_date(dl.LAWS["cpra"], cpra.clock_start, 17)

    staff_foia = f.user(Role.staff, dept=f.department("foia-dept", law="foia"))
    foia = f.request(dept=staff_foia.department)
    _paused_a_week_ago(foia)
    paused_on = foia.paused_on
    workflow.message(foia.requester, foia.id, "Here is the clarification.")
    # 5 U.S.C. 552(a)(6)(A)(ii)(II): the business days paused are given back.
    given = dl.paused_units(dl.LAWS["foia"], paused_on, clock.today())
    assert foia.status == Status.in_progress and foia.paused_days == given
    assert foia.due_date == dl.due_date(dl.LAWS["foia"], foia.clock_start, 20 + given)


def test_foil_acknowledgment_restarts_the_clock(ctx):
    staff = f.user(Role.staff, dept=f.department("foil-dept", law="foil"))
    req = f.request(dept=staff.department)
    assert req.clock_days == 5
    workflow.acknowledge(staff, req.id)
    # N.Y. Pub. Off. Law 89(3)(a): an approximate date within 20 business days of the acknowledgment.
    assert (req.clock_start, req.clock_days) == (clock.today(), 20)
    assert req.due_date == dl.due_date(dl.LAWS["foil"], clock.today(), 20)


def test_closure_days_move_open_due_dates(client, ctx):
    admin = f.user(Role.admin)
    req = f.request(dept=f.department("police", law="foia"))
    closed = f.request(dept=req.department, status=Status.fulfilled)
    before, closed_due = req.due_date, closed.due_date
    day = dl.add_business_days(dl.LAWS["foia"], clock.today(), 1)
    f.login(client, admin.email)
    r = f.post_form(client, "/admin/closures", "/admin/closures", {"day": day.isoformat(), "reason": "Storm"})
    assert r.status_code == 302
    db.session.expire_all()
    req, closed = db.session.get(RecordRequest, req.id), db.session.get(RecordRequest, closed.id)
    assert req.due_date == dl.add_business_days(dl.LAWS["foia"], before, 1)
    assert closed.due_date == closed_due  # a closed request's clock has stopped
    again = f.post_form(client, "/admin/closures", "/admin/closures", {"day": day.isoformat(), "reason": "x"})
    assert again.status_code == 409
    from portal.record_requests.models import AgencyClosure
    closure = db.session.scalar(db.select(AgencyClosure))
    assert f.post_form(client, "/admin/closures", f"/admin/closures/{closure.id}/delete", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(RecordRequest, req.id).due_date == before


def test_transfer_to_another_law_restarts_its_clock(ctx, mailbox):
    foia = f.department("feds", law="foia")
    staff = f.user(Role.staff, dept=foia)
    req = f.request(dept=foia)
    workflow.extend(staff, req.id, 10, "Unusual circumstances.")
    routing.transfer(staff, req.id, f.department("state", law="cpra"), "They keep these records.")
    db.session.commit()
    mail.deliver_pending_after_commit()
    assert req.extension_days == 0 and req.clock_days == 10
    assert req.due_date == dl.due_date(dl.LAWS["cpra"], req.clock_start, 10)
    assert "They keep these records" in mailbox.last_body(req.requester.email)


def test_refresh_deadlines_mails_assignees(runner, ctx, mailbox):
    dept = f.department("police")
    staff = f.user(Role.staff, dept=dept)
    late = f.request(dept=dept, title="Late one")
    late.assignee = staff
    late.clock_start = clock.today() - timedelta(days=60)
    legacy = f.request(dept=dept)
    legacy.clock_start, legacy.due_date = None, None  # filed before the clock existed
    db.session.commit()
    r = runner.invoke(args=["requests", "refresh-deadlines"])
    assert r.exit_code == 0, r.output
    assert "overdue: 1" in r.output and "assignees e-mailed: 1" in r.output
    assert late.tracking_number in mailbox.last_body(staff.email)
    db.session.expire_all()
    assert db.session.get(RecordRequest, legacy.id).due_date is not None
