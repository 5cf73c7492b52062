"""Load: 200 concurrent downloads of marked copies, by 200 recipients, against a static file.

Run from the repository root (about a minute on 2 cores; needs Debian's postgresql):

    python -m bench.load
    python -m bench.load --clients 200 --size 262144 --workers 4 --threads 4

A throwaway PostgreSQL (tests/support/postgres.py) holds the portal's database; files are local.
One record of SIZE bytes (a text memo) is released to CLIENTS requesters at once: one grant each,
each with its own API token. The portal runs under gunicorn (gthread, WORKERS x THREADS) on a
free loopback port, configured by PORTAL_* variables. CLIENTS threads, released together by a
barrier, each GET /api/v1/grants/ID/download with their own token and read the whole body
(http.client, one connection each); latency is from the request to the last byte.

- wave 1, first downloads: each copy is marked, stored and logged on demand;
- wave 2, the same downloads again: the stored copies, logged;
- baseline: the same CLIENTS concurrent GETs of a static file of the first copy's size, from a
  bare Flask app (`send_file`) under the same gunicorn settings, in the same run.

Checks, exit 1 if one fails: every answer is 200 with a whole body; each wave adds exactly
CLIENTS delivery rows, all complete, whose sha256 is the body the client got; the CLIENTS bodies of
a wave are CLIENTS different copies.
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bench.common import close_database, portal_app
from bench.downloads import gunicorn

CLIENTS = 200
SIZE = 256 * 1024
WORKERS = 4
THREADS = 4


@dataclass
class Wave:
    name: str
    latencies: list[float] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    bytes: int = 0

    def q(self, n: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[n - 1] * 1000

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds


def static_app(path: str):
    """The baseline: a bare Flask app sending one file, as gunicorn's `bench.load:static_app(path=...)`."""
    from flask import Flask, send_file
    app = Flask(__name__)

    @app.get("/file")
    def file():
        return send_file(path, mimetype="text/plain", as_attachment=True, download_name="memo.txt")

    return app


def memo(size: int) -> bytes:
    line = b"Budget memo line %06d: overtime, equipment and training, as approved by the council.\n"
    out, n = bytearray(), 0
    while len(out) < size:
        out += line % n
        n += 1
    return bytes(out[:size - 1]) + b"\n"


def seed(app, clients: int, size: int) -> list[tuple[int, str]]:
    """One record released to `clients` requesters: (grant id, that recipient's token) each."""
    from portal.auth.models import Role
    from portal.auth.services import create_token
    from portal.disclosures import services
    from portal.extensions import db
    from tests import factories as f

    with app.app_context():
        dept = f.department("records")
        staff = f.user(Role.staff, dept=dept)
        requester = f.user(email="requester@example.org")
        req = f.request_for(requester, dept)
        rec = f.upload(staff, req, memo(size), filename="overtime-memo.txt")
        others = [f"recipient{n:03d}@example.org" for n in range(1, clients)]
        rel = services.create_release(staff, req.id, [rec.id], recipients=others)
        db.session.commit()
        out = []
        for grant in rel.grants:
            user = grant.recipient
            if user.email_verified_at is None:  # recipients named by staff confirm their address first
                from portal.core.models import utcnow
                user.email_verified_at = utcnow()
            _, secret = create_token(user, user, "load")
            out.append((grant.id, secret))
        db.session.commit()
        return out


def fetch(port: int, path: str, token: str | None) -> tuple[float, int, bytes, str]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
        resp = conn.getresponse()
        body = resp.read()
        return time.perf_counter() - started, resp.status, body, resp.getheader("Content-Length") or ""
    finally:
        conn.close()


def wave(name: str, port: int, jobs: list[tuple[str, str | None]]) -> Wave:
    result, lock = Wave(name), threading.Lock()
    barrier = threading.Barrier(len(jobs) + 1)

    def run(path: str, token: str | None):
        barrier.wait()
        try:
            seconds, status, body, length = fetch(port, path, token)
        except Exception as exc:  # noqa: BLE001  (every failure is counted and shown)
            with lock:
                result.errors.append(f"{path}: {type(exc).__name__}: {exc}")
            return
        with lock:
            if status != 200 or str(len(body)) != length:
                result.errors.append(f"{path}: {status}, {len(body)} of {length} bytes: {body[:200]!r}")
            result.latencies.append(seconds)
            result.digests.append(hashlib.sha256(body).hexdigest())
            result.bytes += len(body)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    return result


def deliveries(url: str) -> list[tuple[bool, str | None]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text("SELECT completed, sha256 FROM deliveries ORDER BY id"))]
    finally:
        engine.dispose()


def check(w: Wave, rows: list[tuple[bool, str | None]], clients: int, distinct: bool) -> list[str]:
    problems = [f"{w.name}: {e}" for e in w.errors[:10]]
    if len(rows) != clients:
        problems.append(f"{w.name}: {len(rows)} delivery rows, expected exactly {clients}")
    if not all(done for done, _ in rows):
        problems.append(f"{w.name}: {sum(not d for d, _ in rows)} delivery rows not complete")
    if sorted(d for _, d in rows) != sorted(w.digests):
        problems.append(f"{w.name}: the delivery rows' sha256 are not the bodies the clients got")
    if distinct and len(set(w.digests)) != clients:
        problems.append(f"{w.name}: {len(set(w.digests))} different bodies for {clients} recipients")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--size", type=int, default=SIZE, help="bytes of the released memo")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--threads", type=int, default=THREADS)
    args = parser.parse_args(argv)
    settings = ["-k", "gthread", "-w", str(args.workers), "--threads", str(args.threads),
                "--backlog", "2048", "--timeout", "300", "--log-level", "warning"]

    from tests.support.postgres import start_postgres
    server = start_postgres()
    try:
        admin = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE portal_load")
        admin.dispose()
        url = server.url_for("portal_load")
        with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
            scratch = Path(tmp)
            instance = scratch / "instance"
            secret = secrets.token_urlsafe(32)
            app = portal_app(instance, url, SECRET_KEY=secret)
            jobs = seed(app, args.clients, args.size)
            close_database(app)
            env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")} | {
                "PORTAL_DATABASE_URL": url, "PORTAL_STORAGE": "local",
                "PORTAL_STORAGE_DIR": app.config["STORAGE_DIR"], "PORTAL_SECRET_KEY": secret,
                "PORTAL_WATERMARK_KEY": app.config["WATERMARK_KEY"], "PORTAL_BASE_URL": app.config["BASE_URL"]}
            paths = [(f"/api/v1/grants/{g}/download", token) for g, token in jobs]
            with gunicorn(f"portal:create_app(instance_path={str(instance)!r})", env,
                           scratch / "portal.log", settings) as port:
                fetch(port, "/login", None)  # imports and templates loaded before the clock starts
                first = wave("first downloads (marked on demand)", port, paths)
                rows1 = deliveries(url)
                again = wave("second downloads (stored copies)", port, paths)
                rows2 = deliveries(url)[len(rows1):]
            copy_size = first.bytes // max(1, len(first.latencies))
            static = scratch / "static.txt"
            static.write_bytes(memo(copy_size))
            with gunicorn(f"bench.load:static_app(path={str(static)!r})", env,
                           scratch / "static.log", settings) as port:
                fetch(port, "/file", None)
                base = wave("baseline: a static file of the same size", port,
                            [("/file", None)] * args.clients)
    finally:
        server.stop()

    problems = check(first, rows1, args.clients, True) + check(again, rows2, args.clients, True)
    problems += [f"{base.name}: {e}" for e in base.errors[:10]]
    print(f"## Load: {args.clients} concurrent downloads\n")
    print(f"gunicorn {' '.join(settings[:6])}; {args.clients} clients at once; copy {copy_size} bytes; "
          f"{os.cpu_count()} cores\n")
    print("| | p50 | p95 | p99 | downloads/s | MB/s | ratio to baseline (p50, downloads/s) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for w in (first, again, base):
        ratio = ("" if w is base else
                 f"{w.q(50) / base.q(50):.1f}x, {w.per_second / base.per_second:.2f}x")
        print(f"| {w.name} | {w.q(50):.0f} ms | {w.q(95):.0f} ms | {w.q(99):.0f} ms | {w.per_second:.0f} "
              f"| {w.bytes / w.seconds / 1e6:.1f} | {ratio} |")
    print(f"\ndelivery rows: wave 1 {len(rows1)} ({sum(d for d, _ in rows1)} complete), "
          f"wave 2 {len(rows2)} ({sum(d for d, _ in rows2)} complete); errors: "
          f"{len(first.errors) + len(again.errors) + len(base.errors)}")
    for p in problems:
        print(f"FAILED: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
