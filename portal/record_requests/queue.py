"""The staff queue: filters, search, sort and pages, in a constant number of queries.

Search is full-text (search.py): words of the title and description, the requester's name, the
start of their e-mail address, or the exact tracking number. Pages are numbered (`page`, an
offset: fine near the front) or follow a cursor (`cursor`, the last row's sort key: a deep page
costs what the first does).
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..auth.models import Department, User
from ..core.errors import Invalid
from ..core.http import db_id
from ..extensions import db
from . import clock
from . import deadlines as dl
from . import search as fts
from .models import CLOSED, RecordRequest, Status

STATUS_CHOICES = ["open", "closed", "all"] + [s.value for s in Status]
DUE_CHOICES = ["", "overdue", "soon", "week", "paused"]
SORTS = {"due": "due date", "received": "oldest first", "-received": "newest first"}
MAX_Q = 200
# The web queue counts up to this many matches and then says "1,000+": an exact count of a
# million rows costs more than the page. The API counts exactly (its `total` is the contract).
COUNT_LIMIT = 1_000
# A search matching more requests than WALK_ABOVE is paged by reading the first WALK_ROWS rows of
# its filters in the page's order and keeping the matches (search(), _walk()): with a few percent
# of rows matching, a page is found in a few thousand rows instead of reading every match.
WALK_ABOVE, WALK_ROWS = 1_000, 4_000


@dataclass
class Filter:
    status: str = "open"
    department: str = ""
    assignee: str = ""          # "", "me", "none" or a user id
    due: str = ""
    q: str = ""
    sort: str = "due"
    page: int = 1
    cursor: str = ""

    def args(self, **changes) -> dict:
        """Query-string arguments for links that keep the current filters."""
        data = replace(self, **changes).__dict__
        return {k: v for k, v in data.items() if v not in ("", None) and not (k == "page" and v == 1)}

    @property
    def after(self) -> tuple:
        """The cursor's (sort key, id): checked by parse(), so it decodes."""
        return _decode(self.cursor, self.sort)


def _encode(sort: str, key, ident: int) -> str:
    key = key.isoformat() if key is not None else None
    raw = json.dumps([sort, key, ident], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, sort: str) -> tuple:
    """(sort key, id) from a cursor made for this sort; ValueError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, key, ident = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor") from exc
    if kind != sort or not isinstance(ident, int) or not (key is None or isinstance(key, str)):
        raise ValueError("not a cursor of this sort")
    if key is None:
        if sort != "due":
            raise ValueError("no key")
        return None, ident
    value = date.fromisoformat(key) if sort == "due" else datetime.fromisoformat(key)
    if sort != "due" and value.tzinfo is None:
        raise ValueError("naive time")
    return value, ident


def parse(args) -> Filter:
    """A Filter from query arguments; bad values are the client's error (400), not ours."""
    get = lambda k, d="": (args.get(k) if isinstance(args.get(k), str) else d) or d  # noqa: E731
    # A NUL cannot reach PostgreSQL's text; other control characters are never meant.
    q = "".join(ch if ch.isprintable() else " " for ch in get("q")).strip()
    flt = Filter(status=get("status", "open"), department=get("department").strip(),
                 assignee=get("assignee").strip(), due=get("due"), q=q,
                 sort=get("sort", "due"), cursor=get("cursor").strip())
    fields = {}
    if flt.status not in STATUS_CHOICES:
        fields["status"] = "one of " + ", ".join(STATUS_CHOICES)
    if flt.due not in DUE_CHOICES:
        fields["due"] = "one of overdue, soon, week, paused"
    if flt.sort not in SORTS:
        fields["sort"] = "one of " + ", ".join(SORTS)
    if len(flt.q) > MAX_Q or len(flt.department) > 64:
        fields["q" if len(flt.q) > MAX_Q else "department"] = "too long"
    if flt.assignee not in ("", "me", "none") and db_id(flt.assignee) is None:
        fields["assignee"] = "me, none or a user id"
    if flt.cursor and flt.sort in SORTS:
        try:
            if len(flt.cursor) > 200:
                raise ValueError("too long")
            _decode(flt.cursor, flt.sort)
        except ValueError:
            fields["cursor"] = "the next_cursor of an earlier page, with the same sort"
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
    is_open = open_clause()
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
    stmt = _filtered(actor, flt, today=today, closures=closures)
    return stmt.where(fts.condition(flt.q)) if flt.q else stmt


def open_clause():
    """status IN (the open statuses), as literals in the SQL: then the planner can prove the
    condition of the partial indexes of open requests (OPEN_PREDICATE), which it cannot for
    parameters of a prepared statement."""
    return RecordRequest.status.in_(sa.bindparam("open_statuses", [s.value for s in clock.OPEN_STATUSES],
                                                 expanding=True, literal_execute=True))


def _filtered(actor: User, flt: Filter, *, today: date, closures: frozenset[date]):
    """statement() without the search words."""
    stmt = sa.select(RecordRequest.id)
    if not actor.is_admin:
        stmt = stmt.where(RecordRequest.department_id == actor.department_id)
    if flt.status == "open":
        stmt = stmt.where(open_clause())
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
    return stmt


def _order(sort: str, key=None, ident=None):
    """ORDER BY of a sort, over the table's columns or (key, ident) of a subquery."""
    ident = RecordRequest.id if ident is None else ident
    if sort == "received":
        return [RecordRequest.received_at if key is None else key, ident]
    if sort == "-received":
        return [(RecordRequest.received_at if key is None else key).desc(), ident.desc()]
    # NULLS LAST (ascending) is the (due_date, id) index's own order, so it serves the page.
    return [(RecordRequest.due_date if key is None else key).asc().nulls_last(), ident]


def _after(sort: str, key, ident: int):
    """Rows strictly after (key, id) in the order of _order(sort)."""
    if sort == "received":
        return sa.tuple_(RecordRequest.received_at, RecordRequest.id) > sa.tuple_(
            sa.literal(key, RecordRequest.received_at.type), sa.literal(ident))
    if sort == "-received":
        return sa.tuple_(RecordRequest.received_at, RecordRequest.id) < sa.tuple_(
            sa.literal(key, RecordRequest.received_at.type), sa.literal(ident))
    if key is None:  # undated rows come last, by id
        return sa.and_(RecordRequest.due_date.is_(None), RecordRequest.id > ident)
    return sa.or_(RecordRequest.due_date.is_(None), sa.tuple_(RecordRequest.due_date, RecordRequest.id) > sa.tuple_(
        sa.literal(key, RecordRequest.due_date.type), sa.literal(ident)))


def _key(sort: str, req: RecordRequest):
    return req.due_date if sort == "due" else req.received_at


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
    next_cursor: str | None = None
    capped: bool = False   # total is COUNT_LIMIT, and there are more

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _walk(filtered, words, sort: str, size: int, offset: int) -> list[int] | None:
    """A page of a broad search read in the page's own order: the first WALK_ROWS rows of the
    filters alone (an index walk, as for a page without words), keeping those the words match.
    The page, or None when those rows do not hold it all (the words are too rare for this)."""
    key = RecordRequest.due_date if sort == "due" else RecordRequest.received_at
    walked = (filtered.add_columns(key.label("key"), words.label("hit"))
              .order_by(*_order(sort)).limit(WALK_ROWS).subquery())
    ids = db.session.scalars(sa.select(walked.c.id).where(walked.c.hit).order_by(
        *_order(sort, walked.c.key, walked.c.id)).limit(size + 1).offset(offset)).all()
    return ids if len(ids) == size + 1 else None


def search(actor: User, flt: Filter, size: int, count_limit: int | None = None) -> Page:
    on, closures = clock.today(), clock.closures()
    filtered = _filtered(actor, flt, today=on, closures=closures)
    words = fts.condition(flt.q) if flt.q else None
    stmt = filtered.where(words) if words is not None else filtered
    counted = stmt if count_limit is None else stmt.limit(count_limit + 1)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(counted.subquery()))
    broad = words is not None and total > WALK_ABOVE
    capped = count_limit is not None and total > count_limit
    total = min(total, count_limit) if capped else total
    if flt.cursor:
        after = _after(flt.sort, *flt.after)
        stmt, filtered, offset = stmt.where(after), filtered.where(after), 0
    else:
        offset = (flt.page - 1) * size
    # Sort and page over ids alone, then load only that page's rows with their joins. One row
    # more than a page says whether there is a next one. Words that match more than WALK_ABOVE
    # requests are checked along the page's order instead: the database would read and sort
    # every match (its estimates for several words are far too low to choose this itself).
    ids = _walk(filtered, words, flt.sort, size, offset) if broad else None
    if ids is None:
        ids = db.session.scalars(stmt.order_by(*_order(flt.sort)).limit(size + 1).offset(offset)).all()
    more, ids = len(ids) > size, ids[:size]
    found = {r.id: r for r in db.session.scalars(
        sa.select(RecordRequest).where(RecordRequest.id.in_(ids))
        .options(joinedload(RecordRequest.assignee))).unique()} if ids else {}
    reqs = [found[i] for i in ids if i in found]
    rows = []
    for r in reqs:
        f = clock.flags(r, on, closures)
        rows.append(Row(r, f.overdue, f.due_soon))
    after = _encode(flt.sort, _key(flt.sort, reqs[-1]), reqs[-1].id) if more and reqs else None
    return Page(rows, total or 0, flt.page, size, flt, after, capped)
