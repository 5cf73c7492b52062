"""What may happen to a request, when, and by whom: one table, and the services that follow it."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..core.errors import Conflict, Forbidden, Invalid
from ..core.models import utcnow
from ..auth.models import User
from . import clock
from .models import CLOSED, FeeEstimate, FeeStatus, RecordRequest, RequestEvent, Status
from .services import add_event, can_manage, check_text, get_for, notify_assignee

REQUESTER, STAFF = "requester", "staff"
S = Status
OPEN = frozenset(s for s in Status if s not in CLOSED)
WORKING = frozenset({S.received, S.acknowledged, S.in_progress, S.extended})  # the agency's turn
OUTCOMES = (S.fulfilled, S.partially_fulfilled, S.denied, S.no_responsive_records)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status | None    # None: the outcome staff choose (close)
    who: frozenset[str]
    pauses: bool = False     # the clock stops (the requester's turn)
    resumes: bool = False    # the clock runs again


def _t(sources, target, *who, **kw) -> Transition:
    return Transition(frozenset(sources), target, frozenset(who), **kw)


TRANSITIONS: dict[str, Transition] = {
    "acknowledge": _t({S.received}, S.acknowledged, STAFF),
    "start": _t({S.received, S.acknowledged, S.extended}, S.in_progress, STAFF),
    "clarify": _t(WORKING, S.awaiting_requester, STAFF, pauses=True),
    "fee_estimate": _t(WORKING, S.awaiting_requester, STAFF, pauses=True),
    "reply": _t({S.awaiting_requester}, S.in_progress, REQUESTER, resumes=True),
    "fee_accept": _t({S.awaiting_requester}, S.in_progress, REQUESTER, resumes=True),
    "fee_decline": _t({S.awaiting_requester}, S.in_progress, REQUESTER, resumes=True),
    "resume": _t({S.awaiting_requester}, S.in_progress, STAFF, resumes=True),
    "extend": _t(WORKING, S.extended, STAFF),
    "close": _t(OPEN, None, STAFF, resumes=True),
    "withdraw": _t(OPEN, S.withdrawn, REQUESTER, STAFF, resumes=True),
    "reopen": _t(CLOSED - {S.duplicate}, S.in_progress, STAFF),  # a merge is not undone by reopening
    "merge": _t(OPEN, S.duplicate, STAFF, resumes=True),
}


def roles(actor: User, req: RecordRequest) -> set[str]:
    found = set()
    if actor.id == req.requester_id:
        found.add(REQUESTER)
    if can_manage(actor, req):
        found.add(STAFF)
    return found


def allowed(actor: User, req: RecordRequest, action: str) -> bool:
    t = TRANSITIONS[action]
    if req.status not in t.sources or not (roles(actor, req) & t.who):
        return False
    if action in ("fee_accept", "fee_decline"):
        return req.pending_fee is not None
    if action == "reply":
        return req.pending_fee is None
    return True


def available(actor: User, req: RecordRequest) -> list[str]:
    return [a for a in TRANSITIONS if allowed(actor, req, a)]


def apply(actor: User, request_id: int, action: str) -> RecordRequest:
    """Load, authorise and check the state; the caller then changes the request."""
    req = get_for(actor, request_id)
    t = TRANSITIONS[action]
    if not (roles(actor, req) & t.who):
        raise Forbidden("You may not do this to this request.")
    if req.status not in t.sources:
        raise Conflict(f"A request that is {req.status.label.lower()} cannot be changed that way.")
    if action in ("fee_accept", "fee_decline") and req.pending_fee is None:
        raise Conflict("There is no fee estimate waiting for an answer.")
    if action == "reply" and req.pending_fee is not None:
        raise Conflict("Please accept or decline the fee estimate first.")
    if action in ("resume", "close", "withdraw", "merge") and req.pending_fee is not None:
        req.pending_fee.status = FeeStatus.withdrawn  # no longer waiting for an answer
    if t.resumes:
        clock.resume(req)
    if t.pauses:
        clock.pause(req)
    if t.target is not None:
        req.status = t.target
    return req


def acknowledge(actor: User, request_id: int, body: str = "") -> RequestEvent:
    req = apply(actor, request_id, "acknowledge")
    req.acknowledged_at = utcnow()
    law = clock.law_of(req)
    if law.after_ack_days:  # FOIL: an approximate date, counted from the acknowledgment
        clock.start(req, clock.today(), law.after_ack_days)
    text = check_text(body, required=False) or "We have received your request and are working on it."
    return add_event(actor, req, "acknowledge", text, data={"due_date": req.due_date.isoformat()},
                     mail_subject=f"Request {req.tracking_number} acknowledged")


def start(actor: User, request_id: int) -> RequestEvent:
    req = apply(actor, request_id, "start")
    return add_event(actor, req, "start", "We are searching for the records.")


def clarify(actor: User, request_id: int, body: str) -> RequestEvent:
    text = check_text(body)
    req = apply(actor, request_id, "clarify")
    return add_event(actor, req, "clarify", text,
                     mail_subject=f"Request {req.tracking_number}: we need your answer")


def parse_amount(raw) -> int:
    """Cents from "12.50", 12.5 or 12; refuses negatives, fractions of a cent and absurd sums."""
    try:
        value = Decimal(str(raw).strip().replace(",", "")) if raw is not None else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0 or value > 1_000_000 or value != round(value, 2):
        raise Invalid("Enter an amount such as 25.00 (more than 0, at most 1,000,000).",
                      fields={"amount": "invalid"})
    return int(value * 100)


def send_fee_estimate(actor: User, request_id: int, amount, note: str = "") -> RequestEvent:
    cents, text = parse_amount(amount), check_text(note, "note", required=False)
    req = apply(actor, request_id, "fee_estimate")
    fee = FeeEstimate(amount_cents=cents, note=text, status=FeeStatus.pending, created_by_id=actor.id)
    req.fees.append(fee)
    return add_event(actor, req, "fee_estimate",
                     f"Estimated fee: {fee.amount}. {text}".strip() +
                     "\nPlease accept or decline it; the clock is paused until you answer.",
                     data={"amount_cents": cents}, mail_subject=f"Request {req.tracking_number}: fee estimate")


def answer_fee(actor: User, request_id: int, accept: bool, body: str = "") -> RequestEvent:
    text = check_text(body, required=False)
    req = apply(actor, request_id, "fee_accept" if accept else "fee_decline")
    fee = req.pending_fee
    fee.status, fee.responded_at = (FeeStatus.accepted if accept else FeeStatus.declined), utcnow()
    verb = "accepted" if accept else "declined"
    event = add_event(actor, req, "fee_accept" if accept else "fee_decline",
                      f"The requester {verb} the fee estimate of {fee.amount}. {text}".strip(),
                      data={"fee": fee.id})
    notify_assignee(req, f"{req.tracking_number}: fee estimate {verb}", event.body)
    return event


def resume(actor: User, request_id: int, body: str = "") -> RequestEvent:
    text = check_text(body, required=False)
    req = apply(actor, request_id, "resume")
    return add_event(actor, req, "resume", text or "We are working on your request again.")


def extend(actor: User, request_id: int, days, body: str = "") -> RequestEvent:
    text = check_text(body, required=False)
    req = apply(actor, request_id, "extend")
    clock.extend(req, days)
    law = clock.law_of(req)
    # The laws require written notice; this event's e-mail is that notice, so it always says why
    # the date moved and to when, with the staff member's explanation when one is given.
    notice = (f"We need {days} more {'calendar' if law.calendar_days else 'business'} days "
              f"({law.extension_citation}). The new due date is {req.due_date.isoformat()}.")
    return add_event(actor, req, "extend", f"{text}\n\n{notice}".strip(),
                     data={"days": days, "due_date": req.due_date.isoformat(),
                           "citation": law.extension_citation},
                     mail_subject=f"Request {req.tracking_number}: more time needed")


def close(actor: User, request_id: int, outcome: str, body: str = "",
          exemptions: list | None = None, allowed_exemptions: dict | None = None) -> RequestEvent:
    """Close with an outcome; a denial cites at least one exemption from the law's list."""
    try:
        status = Status(outcome)
    except (ValueError, TypeError):
        status = None
    if status not in OUTCOMES:
        raise Invalid("Choose an outcome: " + ", ".join(s.value for s in OUTCOMES) + ".",
                      fields={"outcome": "invalid"})
    text = check_text(body, required=False)
    codes = exemptions or []
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise Invalid("Exemptions are a list of codes.", fields={"exemptions": "invalid"})
    known = allowed_exemptions or {}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise Invalid("Cite exemptions from the list for this law: " + ", ".join(known) + ".",
                      fields={"exemptions": "unknown: " + ", ".join(unknown)[:200]})
    if status == S.denied and not codes:
        raise Invalid("A denial cites at least one exemption.", fields={"exemptions": "required"})
    req = apply(actor, request_id, "close")
    req.status = status
    clock.set_closed(req, utcnow())
    req.exemptions = sorted(set(codes)) or None
    cited = "".join(f"\n- {known[c]}" for c in req.exemptions or [])
    summary = f"Closed: {status.label.lower()}." + (f"\nExemptions cited:{cited}" if cited else "")
    return add_event(actor, req, "close", (text + "\n\n" + summary).strip(),
                     data={"outcome": status.value, "exemptions": req.exemptions or []},
                     mail_subject=f"Request {req.tracking_number}: {status.label.lower()}")


def withdraw(actor: User, request_id: int, body: str = "") -> RequestEvent:
    text = check_text(body, required=False)
    req = apply(actor, request_id, "withdraw")
    clock.set_closed(req, utcnow())
    by = "the requester" if actor.id == req.requester_id else "staff, for the requester"
    event = add_event(actor, req, "withdraw", (f"Withdrawn by {by}. " + text).strip())
    if actor.id == req.requester_id:
        notify_assignee(req, f"{req.tracking_number} withdrawn", event.body)
    return event


def reopen(actor: User, request_id: int, body: str) -> RequestEvent:
    text = check_text(body)
    req = apply(actor, request_id, "reopen")
    req.exemptions = None
    clock.set_closed(req, None)
    return add_event(actor, req, "reopen", text, mail_subject=f"Request {req.tracking_number} reopened")


def message(actor: User, request_id: int, body: str) -> RequestEvent:
    """A message in the thread. The requester's answer to a question restarts the clock."""
    text = check_text(body)
    req = get_for(actor, request_id)
    mine = roles(actor, req)
    if not mine:
        raise Forbidden("You may not write on this request.")
    if REQUESTER in mine and STAFF not in mine:
        if req.status.closed:
            raise Conflict("This request is closed. File a new request, or ask us to reopen this one.")
        if allowed(actor, req, "reply"):
            apply(actor, request_id, "reply")
            event = add_event(actor, req, "reply", text)
        else:
            event = add_event(actor, req, "message", text)
        notify_assignee(req, f"{req.tracking_number}: message from the requester", text)
        return event
    return add_event(actor, req, "message", text,
                     mail_subject=f"Request {req.tracking_number}: a message from the records office")


def note(actor: User, request_id: int, body: str) -> RequestEvent:
    text = check_text(body)
    req = get_for(actor, request_id)
    if not can_manage(actor, req):
        raise Forbidden("Only staff write internal notes.")
    return add_event(actor, req, "note", text, public=False)


# The requester's view of a request: four steps, whatever the statuses in between.
STEPS = ("received", "in_progress", "released", "closed")


def progress_step(req: RecordRequest, released: bool) -> int:
    """1 received, 2 in progress, 3 records released (while still open), 4 closed."""
    if req.status.closed:
        return 4
    if released:
        return 3
    return 1 if req.status == S.received else 2
