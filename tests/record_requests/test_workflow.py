"""Every transition in the table, from every status, by every kind of person."""
import pytest

from portal.auth.models import Role
from portal.core.errors import Conflict, Forbidden, NotFound
from portal.extensions import db
from portal.record_requests import groups, workflow
from portal.record_requests.models import FeeEstimate, RecordRequest, Status
from tests import factories as f

S = Status
OPEN = {s for s in S if not s.closed}
CLOSED = {s for s in S if s.closed}
WORKING = {S.received, S.acknowledged, S.in_progress, S.extended}

# action: (from, to, who). Written out here so a change to the table is a visible change.
EXPECTED = {
    "acknowledge": ({S.received}, S.acknowledged, {"staff"}),
    "start": ({S.received, S.acknowledged, S.extended}, S.in_progress, {"staff"}),
    "clarify": (WORKING, S.awaiting_requester, {"staff"}),
    "fee_estimate": (WORKING, S.awaiting_requester, {"staff"}),
    "reply": ({S.awaiting_requester}, S.in_progress, {"requester"}),
    "fee_accept": ({S.awaiting_requester}, S.in_progress, {"requester"}),
    "fee_decline": ({S.awaiting_requester}, S.in_progress, {"requester"}),
    "resume": ({S.awaiting_requester}, S.in_progress, {"staff"}),
    "extend": (WORKING, S.extended, {"staff"}),
    "close": (OPEN, S.denied, {"staff"}),
    "withdraw": (OPEN, S.withdrawn, {"requester", "staff"}),
    "reopen": (CLOSED - {S.duplicate}, S.in_progress, {"staff"}),  # a merge is not undone by reopening
    "merge": (OPEN, S.duplicate, {"staff"}),
}

CALLS = {
    "acknowledge": lambda a, i: workflow.acknowledge(a, i),
    "start": lambda a, i: workflow.start(a, i),
    "clarify": lambda a, i: workflow.clarify(a, i, "Which years?"),
    "fee_estimate": lambda a, i: workflow.send_fee_estimate(a, i, "12.50", "Copying"),
    "reply": lambda a, i: workflow.message(a, i, "2024 and 2025."),
    "fee_accept": lambda a, i: workflow.answer_fee(a, i, True),
    "fee_decline": lambda a, i: workflow.answer_fee(a, i, False),
    "resume": lambda a, i: workflow.resume(a, i),
    "extend": lambda a, i: workflow.extend(a, i, 5, "Records are off site."),
    "close": lambda a, i: workflow.close(a, i, "denied", "Withheld.", ["b6"], {"b6": "privacy"}),
    "withdraw": lambda a, i: workflow.withdraw(a, i),
    "reopen": lambda a, i: workflow.reopen(a, i, "Closed in error."),
    "merge": lambda a, i: _merge(a, i),
}
MERGE_INTO = []


def _merge(actor, request_id):
    groups.merge(actor, request_id, MERGE_INTO[0], "Same records.")
    return next(e for e in reversed(db.session.get(RecordRequest, request_id).events) if e.kind == "merge")


def test_the_table_is_as_written():
    assert set(workflow.TRANSITIONS) == set(EXPECTED)
    for action, (sources, target, who) in EXPECTED.items():
        t = workflow.TRANSITIONS[action]
        assert t.sources == frozenset(sources), action
        assert t.who == frozenset(who), action
        assert t.target == (None if action == "close" else target), action


def test_every_transition_from_every_status_by_everyone(ctx):
    dept, other_dept = f.department(), f.department()
    requester, stranger = f.user(), f.user()
    people = {"requester": requester, "staff": f.user(Role.staff, dept=dept),
              "admin": f.user(Role.admin), "other staff": f.user(Role.staff, dept=other_dept),
              "stranger": stranger}
    reqs = {}
    for status in S:
        for fee in ((False, True) if status == S.awaiting_requester else (False,)):
            req = f.request(requester=requester, dept=dept, status=status)
            if status == S.awaiting_requester:
                req.paused_on = req.clock_start
                if fee:
                    db.session.add(FeeEstimate(request=req, amount_cents=1000))
            reqs[status, fee] = req.id
    MERGE_INTO[:] = [f.request(requester=stranger, dept=dept).id]
    db.session.commit()
    checked = 0
    for action, (sources, target, who) in EXPECTED.items():
        for (status, fee), req_id in reqs.items():
            for name, person in people.items():
                roles = {"staff"} if name == "admin" else {name}
                ok = status in sources and bool(roles & who)
                if action in ("fee_accept", "fee_decline"):
                    ok = ok and fee
                if action == "reply":
                    ok = ok and not fee
                savepoint = db.session.begin_nested()
                try:
                    if ok:
                        event = CALLS[action](person, req_id)
                        assert event.kind == action and event.request.status == target, (action, status)
                    elif name in ("other staff", "stranger"):
                        with pytest.raises(NotFound):
                            CALLS[action](person, req_id)
                    elif action == "reply":
                        # Anyone else's message, or one at another time, is only a message.
                        try:
                            event = CALLS[action](person, req_id)
                        except Conflict:
                            assert status.closed and name == "requester"
                        else:
                            assert event.kind == "message" and event.request.status == status
                    else:
                        with pytest.raises(Forbidden if not roles & who else Conflict):
                            CALLS[action](person, req_id)
                finally:
                    savepoint.rollback()
                    db.session.expire_all()
                checked += 1
    assert checked == len(EXPECTED) * len(reqs) * len(people)
