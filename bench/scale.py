"""The portal's pages at a city's volume on PostgreSQL: p50/p95 against a baseline in the same run.

    .venv/bin/python -m bench.scale [--requests 1000000] [--deliveries 10000000] [--runs 40]
                                    [--url postgresql+psycopg://...] [--keep] [--explain]

Without --url it starts a throwaway PostgreSQL cluster (as the tests do, tests/support/postgres.py,
with 1 GB of shared buffers), migrates it and fills it with `flask seed-scale`'s data. With --url it
reuses that database if it already holds requests (and migrates and seeds it if not). --keep leaves
the throwaway cluster running and prints its URL, for the next run's --url. Every page is fetched
through the app (Flask's test client, logged in as the right person), `runs` times after a warm-up;
--explain prints EXPLAIN (ANALYZE, BUFFERS) of each page's slowest statement.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

TARGETS_MS = {"queue": 100, "recipients": 20, "requester": 50, "metrics": 500}


def _tune(server) -> None:
    """Settings a production PostgreSQL of this size would have; shared_buffers needs a restart."""
    engine = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for setting in ("shared_buffers = '1GB'", "work_mem = '32MB'", "maintenance_work_mem = '512MB'",
                        "effective_cache_size = '8GB'", "random_page_cost = 1.1", "max_wal_size = '4GB'",
                        "checkpoint_timeout = '30min'"):
            conn.exec_driver_sql(f"ALTER SYSTEM SET {setting}")
    engine.dispose()
    # -l: the postmaster must not hold our pipes open (capture_output would wait for it).
    cmd = [server.pg_ctl, "-D", str(server.datadir), "-l", str(server.datadir.parent / "log"), "-w", "-t", "120",
           "restart"]
    if server.as_user:
        cmd = ["runuser", "-u", server.as_user, "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True)


def _prepare(url: str | None, instance: Path, n_requests: int, n_deliveries: int):
    from bench.common import portal_app
    from portal.extensions import db
    from portal.seed_scale import seed
    from tests.support.postgres import start_postgres

    server = None
    if url is None:
        server = start_postgres()
        _tune(server)
        admin = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE scale")
        admin.dispose()
        url = server.url_for("scale")
    app = portal_app(instance, url)  # migrates (a no-op when already at head)
    with app.app_context():
        have = db.session.scalar(sa.text("SELECT count(*) FROM record_requests"))
        if have:
            print(f"reusing {url}: {have:,} requests already there")
        else:
            started = time.perf_counter()
            counts = seed(n_requests, n_deliveries,
                          progress=lambda line: print(f"  {line}", file=sys.stderr, flush=True))
            db.session.commit()
            print(f"seeded {counts.requests:,} requests, {counts.deliveries:,} deliveries, {counts.grants:,} "
                  f"grants, {counts.records:,} records, {counts.events:,} events, {counts.audit:,} audit "
                  f"entries, {counts.users:,} users in {time.perf_counter() - started:.0f} s")
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
    return app, server, url


def _login(app, email: str):
    """A fresh client (its own cookie jar) logged in as `email`."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    from portal.seed_scale import PASSWORD
    r = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302, f"login of {email} failed: {r.status_code}"
    return client


class Statements:
    """The SQL one request runs, with the time each took."""

    def __init__(self, engine):
        self.engine, self.rows, self._start = engine, [], {}

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        sa.event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._before)
        sa.event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._start[id(cursor)] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.rows.append((time.perf_counter() - self._start.pop(id(cursor)), statement, parameters))


def _explain(app, client, url: str, top: int = 2) -> None:
    from portal.extensions import db
    with app.app_context():
        engine = db.engine
    with Statements(engine) as seen:
        client.get(url)
    print(f"\n--- EXPLAIN ANALYZE, slowest statements of {url} ({len(seen.rows)} statements)")
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            for took, statement, params in sorted(seen.rows, key=lambda r: r[0], reverse=True)[:top]:
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                print(f"[{took * 1000:.1f} ms] {statement[:600]}")
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                print("\n".join("    " + row[0] for row in cur.fetchall()))
        raw.rollback()
    finally:
        raw.close()


def _times(client, url: str, runs: int) -> list[float]:
    first = client.get(url)
    assert first.status_code == 200, (url, first.status_code, first.get_data(as_text=True)[:300])
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        r = client.get(url)
        out.append((time.perf_counter() - started) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    return out


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _people(app) -> dict:
    from portal.extensions import db
    q = lambda sql: db.session.execute(sa.text(sql)).first()  # noqa: E731
    with app.app_context():
        frequent = q("SELECT u.email, count(*) FROM record_requests r JOIN users u ON u.id = r.requester_id "
                     "GROUP BY u.email ORDER BY count(*) DESC LIMIT 1")
        typical = q("SELECT b.sha256, count(*) FROM blobs b JOIN records r ON r.blob_id = b.id "
                    "JOIN grants g ON g.record_id = r.id WHERE b.id = (SELECT max(blob_id) FROM records) "
                    "GROUP BY b.sha256")
        shared = q("SELECT b.sha256, count(*) FROM blobs b JOIN records r ON r.blob_id = b.id "
                   "JOIN grants g ON g.record_id = r.id WHERE b.id = (SELECT min(blob_id) FROM records) "
                   "GROUP BY b.sha256")
        staff = q("SELECT u.email, d.slug FROM users u JOIN departments d ON d.id = u.department_id "
                  "WHERE u.role = 'staff' AND d.slug LIKE 'police%' ORDER BY u.id LIMIT 1")
        admin = q("SELECT email FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")
        assignee = q(f"SELECT id FROM users WHERE email = '{staff[0]}'")
        pk = q("SELECT max(id) / 2 FROM record_requests")
    return {"frequent": frequent, "typical": typical, "shared": shared, "staff": staff[0], "dept": staff[1],
            "admin": admin[0], "assignee": assignee[0], "pk": pk[0]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--deliveries", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--url", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    from bench.common import close_database
    from portal.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app, server, url = _prepare(args.url, Path(tmp), args.requests, args.deliveries)
        try:
            with app.app_context():
                sizes = dict(db.session.execute(sa.text(
                    "SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE relname IN "
                    "('record_requests', 'deliveries', 'grants', 'records', 'audit_entries', 'users')")).all())
            print("rows: " + ", ".join(f"{k} {v:,}" for k, v in sorted(sizes.items())))
            who = _people(app)
            client = app.test_client()
            # Baselines, in this run: a database round trip and a bare primary-key lookup, then the
            # portal's lightest page through the same client.
            with app.app_context():
                db.session.execute(sa.text("SELECT 1"))
                rtt = [_timed(lambda: db.session.execute(sa.text("SELECT 1")).scalar()) for _ in range(200)]
                pkl = [_timed(lambda: db.session.execute(sa.text(
                    "SELECT title FROM record_requests WHERE id = :i"), {"i": who["pk"]}).scalar())
                       for _ in range(200)]
            home = _times(client, "/", args.runs)
            base = statistics.median(home)
            print(f"\nbaselines: SELECT 1 p50 {statistics.median(rtt):.2f} ms; primary-key lookup p50 "
                  f"{statistics.median(pkl):.2f} ms; home page / p50 {base:.1f} ms p95 {_p(home, 95):.1f} ms")
            print(f"{'page':<72} {'p50':>7} {'p95':>7} {'target':>7}  x home")
            pages = [
                ("queue", who["staff"], "/staff/requests"),
                ("queue", who["staff"], "/staff/requests?status=all&q=body+camera+footage"),
                ("queue", who["staff"], f"/staff/requests?status=all&assignee={who['assignee']}&sort=-received"),
                ("queue", who["staff"], "/staff/requests?due=overdue"),
                ("queue", who["admin"], "/staff/requests?status=all&q=lead+drinking+water"),
                ("queue", who["admin"], "/staff/requests?q=lead+drinking+water"),
                ("queue", who["admin"], "/staff/requests?status=all&q=%22Elm+Street%22+emails&department=police"),
                ("queue", who["admin"], "/staff/requests?status=closed&department=planning&sort=-received"),
                ("queue", who["admin"], "/staff/requests?status=all&page=400"),
                ("recipients", who["admin"], f"/staff/files/{who['typical'][0]}"),
                ("recipients", who["admin"], f"/api/v1/files/{who['typical'][0]}/recipients"),
                ("recipients", who["admin"], f"/staff/files/{who['shared'][0]}"),
                ("requester", who["frequent"][0], "/my/requests"),
                ("metrics", who["admin"], "/staff/metrics"),
                ("metrics", who["staff"], "/staff/metrics"),
                ("audit", who["admin"], "/admin/audit/"),
                ("audit", who["admin"], f"/admin/audit/?actor={who['staff']}"),
            ]
            results, current, token = [], None, None
            for kind, email, page in pages:
                if email != current:
                    client, current = _login(app, email), email
                if page.startswith("/api/"):
                    token = token or _token(app, email)
                    times = _api_times(client, page, token, args.runs)
                else:
                    times = _times(client, page, args.runs)
                p50, p95 = statistics.median(times), _p(times, 95)
                target = TARGETS_MS.get(kind)
                verdict = "" if target is None else ("met" if p95 < target else "NOT MET")
                label = page if len(page) <= 60 else page[:57] + "..."
                print(f"{kind + ' ' + label:<72} {p50:7.1f} {p95:7.1f} {str(target or '-'):>7}  "
                      f"{p50 / base:5.1f}x {verdict}")
                results.append((kind, page, p50, p95))
            print(f"\nrequester page: {who['frequent'][0]} has {who['frequent'][1]:,} requests; typical file has "
                  f"{who['typical'][1]} grants, shared file {who['shared'][1]} grants")
            if args.explain:
                for kind, email, page in pages:
                    if page.startswith("/api/"):
                        continue
                    _explain(app, _login(app, email), page)
        finally:
            close_database(app)
            if server and args.keep:
                print(f"\ncluster kept: --url {url}  (stop: {server.pg_ctl} -D {server.datadir} stop)")
            elif server:
                server.stop()


def _timed(operation) -> float:
    started = time.perf_counter()
    operation()
    return (time.perf_counter() - started) * 1000


def _token(app, email: str) -> str:
    from portal.auth.services import create_token, find_user
    from portal.extensions import db
    with app.app_context():
        user = find_user(email)
        _, secret = create_token(user, user, "bench")
        db.session.commit()
    return secret


def _api_times(client, url: str, token: str, runs: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(url, headers=headers).status_code == 200, url
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url, headers=headers)
        out.append((time.perf_counter() - started) * 1000)
    return out


if __name__ == "__main__":
    main()
