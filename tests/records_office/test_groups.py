"""One filing to several departments, splitting, and merging duplicates whose requesters stay informed."""
import sqlalchemy as sa

from portal.auth.models import Role
from portal.extensions import db
from portal.record_requests import deadlines as dl
from portal.record_requests import groups, services, workflow
from portal.record_requests.models import RecordRequest, Status
from tests import factories as f


def test_a_request_to_three_departments_makes_three_linked_requests_with_their_own_deadlines(ctx, client, mailbox):
    police, works, clerk = f.department("police", "foia"), f.department("works", "cpra"), f.department("clerk", "foil")
    requester = f.user()
    r = client.post("/api/v1/requests", headers=f.token_for(requester),
                    json={"departments": ["police", "works", "clerk"], "title": "Parade permits",
                          "description": "Permits and plans for the May parade."})
    assert r.status_code == 201
    body = r.get_json()
    assert body["department"] == "police" and len(body["group"]["requests"]) == 3
    reqs = db.session.scalars(sa.select(RecordRequest).order_by(RecordRequest.id)).all()
    assert [q.department.slug for q in reqs] == ["police", "works", "clerk"]
    assert len({q.tracking_number for q in reqs}) == 3 and len({q.group_id for q in reqs}) == 1
    start = reqs[0].clock_start
    assert [q.due_date for q in reqs] == [dl.due_date(dl.LAWS["foia"], start, 20), dl.due_date(dl.LAWS["cpra"], start, 10),
                                          dl.due_date(dl.LAWS["foil"], start, 5)]
    f.commit()
    mails = mailbox.to(requester.email)
    assert len(mails) == 1 and all(q.tracking_number in mails[0].get_content() for q in reqs)

    # Each department works on its own request; the requester sees all three on one page.
    staff = f.user(Role.staff, dept=works)
    workflow.acknowledge(staff, reqs[1].id)
    f.commit()
    f.login(client, requester.email)
    page = client.get(f"/requests/groups/{reqs[0].group_id}").get_data(as_text=True)
    assert all(q.tracking_number in page for q in reqs) and "Acknowledged" in page
    # A staff member of one department sees only their own department's request in the group.
    other = client.application.test_client()
    f.login(other, staff.email)
    page = other.get(f"/requests/groups/{reqs[0].group_id}").get_data(as_text=True)
    assert reqs[1].tracking_number in page and reqs[0].tracking_number not in page and "2 more requests" in page


def test_the_single_department_contract_is_unchanged(ctx, client):
    f.department("police")
    r = client.post("/api/v1/requests", headers=f.token_for(f.user()),
                    json={"department": "police", "title": "T", "description": "D"})
    assert r.status_code == 201 and "group" not in r.get_json()
    bad = client.post("/api/v1/requests", headers=f.token_for(f.user()),
                      json={"departments": ["police", "nowhere"], "title": "T", "description": "D"})
    assert bad.status_code == 400 and "department" in bad.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecordRequest)) == 1


def test_filing_to_several_departments_on_the_web_form(ctx, client):
    f.department("police"), f.department("works")
    requester = f.user()
    f.login(client, requester.email)
    r = f.post_form(client, "/requests/new", "/requests/new",
                    {"department": ["police", "works"], "title": "Overtime", "description": "All of 2025."})
    assert r.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecordRequest)) == 2


def test_staff_split_a_request_into_other_departments(ctx, mailbox):
    dept, staff, requester, req = f.scenario()
    works = f.department("works", "cpra")
    made = groups.split(staff, req.id, [works], "Public Works keeps the paving files.")
    f.commit()
    new = made[0]
    assert new.department == works and new.requester == requester and new.group_id == req.group_id is not None
    assert new.tracking_number != req.tracking_number and new.received_at == req.received_at
    assert new.due_date == dl.due_date(dl.LAWS["cpra"], req.clock_start, 10)
    assert new.tracking_number in mailbox.last_body(requester.email)


def test_merging_keeps_both_requesters_informed(ctx, client, mailbox):
    dept, staff, first, keep = f.scenario()
    second = f.user()
    dup = f.request_for(second, dept, title="Police budget 2025 (again)")
    into = groups.merge(staff, dup.id, keep.id, "Same records.")
    f.commit()
    assert dup.status == Status.duplicate and dup.duplicate_of_id == keep.id and into.id == keep.id
    assert keep.tracking_number in mailbox.last_body(second.email)

    # The merged requester sees the surviving request and is e-mailed its public steps.
    mailbox.clear()
    workflow.message(staff, keep.id, "We found the budget memos.")
    f.commit()
    assert "budget memos" in mailbox.last_body(first.email)
    assert "budget memos" in mailbox.last_body(second.email)
    assert "merged into this one" in mailbox.last_body(second.email)
    assert services.get_for(second, keep.id) == keep
    # ... and internal notes stay internal.
    mailbox.clear()
    workflow.note(staff, keep.id, "Check with finance.")
    f.commit()
    assert mailbox.to(second.email) == []

    # Records released on the surviving request reach the merged requester too.
    rec = f.upload(staff, keep, b"Budget memo text.\n")
    from portal.disclosures.services import create_release
    release = create_release(staff, keep.id, [rec.id])
    assert {g.recipient_id for g in release.grants} == {first.id, second.id}

    # A merged request cannot be reopened, nor a request merged into a closed one.
    import pytest

    from portal.core.errors import Conflict
    with pytest.raises(Conflict):
        workflow.reopen(staff, dup.id, "Oops")
    workflow.close(staff, keep.id, "fulfilled")
    third = f.request_for(f.user(), dept)
    with pytest.raises(Conflict):
        groups.merge(staff, third.id, keep.id, "")


def test_merging_needs_staff_of_both_departments(ctx):
    dept, staff, requester, req = f.scenario()
    other = f.request(dept=f.department())
    import pytest

    from portal.core.errors import Invalid, NotFound
    with pytest.raises(Invalid):
        groups.merge(staff, req.id, other.id, "")
    with pytest.raises(NotFound):
        groups.merge(staff, other.id, req.id, "")
    assert req.status == Status.received
