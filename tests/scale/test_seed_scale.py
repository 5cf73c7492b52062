"""`flask seed-scale` at a tiny scale: consistent data on both backends, and its refusals."""
import sqlalchemy as sa

from portal.audit import verify
from portal.extensions import db
from portal.record_requests import queue
from portal.seed_scale import PASSWORD


def _count(sql: str) -> int:
    return db.session.scalar(sa.text(sql))


def test_seed_scale_makes_consistent_data(runner, ctx):
    result = runner.invoke(args=["seed-scale", "--requests", "200", "--deliveries", "1000", "--yes"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert _count("SELECT count(*) FROM record_requests") == 200
    assert _count("SELECT count(*) FROM deliveries") == 1000
    # Every row's parent exists (the foreign keys are real on PostgreSQL; SQLite does not check).
    for child, parent in [("deliveries d LEFT JOIN grants p ON p.id = d.grant_id", "p.id"),
                          ("grants g LEFT JOIN records p ON p.id = g.record_id", "p.id"),
                          ("grants g LEFT JOIN releases p ON p.id = g.release_id", "p.id"),
                          ("records r LEFT JOIN blobs p ON p.id = r.blob_id", "p.id"),
                          ("records r LEFT JOIN record_requests p ON p.id = r.request_id", "p.id"),
                          ("record_requests r LEFT JOIN users p ON p.id = r.requester_id", "p.id"),
                          ("request_events e LEFT JOIN record_requests p ON p.id = e.request_id", "p.id"),
                          ("release_records x LEFT JOIN records p ON p.id = x.record_id", "p.id")]:
        assert _count(f"SELECT count(*) FROM {child} WHERE {parent} IS NULL") == 0, child
    # A grant's record is in its release, and goes to the request's requester or a public label.
    assert _count("SELECT count(*) FROM grants g JOIN records r ON r.id = g.record_id "
                  "JOIN releases l ON l.id = g.release_id WHERE l.request_id <> r.request_id") == 0
    assert _count("SELECT count(*) FROM grants g JOIN releases l ON l.id = g.release_id "
                  "JOIN record_requests q ON q.id = l.request_id WHERE g.recipient_id IS NOT NULL "
                  "AND g.recipient_id <> q.requester_id") == 0
    assert _count("SELECT count(*) FROM deliveries d JOIN grants g ON g.id = d.grant_id "
                  "WHERE d.at < g.granted_at OR d.copy_sha256 <> g.copy_sha256") == 0
    # Closed requests have a close time, open ones none; releases only for fulfilled ones.
    assert _count("SELECT count(*) FROM record_requests WHERE (closed_at IS NULL) = (status IN "
                  "('fulfilled', 'partially_fulfilled', 'denied', 'no_responsive_records', 'withdrawn', "
                  "'duplicate'))") == 0
    assert _count("SELECT count(DISTINCT status) FROM record_requests") >= 6
    assert _count("SELECT count(*) FROM releases l JOIN record_requests q ON q.id = l.request_id "
                  "WHERE q.status NOT IN ('fulfilled', 'partially_fulfilled')") == 0
    # The audit chain verifies, its head is its last entry, and tracking numbers continue after it.
    count, broken = verify()
    assert broken is None and count == _count("SELECT count(*) FROM audit_entries") > 200
    assert _count("SELECT last_id FROM audit_head") == _count("SELECT max(id) FROM audit_entries")
    year, last = db.session.execute(sa.text("SELECT year, last FROM tracking_counters ORDER BY year DESC")).first()
    assert _count(f"SELECT count(*) FROM record_requests WHERE tracking_number = '{year}-{last:06d}'") == 1
    # The seeded text is searchable, and the seeded staff can sign in and use the app.
    from portal.auth.models import User
    admin = db.session.scalar(sa.select(User).where(User.role == "admin").limit(1))
    page = queue.search(admin, queue.parse({"status": "all", "q": "records"}), 500)
    assert page.total > 0
    title = db.session.scalar(sa.text("SELECT title FROM record_requests ORDER BY id LIMIT 1"))
    word = title.split()[0]
    assert queue.search(admin, queue.parse({"status": "all", "q": word}), 500).total == _count(
        f"SELECT count(*) FROM record_requests WHERE title LIKE '{word} %' OR description LIKE '%{word.lower()}%'")
    client = ctx.test_client()
    from tests.conftest import csrf_of
    r = client.post("/login", data={"email": admin.email, "password": PASSWORD,
                                    "csrf_token": csrf_of(client, "/login")})
    assert r.status_code == 302
    for url in ["/staff/requests?status=all", "/staff/metrics", "/admin/audit/"]:
        assert client.get(url).status_code == 200, url
    # New filings after the seed get fresh ids and tracking numbers (sequences and counters moved).
    from tests import factories as f
    req = f.request(requester=db.session.scalar(sa.select(User).where(User.role == "requester").limit(1)))
    assert req.id == 201 and req.tracking_number == f"{year}-{last + 1:06d}"


def test_seed_scale_refuses_a_used_database_and_asks_first(runner, ctx):
    from tests import factories as f
    asked = runner.invoke(args=["seed-scale", "--requests", "10", "--deliveries", "10"], input="n\n")
    assert asked.exit_code != 0 and "Add 10 requests" in asked.output
    db.session.remove()
    assert _count("SELECT count(*) FROM users") == 0  # said no: nothing written
    f.user()
    refused = runner.invoke(args=["seed-scale", "--requests", "10", "--deliveries", "10", "--yes"])
    assert refused.exit_code != 0 and "--append" in refused.output
    db.session.remove()
    assert _count("SELECT count(*) FROM record_requests") == 0
    appended = runner.invoke(args=["seed-scale", "--requests", "30", "--deliveries", "100", "--yes", "--append"])
    assert appended.exit_code == 0, appended.output
    again = runner.invoke(args=["seed-scale", "--requests", "30", "--deliveries", "100", "--yes", "--append"])
    assert again.exit_code == 0, again.output
    db.session.remove()
    assert _count("SELECT count(*) FROM record_requests") == 60
    assert _count("SELECT count(DISTINCT tracking_number) FROM record_requests") == 60
    assert verify()[1] is None


def test_seed_scale_refuses_production(app, runner, ctx):
    app.config["HTTPS"] = True
    result = runner.invoke(args=["seed-scale", "--requests", "10", "--deliveries", "10", "--yes"])
    assert result.exit_code != 0 and "production" in result.output


def test_recipients_of_a_file_page_by_cursor(runner, client, ctx):
    from portal.auth.models import User
    assert runner.invoke(args=["seed-scale", "--requests", "300", "--deliveries", "3000", "--yes"]).exit_code == 0
    db.session.remove()
    sha, grants = db.session.execute(sa.text(
        "SELECT b.sha256, count(g.id) FROM blobs b JOIN records r ON r.blob_id = b.id "
        "JOIN grants g ON g.record_id = r.id GROUP BY b.sha256 ORDER BY count(g.id) DESC LIMIT 1")).first()
    assert grants >= 3
    admin = db.session.scalar(sa.select(User).where(User.role == "admin").limit(1))
    headers = __import__("tests.factories", fromlist=["token_for"]).token_for(admin)
    whole = client.get(f"/api/v1/files/{sha}/recipients", headers=headers).get_json()
    assert "next_cursor" not in whole  # the contract's answer is unchanged without limit
    want = sorted(g["id"] for p in whole["recipients"] for g in p["grants"])
    seen, cursor = [], None
    while True:
        r = client.get(f"/api/v1/files/{sha}/recipients", headers=headers,
                       query_string={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200
        data = r.get_json()
        seen += [g["id"] for p in data["recipients"] for g in p["grants"]]
        cursor = data["next_cursor"]
        if not cursor:
            break
    assert seen == want and len(want) == grants
    for bad in [{"limit": 0}, {"limit": 5000}, {"limit": "x"}, {"limit": 2, "cursor": "-1"},
                {"limit": 2, "cursor": "9" * 30}]:
        r = client.get(f"/api/v1/files/{sha}/recipients", headers=headers, query_string=bad)
        assert r.status_code == 400, bad


def test_seed_scale_hits_the_delivery_count_when_the_newest_requests_are_open(runner, ctx):
    # 10,100 requests: the last chunk (100) is the newest three weeks: all open, without grants.
    result = runner.invoke(args=["seed-scale", "--requests", "10100", "--deliveries", "5000", "--yes"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert _count("SELECT count(*) FROM deliveries") == 5000


def test_recipients_web_page_pages_by_grant(runner, client, ctx, monkeypatch):
    import re

    from portal.auth.models import User
    from portal.clawback import views
    from tests import factories as f
    assert runner.invoke(args=["seed-scale", "--requests", "300", "--deliveries", "3000", "--yes"]).exit_code == 0
    db.session.remove()
    sha, grants = db.session.execute(sa.text(
        "SELECT b.sha256, count(g.id) FROM blobs b JOIN records r ON r.blob_id = b.id "
        "JOIN grants g ON g.record_id = r.id GROUP BY b.sha256 ORDER BY count(g.id) DESC LIMIT 1")).first()
    admin = db.session.scalar(sa.select(User).where(User.role == "admin").limit(1))
    monkeypatch.setattr(views, "RECIPIENTS_PAGE", 2)
    f.login(client, admin.email, PASSWORD)
    seen, url = [], f"/staff/files/{sha}"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += [int(i) for i in re.findall(r"<td>#(\d+) ·", html)]
        nxt = re.search(r'href="(/staff/files/[0-9a-f]+\?after=\d+)">Next grants', html)
        url = nxt.group(1) if nxt else None
    assert len(seen) == len(set(seen)) == grants and seen == sorted(seen)
    # Beyond the id column: a clear 400 from request parsing (portal/core/guard.py), as everywhere.
    assert client.get(f"/staff/files/{sha}?after=99999999999999").status_code == 400
