"""The staff queue: filters, search, sort and pages, in a constant number of queries.

Search is LIKE over tracking number, title, description and the requester's name and e-mail:
fine for tens of thousands of requests; full-text search (tsvector / FTS5) comes later.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from ..auth.models import Department, User
from ..core.errors import Invalid
from ..extensions import db
from . import clock
from . import deadlines as dl
from .models import CLOSED, RecordRequest, Status

STATUS_CHOICES = ["open", "closed", "all"] + [s.value for s in Status]
DUE_CHOICES = ["", "overdue", "soon", "week", "paused"]
SORTS = {"due": "due date", "received": "oldest first", "-received": "newest first"}
MAX_Q = 200


@dataclass
class Filter:
    status: str = "open"
    department: str = ""
    assignee: str = ""          # "", "me", "none" or a user id
    due: str = ""
    q: str = ""
    sort: str = "due"
    page: int = 1

    def args(self, **changes) -> dict:
        """Query-string arguments for links that keep the current filters."""
        data = replace(self, **changes).__dict__
        return {k: v for k, v in data.items() if v not in ("", None) and not (k == "page" and v == 1)}


def parse(args) -> Filter:
    """A Filter from query arguments; bad values are the client's error (400), not ours."""
    get = lambda k, d="": (args.get(k) if isinstance(args.get(k), str) else d) or d  # noqa: E731
    flt = Filter(status=get("status", "open"), department=get("department").strip(),
                 assignee=get("assignee").strip(), due=get("due"), q=get("q").strip(),
                 sort=get("sort", "due"))
    fields = {}
    if flt.status not in STATUS_CHOICES:
        fields["status"] = "one of " + ", ".join(STATUS_CHOICES)
    if flt.due not in DUE_CHOICES:
        fields["due"] = "one of overdue, soon, week, paused"
    if flt.sort not in SORTS:
        fields["sort"] = "one of " + ", ".join(SORTS)
    if len(flt.q) > MAX_Q or len(flt.department) > 64:
        fields["q" if len(flt.q) > MAX_Q else "department"] = "too long"
    if flt.assignee not in ("", "me", "none") and not flt.assignee.isdigit():
        fields["assignee"] = "me, none or a user id"
    raw_page = get("page", "1")
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= 100000:
        fields["page"] = "a whole number from 1"
    else:
        flt.page = int(raw_page)
    if fields:
        raise Invalid("Some filters are not valid.", fields=fields)
    return flt


def _law_departments() -> dict[str, list[int]]:
    by_law: dict[str, list[int]] = {}
    for dept_id, law in db.session.execute(sa.select(Department.id, Department.law)):
        by_law.setdefault(dl.law_for(law).code, []).append(dept_id)
    return by_law


def _due_clause(due: str, today: date, closures: frozenset[date]):
    is_open = RecordRequest.status.in_(clock.OPEN_STATUSES)
    running = sa.and_(is_open, RecordRequest.paused_on.is_(None))
    if due == "paused":
        return sa.and_(is_open, RecordRequest.paused_on.is_not(None))
    if due == "overdue":
        return sa.and_(running, RecordRequest.due_date < today)
    if due == "week":
        return sa.and_(running, RecordRequest.due_date.between(today, today + timedelta(days=7)))
    # Due soon is counted in each law's business days, so each law has its own bound.
    per_law = [sa.and_(RecordRequest.department_id.in_(ids),
                       RecordRequest.due_date <= dl.soon_bound(dl.LAWS[law], today, closures))
               for law, ids in _law_departments().items()]
    return sa.and_(running, RecordRequest.due_date >= today, sa.or_(sa.false(), *per_law))


def statement(actor: User, flt: Filter, *, today: date, closures: frozenset[date]):
    """The matching requests' ids (the rows are loaded by id, a page at a time)."""
    stmt = sa.select(RecordRequest.id)
    if not actor.is_admin:
        stmt = stmt.where(RecordRequest.department_id == actor.department_id)
    if flt.status == "open":  # IN, not NOT IN, so that the (status, due_date) index serves it
        stmt = stmt.where(RecordRequest.status.in_(clock.OPEN_STATUSES))
    elif flt.status == "closed":
        stmt = stmt.where(RecordRequest.status.in_(CLOSED))
    elif flt.status != "all":
        stmt = stmt.where(RecordRequest.status == Status(flt.status))
    if flt.department:
        stmt = stmt.where(RecordRequest.department_id == sa.select(Department.id).where(
            Department.slug == flt.department).scalar_subquery())
    if flt.assignee == "me":
        stmt = stmt.where(RecordRequest.assignee_id == actor.id)
    elif flt.assignee == "none":
        stmt = stmt.where(RecordRequest.assignee_id.is_(None))
    elif flt.assignee:
        stmt = stmt.where(RecordRequest.assignee_id == int(flt.assignee))
    if flt.due:
        stmt = stmt.where(_due_clause(flt.due, today, closures))
    if flt.q:
        q, requester = flt.q.lower(), aliased(User)
        stmt = stmt.join(requester, RecordRequest.requester_id == requester.id).where(sa.or_(
            sa.func.lower(RecordRequest.tracking_number).contains(q, autoescape=True),
            sa.func.lower(RecordRequest.title).contains(q, autoescape=True),
            sa.func.lower(RecordRequest.description).contains(q, autoescape=True),
            sa.func.lower(requester.name).contains(q, autoescape=True),
            requester.email.contains(q, autoescape=True)))
    return stmt


def _order(sort: str):
    if sort == "received":
        return [RecordRequest.received_at, RecordRequest.id]
    if sort == "-received":
        return [RecordRequest.received_at.desc(), RecordRequest.id.desc()]
    return [RecordRequest.due_date.is_(None), RecordRequest.due_date, RecordRequest.id]


@dataclass
class Row:
    req: RecordRequest
    overdue: bool
    due_soon: bool


@dataclass
class Page:
    rows: list[Row]
    total: int
    page: int
    size: int
    filter: Filter = field(default_factory=Filter)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def search(actor: User, flt: Filter, size: int) -> Page:
    on, closures = clock.today(), clock.closures()
    stmt = statement(actor, flt, today=on, closures=closures)
    ordered, offset = stmt.order_by(*_order(flt.sort)), (flt.page - 1) * size
    if flt.q:
        # A LIKE search scans every row anyway: scan once, for the count and the page together.
        every = db.session.connection().execute(ordered).scalars().all()
        total, ids = len(every), every[offset:offset + size]
    else:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
        # Sort and page over ids alone, then load only that page's rows with their joins: a deep
        # page then costs a narrow sort, not the joins of every row before it.
        ids = db.session.scalars(ordered.limit(size).offset(offset)).all()
    found = {r.id: r for r in db.session.scalars(
        sa.select(RecordRequest).where(RecordRequest.id.in_(ids))
        .options(joinedload(RecordRequest.assignee))).unique()} if ids else {}
    reqs = [found[i] for i in ids if i in found]
    rows = []
    for r in reqs:
        f = clock.flags(r, on, closures)
        rows.append(Row(r, f.overdue, f.due_soon))
    return Page(rows, total or 0, flt.page, size, flt)
