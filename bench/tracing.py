"""Who has a file, at scale: recipients_json over 1,000,000 deliveries in PostgreSQL, against a
primary-key lookup of one delivery row in the same run.

Run from the repository root (about two minutes; it starts its own PostgreSQL on loopback
with tests/support/postgres.py and removes it afterwards):

    python -m bench.tracing

The database is migrated as the tests do it, then seeded in bulk with INSERT ... SELECT over
generate_series (the services are bypassed for speed; the audit triggers stay): 50,000
requesters, 5,000 requests, 20,000 blobs and records, one release per record, 200,000 grants
(10 per record, ids interleaved so that a file's grants lie apart on disk, as they do when
issued over time) and 1,000,000 deliveries (5 per grant, interleaved the same way), every NOT
NULL column filled. Then ANALYZE.

`tracing.recipients_json(admin, sha256)` is called CALLS times, spread over FILES files of
the typical fan-out (10 grants, 50 deliveries), each call in a fresh database session as a
web request has. The yardstick is the ORM's SELECT of one delivery row by primary key, in a
fresh session, timed the same way. Medians. EXPLAIN (ANALYZE, BUFFERS) of every statement one
call issues is printed after the table. Target: recipients_json under 20 ms. Exits 1 if missed.
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

from bench.common import close_database, median_ms, portal_app, timed
from tests.support.postgres import start_postgres

USERS = 50_000
DEPARTMENTS = 10
STAFF = 20
REQUESTS = 5_000
RECORDS = 20_000
GRANTS_PER_RECORD = 10
DELIVERIES_PER_GRANT = 5
GRANTS = RECORDS * GRANTS_PER_RECORD
DELIVERIES = GRANTS * DELIVERIES_PER_GRANT
FILES = 5
CALLS = 50
TARGET_MS = 20.0

# Each statement fills one table; :names are the sizes above. Ids are given, so that rows can
# point at each other by arithmetic; the sequences are moved past them afterwards.
SEED = [
    """INSERT INTO departments (id, slug, name, law, created_at)
       SELECT i, 'dept-' || i, 'Department ' || i, 'foia', now() - interval '3 years'
       FROM generate_series(1, :departments) i""",
    """INSERT INTO users (id, email, name, password_hash, role, department_id, active, email_verified_at,
                         created_at)
       SELECT i, 'person' || i || '@example.org', 'Person ' || i, NULL, 'requester', NULL, true,
              now() - interval '2 years', now() - interval '2 years'
       FROM generate_series(1, :users) i""",
    """INSERT INTO users (id, email, name, password_hash, role, department_id, active, email_verified_at,
                         created_at)
       SELECT :users + i, 'staff' || i || '@city.example', 'Staff ' || i, NULL, 'staff',
              1 + i % :departments, true, now() - interval '3 years', now() - interval '3 years'
       FROM generate_series(1, :staff) i""",
    """INSERT INTO record_requests (id, tracking_number, department_id, requester_id, assignee_id, title,
                                   description, status, received_at, due_date, closed_at)
       SELECT r, 'B-' || lpad(r::text, 8, '0'), 1 + r % :departments, 1 + (r * 7919) % :users,
              :users + 1 + r % :staff, 'Request ' || r, 'All records about matter ' || r, 'fulfilled',
              now() - interval '2 years' + r * interval '2 hours', NULL, NULL
       FROM generate_series(1, :requests) r""",
    """INSERT INTO blobs (id, sha256, size, content_type, backend, key, created_at)
       SELECT k, encode(sha256(('blob ' || k)::bytea), 'hex'), 50000 + k, 'application/pdf', 'local',
              'blobs/bench/' || k, now() - interval '2 years' + k * interval '30 minutes'
       FROM generate_series(1, :records) k""",
    """INSERT INTO records (id, request_id, blob_id, filename, disposition, exemption, replaces_id,
                           uploaded_by_id, uploaded_at)
       SELECT k, 1 + (k - 1) % :requests, k, 'record-' || k || '.pdf', 'release', NULL, NULL,
              :users + 1 + k % :staff, now() - interval '2 years' + k * interval '30 minutes'
       FROM generate_series(1, :records) k""",
    """INSERT INTO releases (id, request_id, released_by_id, released_at, public, row_order_free, content_marks)
       SELECT k, 1 + (k - 1) % :requests, :users + 1 + k % :staff,
              now() - interval '2 years' + k * interval '31 minutes', false, false, false
       FROM generate_series(1, :records) k""",
    """INSERT INTO release_records (release_id, record_id) SELECT k, k FROM generate_series(1, :records) k""",
    """INSERT INTO grants (id, release_id, record_id, recipient_id, public_label, code, granted_at, expires_at,
                          revoked_at, revoked_reason, copy_state, copy_key, copy_sha256, copy_size,
                          copy_content_type, copy_error)
       SELECT g, 1 + (g - 1) % :records, 1 + (g - 1) % :records, 1 + (g * 7919) % :users, NULL,
              'BENCH-' || lpad(g::text, 10, '0'), now() - interval '2 years' + g * interval '3 minutes',
              NULL, NULL, NULL, 'ready', 'copies/grant-' || g, encode(sha256(('copy ' || g)::bytea), 'hex'),
              51000 + g, 'application/pdf', NULL
       FROM generate_series(1, :grants) g""",
    """INSERT INTO deliveries (id, grant_id, at, ip, user_agent, copy_sha256, sha256, bytes_sent, completed,
                              finished_at, error)
       SELECT d, 1 + (d - 1) % :grants, now() - interval '2 years' + d * interval '40 seconds',
              '198.51.100.' || d % 250,
              'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
              encode(sha256(('copy ' || 1 + (d - 1) % :grants)::bytea), 'hex'),
              encode(sha256(('copy ' || 1 + (d - 1) % :grants)::bytea), 'hex'),
              51000 + 1 + (d - 1) % :grants, true, now() - interval '2 years' + d * interval '40 seconds', NULL
       FROM generate_series(1, :deliveries) d""",
]
TABLES = ["departments", "users", "record_requests", "blobs", "records", "releases", "grants", "deliveries"]


def main() -> int:
    server = start_postgres()
    try:
        admin = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE portal_bench")
        admin.dispose()
        with tempfile.TemporaryDirectory(prefix="bench-tracing-") as scratch:
            app = portal_app(Path(scratch), server.url_for("portal_bench"))
            with app.app_context():
                seconds = timed(seed)
                result = measure()
            close_database(app)
    finally:
        server.stop()
    print(report(result, seconds))
    print(result["explain"])
    return 0 if result["median_ms"] < TARGET_MS else 1


def seed() -> None:
    from portal.extensions import db

    sizes = {"departments": DEPARTMENTS, "users": USERS, "staff": STAFF, "requests": REQUESTS,
             "records": RECORDS, "grants": GRANTS, "deliveries": DELIVERIES}
    with db.engine.begin() as conn:
        for statement in SEED:
            conn.execute(sa.text(statement), {k: v for k, v in sizes.items() if f":{k}" in statement})
        for table in TABLES:
            conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.exec_driver_sql("ANALYZE")


def measure() -> dict:
    from portal.auth.models import Role, User
    from portal.clawback.tracing import recipients_json
    from portal.disclosures.models import Delivery
    from portal.extensions import db
    from tests import factories as f

    admin_id = f.user(Role.admin).id  # through the services, audit row and all
    counts = {t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in TABLES}
    rng = random.Random(3)
    files = [db.session.scalar(sa.text("SELECT sha256 FROM blobs WHERE id = :id"), {"id": rng.randint(1, RECORDS)})
             for _ in range(FILES)]
    delivery_ids = [rng.randint(1, DELIVERIES) for _ in range(CALLS)]

    def fresh_admin() -> User:
        db.session.remove()  # each call in its own session, as each web request has
        return db.session.get(User, admin_id)

    fan_out = set()
    for sha in files:  # warm-up, and the fan-out each file really has
        data = recipients_json(fresh_admin(), sha)
        grants = [g for person in data["recipients"] for g in person["grants"]]
        fan_out.add((len(grants), sum(len(g["deliveries"]) for g in grants)))

    ours, pk = [], []
    for n in range(CALLS):
        actor, sha = fresh_admin(), files[n % FILES]
        ours.append(timed(lambda: recipients_json(actor, sha)))
        fresh_admin()
        pk.append(timed(lambda: db.session.scalar(sa.select(Delivery).where(Delivery.id == delivery_ids[n]))))
    actor = fresh_admin()
    statements = _statements(lambda: recipients_json(actor, files[0]))
    return {"counts": counts, "fan_out": sorted(fan_out), "median_ms": median_ms(ours),
            "p95_ms": statistics.quantiles(ours, n=20)[-1] * 1000, "pk_ms": median_ms(pk),
            "queries": len(statements), "explain": explain(statements)}


def _statements(call) -> list[tuple[str, object]]:
    """The SQL statements (and their parameters) that `call` issues."""
    from portal.extensions import db

    seen = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    return seen


def explain(statements: list[tuple[str, object]]) -> str:
    from portal.extensions import db

    out = []
    with db.engine.connect() as conn:
        for n, (statement, parameters) in enumerate(statements, 1):
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars().all()
            out += [f"-- query {n} of {len(statements)}", " ".join(statement.split()), f"-- parameters: {parameters}",
                    *plan, ""]
    return "\n".join(out)


def report(r: dict, seed_seconds: float) -> str:
    counts = ", ".join(f"{t} {n:,}" for t, n in r["counts"].items())
    fan_out = "; ".join(f"{g} grants, {d} deliveries" for g, d in r["fan_out"])
    met = "yes" if r["median_ms"] < TARGET_MS else "**NO**"
    return "\n".join([
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; seeded in {seed_seconds:.0f} s: {counts}",
        f"{FILES} files, each {fan_out}; {r['queries']} queries per call", "",
        "| measure | median (ms) | p95 (ms) | baseline: PK lookup of one delivery (ms) | ratio | target | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | :---: |",
        f"| recipients_json(admin, sha256), {CALLS} calls | {r['median_ms']:.2f} | {r['p95_ms']:.2f} | "
        f"{r['pk_ms']:.2f} | {r['median_ms'] / r['pk_ms']:.1f}x | < {TARGET_MS:.0f} ms | {met} |",
        ""])


if __name__ == "__main__":
    sys.exit(main())
