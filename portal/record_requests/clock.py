"""The statutory clock of each request, kept in the database: start, pause, resume, extend, refresh.

deadlines.py holds the law; this module applies it to rows. Dates are the agency's local dates.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from .. import audit, mail
from ..auth.models import User
from ..core.errors import Conflict, Invalid
from ..core.models import local_date, utcnow
from ..extensions import db
from . import deadlines as dl
from .models import CLOSED, AgencyClosure, RecordRequest, Status

OPEN_STATUSES = [s for s in Status if s not in CLOSED]


def set_closed(req: RecordRequest, at: datetime | None) -> None:
    """Close (or, with None, reopen) at `at`: closed_at and its local date, which metrics count by."""
    req.closed_at, req.closed_on = at, (None if at is None else local_date(at))


def recompute_local_dates() -> int:
    """Set every request's received_on and closed_on again from its times, in AGENCY_TIMEZONE (after
    that setting changed); the number of requests whose dates changed."""
    zone = current_app.config["AGENCY_TIMEZONE"]
    if db.session.get_bind().dialect.name == "postgresql":
        def local(column):
            return sa.cast(sa.func.timezone(zone, column), sa.Date)
    else:  # SQLite keeps naive UTC text and has no time-zone data: convert in Python
        tz = ZoneInfo(zone)

        def convert(value):
            return None if value is None else (
                datetime.fromisoformat(value).replace(tzinfo=timezone.utc).astimezone(tz).date().isoformat())
        db.session.connection().connection.dbapi_connection.create_function(
            "portal_local_date", 1, convert, deterministic=True)

        def local(column):
            return sa.func.portal_local_date(column)
    received, closed = local(RecordRequest.received_at), local(RecordRequest.closed_at)
    return db.session.execute(
        sa.update(RecordRequest).values(received_on=received, closed_on=closed)
        .where(sa.or_(RecordRequest.received_on.is_distinct_from(received),
                      RecordRequest.closed_on.is_distinct_from(closed)))
        .execution_options(synchronize_session=False)).rowcount


def today() -> date:
    return local_date(utcnow())


def closures() -> frozenset[date]:
    return frozenset(db.session.scalars(sa.select(AgencyClosure.day)))


def law_of(req: RecordRequest) -> dl.Law:
    return dl.law_for(req.department.law)


def recompute(req: RecordRequest, closed_days: frozenset[date] | None = None) -> bool:
    """Set due_date from the clock; True when it changed. Paused days so far are not yet added."""
    law = law_of(req)
    if req.clock_start is None:  # filed before the clock existed (revision 0002)
        req.clock_start, req.clock_days = local_date(req.received_at), law.initial_days
    due = dl.due_date(law, req.clock_start, req.clock_days + req.extension_days + req.paused_days,
                      closures() if closed_days is None else closed_days)
    changed = due != req.due_date
    req.due_date = due
    return changed


def start(req: RecordRequest, on: date, days: int) -> None:
    """(Re)start the clock: at filing, and for FOIL again at the acknowledgment."""
    req.clock_start, req.clock_days, req.paused_days = on, days, 0
    if req.paused_on is not None:
        req.paused_on = on
    recompute(req)


def pause(req: RecordRequest) -> None:
    if req.paused_on is None:
        req.paused_on = today()


def resume(req: RecordRequest) -> int:
    """End a pause; the due date moves by the days paused. Returns those days."""
    if req.paused_on is None:
        return 0
    days = dl.paused_units(law_of(req), req.paused_on, today(), closures())
    req.paused_days += days
    req.paused_on = None
    recompute(req)
    return days


def extend(req: RecordRequest, days: int) -> None:
    law = law_of(req)
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise Invalid("An extension is a whole number of days, at least 1.", fields={"days": "invalid"})
    room = law.max_extension - req.extension_days
    if days > room:
        raise Conflict(f"{law.extension_citation} allows {law.max_extension} days of extension in all; "
                       f"{max(room, 0)} are left for this request.", fields={"days": "too many"})
    req.extension_days += days
    recompute(req)


def restart_for_law(req: RecordRequest) -> None:
    """A request moved under another law starts that law's clock over from the day of receipt;
    extensions and pauses granted under the old law do not carry over."""
    req.extension_days = 0
    start(req, local_date(req.received_at), law_of(req).initial_days)


def flags(req: RecordRequest, on: date, closed_days: frozenset[date]) -> dl.Flags:
    return dl.flags(law_of(req), on, req.due_date, open_=not req.status.closed, paused=req.paused,
                    closures=closed_days)


def respond_by(req: RecordRequest) -> date | None:
    """The day the requester is asked to answer a question or a fee estimate by, while the clock waits."""
    if req.status != Status.awaiting_requester or req.paused_on is None:
        return None
    return req.paused_on + timedelta(days=current_app.config["REQUESTER_RESPOND_DAYS"])


def _recompute_open(since: date | None = None) -> int:
    stmt = sa.select(RecordRequest).where(RecordRequest.status.in_(OPEN_STATUSES))
    if since is not None:
        stmt = stmt.where(sa.or_(RecordRequest.due_date.is_(None), RecordRequest.due_date >= since))
    closed_days, changed = closures(), 0
    for req in db.session.scalars(stmt):
        changed += recompute(req, closed_days)
    return changed


# -- closure days (admin) ---------------------------------------------------------------------

def add_closure(actor: User, day: date, reason: str) -> int:
    """Add a closure day and move the due dates it affects. Returns how many moved."""
    reason = " ".join((reason or "").split())
    if not 1 <= len(reason) <= 200:
        raise Invalid("Give a reason of 1 to 200 characters.", fields={"reason": "required"})
    if db.session.scalar(sa.select(AgencyClosure.id).where(AgencyClosure.day == day)) is not None:
        raise Conflict("That day is already a closure day.", fields={"day": "taken"})
    closure = AgencyClosure(day=day, reason=reason, created_by_id=actor.id)
    db.session.add(closure)
    db.session.flush()
    moved = _recompute_open(since=day)
    audit.record(actor, "closure.add", f"closure:{closure.id}",
                 {"day": day.isoformat(), "reason": reason, "due_dates_moved": moved})
    return moved


def remove_closure(actor: User, closure_id: int) -> int:
    closure = db.session.get(AgencyClosure, closure_id)
    if closure is None:
        raise Invalid("No such closure day.")
    day = closure.day
    db.session.delete(closure)
    db.session.flush()
    moved = _recompute_open(since=day)
    audit.record(actor, "closure.remove", f"closure:{closure_id}",
                 {"day": day.isoformat(), "due_dates_moved": moved})
    return moved


# -- the nightly run -----------------------------------------------------------------------------

def refresh_all(base_url: str) -> dict:
    """Recompute every open request's due date, then e-mail each assignee their overdue and
    due-soon requests. Run nightly (`flask requests refresh-deadlines`)."""
    changed = _recompute_open()
    db.session.flush()
    on, closed_days = today(), closures()
    overdue = soon = 0
    per_assignee: dict[int, list[tuple[RecordRequest, str]]] = {}
    stmt = (sa.select(RecordRequest).where(RecordRequest.status.in_(OPEN_STATUSES),
                                           RecordRequest.paused_on.is_(None))
            .options(sa.orm.joinedload(RecordRequest.assignee)).order_by(RecordRequest.due_date))
    for req in db.session.scalars(stmt).unique():
        f = flags(req, on, closed_days)
        if not (f.overdue or f.due_soon):
            continue
        overdue, soon = overdue + f.overdue, soon + f.due_soon
        if req.assignee is not None and req.assignee.active:
            per_assignee.setdefault(req.assignee.id, []).append((req, "OVERDUE" if f.overdue else "due soon"))
    for rows in per_assignee.values():
        who = rows[0][0].assignee
        lines = [f"  {r.tracking_number}  {label:<8} due {r.due_date.isoformat()}  {r.title}\n"
                 f"    {base_url}/requests/{r.id}" for r, label in rows]
        mail.send(who.email, f"{len(rows)} of your records requests need attention",
                  f"Hello {who.name},\n\nThese requests assigned to you are overdue or due within two "
                  "business days:\n\n" + "\n".join(lines) + "\n")
    result = {"changed": changed, "overdue": overdue, "due_soon": soon, "mailed": len(per_assignee)}
    audit.record("system", "requests.refresh_deadlines", "requests", result)
    return result
