"""Full-text queue search on both engines, hostile search input, and keyset paging with ties."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.core.models import utcnow
from portal.extensions import db
from portal.record_requests import clock, queue
from portal.record_requests.models import RecordRequest, Status
from portal.record_requests.search import fts5_query
from tests import factories as f


def _found(actor, q, **args):
    return {r.req.id for r in queue.search(actor, queue.parse({"status": "all", "q": q, **args}), 100).rows}


def test_full_text_finds_words_of_title_description_and_requester(ctx):
    dept = f.department("police")
    admin = f.user(Role.admin)
    maya = f.user(email="maya.okafor@example.org")
    maya.name = "Maya Okafor"
    a = f.request(requester=maya, dept=dept, title="Restaurant inspections on Harbor Street",
                  description="All health inspection reports for the waterfront restaurants.")
    b = f.request(dept=dept, title="Snow removal contracts", description="Contracts and invoices for plowing.")
    c = f.request(dept=dept, title="Bike lane study", description="Traffic counts before the bike lane opened.")
    b.title = "Snow removal contracts, amended"   # an edited title is searched as edited
    db.session.commit()
    assert _found(admin, "inspection") == {a.id}            # stemmed: inspections, inspection
    assert _found(admin, "waterfront restaurants") == {a.id}  # words of the description, any order
    assert _found(admin, "amended") == {b.id}
    assert _found(admin, "contracts OR bike") == {b.id, c.id}
    assert _found(admin, '"bike lane" -study') == set()
    assert _found(admin, '"lane bike"') == set()             # a quoted phrase keeps its order
    assert _found(admin, "okafor") == {a.id}                 # the requester's name
    assert _found(admin, "maya.okafor@") == {a.id}           # the start of their e-mail address
    assert _found(admin, c.tracking_number) == {c.id}
    assert _found(admin, "plowing", department="police") == {b.id}
    assert _found(admin, "submarine") == set()
    db.session.delete(c)
    db.session.commit()
    assert _found(admin, "bike") == set()                    # a deleted request leaves the index


HOSTILE = ['"', '""', "AND(", "OR", "NOT", "-", "*", "a*", "NEAR(a b)", "title:x", "^x", "(", ")", "'",
           "'; DROP TABLE users; --", "x\x00y", "\\", "%", "_", "{}", "&|!:*", "a & b | !c", "<->",
           "ünïcödé 漢字", "AND AND OR NOT", '"unclosed phrase', "-" * 50, "\u202e"]


def test_hostile_search_strings_never_fail(client, ctx):
    dept = f.department("police")
    staff = f.user(Role.staff, dept=dept)
    f.request(dept=dept, title="Use of force policy")
    f.login(client, staff.email)
    headers = f.token_for(staff)
    for q in HOSTILE:
        page = client.get("/staff/requests", query_string={"status": "all", "q": q})
        api = client.get("/api/v1/requests", query_string={"q": q}, headers=headers)
        if "\x00" in q:   # a NUL is refused by name before any query (issue 21, item 6)
            assert page.status_code == 400 and api.status_code == 400 and "NUL" in api.get_json()["error"]["message"]
            continue
        assert page.status_code == 200, (q, page.get_data(as_text=True)[:300])
        assert api.status_code == 200 and isinstance(api.get_json()["total"], int), q


def test_fts5_query_quotes_every_term():
    assert fts5_query('water "lead pipes" OR copper -fluoride') == \
        '"water" AND ("lead pipes" OR "copper") NOT "fluoride"'
    assert fts5_query('AND( NEAR "x" *') == '"AND" AND "NEAR" AND "x"'
    assert fts5_query("-only -negative") is None and fts5_query('" ( ) *') is None


def _bulk(dept, requester, n, **fixed):
    now = utcnow().replace(microsecond=0)
    rows = []
    for i in range(n):
        row = {"tracking_number": f"1998-{i:06d}", "department_id": dept.id, "requester_id": requester.id,
               "title": f"Bulk {i}", "description": "d", "status": Status.received,
               "received_at": now - timedelta(minutes=i % 3),          # many ties
               "due_date": None if i % 7 == 0 else clock.today() + timedelta(days=i % 4),
               "clock_days": 20, "extension_days": 0, "paused_days": 0}
        rows.append(row | fixed)
    db.session.execute(sa.insert(RecordRequest), rows)
    db.session.commit()


@pytest.mark.parametrize("sort", ["due", "received", "-received"])
def test_cursor_pages_return_every_row_once_with_ties(ctx, sort):
    dept = f.department("police")
    admin, requester = f.user(Role.admin), f.user()
    _bulk(dept, requester, 103)
    want = queue.search(admin, queue.parse({"status": "all", "sort": sort}), 1000)
    seen, cursor, pages = [], "", 0
    while True:
        page = queue.search(admin, queue.parse({"status": "all", "sort": sort, "cursor": cursor}), 10)
        seen += [r.req.id for r in page.rows]
        pages += 1
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert pages == 11 and len(seen) == len(set(seen)) == 103
    assert seen == [r.req.id for r in want.rows]  # the same order as one long page
    by_offset = [r.req.id for p in range(1, 12)
                 for r in queue.search(admin, queue.parse({"status": "all", "sort": sort, "page": str(p)}), 10).rows]
    assert by_offset == seen  # numbered pages still work, and agree


def test_api_cursor_and_web_next_link(client, ctx):
    dept = f.department("police")
    admin, requester = f.user(Role.admin), f.user()
    _bulk(dept, requester, 120)
    headers = f.token_for(admin)
    first = client.get("/api/v1/requests", headers=headers).get_json()
    assert first["total"] == 120 and first["page"] == 1 and first["next_cursor"]
    ids, cursor = [i["id"] for i in first["items"]], first["next_cursor"]
    while cursor:
        data = client.get("/api/v1/requests", query_string={"cursor": cursor}, headers=headers).get_json()
        ids += [i["id"] for i in data["items"]]
        cursor = data["next_cursor"]
    assert len(ids) == len(set(ids)) == 120
    for bad in ["nonsense", "e30", "W10", "x" * 300, "WyJyZWNlaXZlZCIsbnVsbCwxXQ"]:
        r = client.get("/api/v1/requests", query_string={"cursor": bad}, headers=headers)
        assert r.status_code == 400 and "cursor" in r.get_json()["error"]["fields"], bad
    f.login(client, admin.email)
    html = client.get("/staff/requests?status=all").get_data(as_text=True)
    assert "cursor=" in html and "120 requests" in html


def test_requester_page_is_paged_newest_first(client, ctx):
    dept = f.department("police")
    requester = f.user()
    _bulk(dept, requester, 120)
    f.login(client, requester.email)
    seen, url = [], "/my/requests"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += [int(n) for n in __import__("re").findall(r"1998-(\d{6})", html)]
        nxt = __import__("re").search(r'href="(/my/requests\?before=\d+)"', html)
        url = nxt.group(1) if nxt else None
    assert sorted(seen) == list(range(120)) and seen == sorted(seen, reverse=True)


def _pages(admin, args, size=10):
    seen, cursor = [], ""
    while True:
        page = queue.search(admin, queue.parse({**args, "cursor": cursor}), size, count_limit=queue.COUNT_LIMIT)
        seen += [r.req.id for r in page.rows]
        if not page.next_cursor:
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", ["due", "received", "-received"])
def test_a_broad_search_read_along_the_order_finds_the_same_pages(ctx, monkeypatch, sort):
    dept, other = f.department("police"), f.department("works")
    admin, requester = f.user(Role.admin), f.user()
    _bulk(dept, requester, 240)
    db.session.execute(sa.update(RecordRequest).where(RecordRequest.id % 3 == 0).values(title="Water main breaks"))
    db.session.execute(sa.update(RecordRequest).where(RecordRequest.id % 5 == 0).values(department_id=other.id))
    # Rare words: only on the rows that come last in this order, out of a short walk's reach.
    last = db.session.scalars(sa.select(RecordRequest.id).order_by(*queue._order(sort)).offset(205)).all()
    db.session.execute(sa.update(RecordRequest).where(RecordRequest.id.in_(last)).values(description="sewer lateral"))
    db.session.commit()
    walks = []

    def spy(*args):
        ids = real(*args)
        walks.append(ids is not None)
        return ids
    real = queue._walk
    cases = [{"status": "all", "sort": sort, "q": "water"},
             {"status": "all", "sort": sort, "q": "water", "department": "works"},
             {"status": "all", "sort": sort, "q": "sewer"},
             {"status": "all", "sort": sort, "q": "water", "page": "3"}]
    monkeypatch.setattr(queue, "WALK_ABOVE", 10 ** 9)  # every search the usual way: what to expect
    want = [_pages(admin, c) if "page" not in c else
            [r.req.id for r in queue.search(admin, queue.parse(c), 10).rows] for c in cases]
    monkeypatch.setattr(queue, "WALK_ABOVE", 20)
    monkeypatch.setattr(queue, "WALK_ROWS", 100)
    monkeypatch.setattr(queue, "_walk", spy)
    got = [_pages(admin, c) if "page" not in c else
           [r.req.id for r in queue.search(admin, queue.parse(c), 10).rows] for c in cases]
    assert got == want and len(want[0]) == 80 and len(want[2]) == 35
    assert any(walks) and not all(walks)  # pages found along the order, and pages it could not hold


def test_the_indexes_of_open_requests_cover_exactly_the_open_statuses(ctx):
    # A status added to the enum must be added to these partial indexes' condition too, or the
    # open queue stops using them (queue.open_clause() renders every open status).
    import re
    names = ["ix_record_requests_open_due_id"]
    if db.engine.dialect.name == "postgresql":
        names.append("ix_record_requests_open_search")
        sql = "SELECT indexdef FROM pg_indexes WHERE indexname = :n"
    else:
        sql = "SELECT sql FROM sqlite_master WHERE name = :n"
    for name in names:
        definition = db.session.scalar(sa.text(sql), {"n": name})
        assert set(re.findall(r"'(\w+)'", definition)) == {s.value for s in clock.OPEN_STATUSES}, name
