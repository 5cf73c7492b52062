"""Five main pages under load, before and after a change, in one run: p50 and p95 and their ratio.

    .venv/bin/python -m bench.pages --before /tmp/before [--after .] [--backends sqlite,postgres]
        [--requests 10000] [--deliveries 100000] [--seconds 20] [--clients 16]

BEFORE and AFTER are two checkouts of the portal (e.g. `git archive COMMIT | tar -x -C /tmp/before`).
For each backend it makes one database (an SQLite file, or a throwaway PostgreSQL cluster tuned as
bench/scale.py tunes it), migrates it and fills it with `flask seed-scale` from BEFORE, copies it
(the same rows) and migrates the copy with AFTER (its own migrations, e.g. new indexes). BEFORE
and AFTER are then served side by side, each by gunicorn (`-w 2 --threads 4 -k gthread`, as the
README says) on its own database, and each page is measured on one, then the other, ROUNDS times
(SECONDS in all per server, after a two-second warm-up each turn), so that whatever else the
machine does falls on both alike. CLIENTS concurrent keep-alive connections (two load processes)
fetch the page, each logged in as the page's person:

- the staff queue (`/staff/requests`) and a staff request page (`/requests/ID`, the police request
  with the most timeline events), as a police staff member;
- the recipient's files page (`/me/files`) of the requester with the most grants;
- who has this file (`/staff/files/SHA256`) of the most-granted file, as an administrator;
- the public log (`/log`), with no login.

Every answer must be a 200 (else the page's row says how many were not). Besides p50 and p95 it
prints the workers' CPU time per answer (from /proc), which the machine's other work disturbs far
less than latency. The run commits nothing but the logins' session rows.
"""
from __future__ import annotations

import argparse
import contextlib
import shutil
import http.client
import multiprocessing as mp
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import sqlalchemy as sa

from tests.support.postgres import free_port

PASSWORD = "scale-password-1"  # portal/seed_scale.py's
GUNICORN = ["-w", "2", "--threads", "4", "-k", "gthread"]
TARGET_P95_MS = 150
WORST_RATIO = 1.2


def _env(tree: Path, url: str, instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return env | {"PORTAL_DATABASE_URL": url, "PORTAL_STORAGE": "local",
                  "PORTAL_STORAGE_DIR": str(instance / "files"), "PORTAL_OUTBOX_DIR": str(instance / "outbox"),
                  "PORTAL_SECRET_KEY": "bench-secret", "PORTAL_WATERMARK_KEY": "bench-watermark",
                  "PYTHONPATH": str(tree)}


def _flask(tree: Path, env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=tree, env=env, check=True)


def _people(url: str) -> dict:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        one = lambda sql: conn.execute(sa.text(sql)).first()  # noqa: E731
        staff = one("SELECT u.email, u.department_id FROM users u JOIN departments d ON d.id = u.department_id "
                    "WHERE u.role = 'staff' AND d.slug = 'police' ORDER BY u.id LIMIT 1")
        request = one(f"SELECT r.id, count(*) FROM record_requests r JOIN request_events e ON e.request_id = r.id "
                      f"WHERE r.department_id = {staff[1]} GROUP BY r.id ORDER BY count(*) DESC, r.id LIMIT 1")
        recipient = one("SELECT u.email, count(*) FROM grants g JOIN users u ON u.id = g.recipient_id "
                        "GROUP BY u.email ORDER BY count(*) DESC LIMIT 1")
        shared = one("SELECT b.sha256, count(*) FROM grants g JOIN records r ON r.id = g.record_id "
                     "JOIN blobs b ON b.id = r.blob_id GROUP BY b.sha256 ORDER BY count(*) DESC LIMIT 1")
        admin = one("SELECT email FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")
        sizes = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                 for t in ("record_requests", "grants", "deliveries", "request_events")}
    engine.dispose()
    return {"pages": [
        ("staff queue", staff[0], "/staff/requests"),
        (f"staff request page ({request[1]} events)", staff[0], f"/requests/{request[0]}"),
        (f"recipient's files ({recipient[1]} grants)", recipient[0], "/me/files"),
        (f"who has this file ({shared[1]} grants)", admin[0], f"/staff/files/{shared[0]}"),
        ("public log", None, "/log"),
    ], "sizes": sizes}


def _cookies(headers, jar: dict) -> dict:
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, val = value.split(";", 1)[0].partition("=")
            jar[key.strip()] = val.strip()
    return jar


def _login(port: int, email: str | None) -> str:
    if email is None:
        return ""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/login")
    r = conn.getresponse()
    page, jar = r.read().decode(), _cookies(r.getheaders(), {})
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    conn.request("POST", "/login", body=urllib.parse.urlencode(
        {"email": email, "password": PASSWORD, "csrf_token": token}), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    r = conn.getresponse()
    r.read()
    if r.status != 302:
        raise RuntimeError(f"login of {email} answered {r.status}")
    conn.close()
    return "; ".join(f"{k}={v}" for k, v in _cookies(r.getheaders(), jar).items())


def _load(port: int, path: str, cookie: str, threads: int, start: float, stop: float, out) -> None:
    """`threads` keep-alive connections fetching `path` until `stop`; latencies of answers begun after `start`."""
    import threading
    times, bad = [], [0]

    def loop() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": cookie} if cookie else {}
        while (began := time.time()) < stop:
            try:
                conn.request("GET", path, headers=headers)
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            if began >= start:
                times.append(time.time() - began) if ok else None
                bad[0] += not ok
        conn.close()

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put((times, bad[0]))


def _measure(port: int, path: str, cookie: str, clients: int, seconds: float) -> dict:
    start = time.time() + 2.0  # warm-up
    out, procs = mp.Queue(), []
    for n in (clients // 2, clients - clients // 2):
        procs.append(mp.Process(target=_load, args=(port, path, cookie, n, start, start + seconds, out)))
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    return {"times": [t * 1000 for r in results for t in r[0]], "errors": sum(r[1] for r in results)}


@contextlib.contextmanager
def _serve(tree: Path, env: dict, log: Path):
    port = free_port()
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", *GUNICORN, "-b", f"127.0.0.1:{port}", "wsgi:app"],
                                  cwd=tree, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn in {tree} exited: {log.read_text()[-2000:]}")
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/log")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not listen within 90 s") from None
                time.sleep(0.2)
        yield port, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _compare(ports: dict, pages, clients: int, seconds: float, rounds: int) -> dict:
    """Each page on each server in turns (before, after, before, ...), SECONDS in all per server, so
    that whatever else the machine does falls on both alike."""
    out = {name: [] for name in ports}
    for label, email, path in pages:
        cookies = {name: _login(port, email) for name, (port, _) in ports.items()}
        parts = {name: [] for name in ports}
        for _ in range(rounds):
            for name, (port, pid) in ports.items():
                ticks = _worker_ticks(pid)
                part = _measure(port, path, cookies[name], clients, seconds / rounds)
                part["ticks"] = _worker_ticks(pid) - ticks
                parts[name].append(part)
        for name in ports:
            row = _merge(parts[name])
            print(f"  {name:<6} {label:<40} n={row['n']:<6} errors={row['errors']:<4} p50 {row['p50']:7.1f} ms  "
                  f"p95 {row['p95']:7.1f} ms  server CPU {row['cpu_ms']:5.1f} ms/request", flush=True)
            out[name].append(row)
    return out


def _merge(parts: list[dict]) -> dict:
    times = sorted(t for part in parts for t in part["times"])
    errors = sum(part["errors"] for part in parts)
    # CPU of the warm-up's answers too: per answer of the whole window, roughly (n counts the measured ones).
    cpu_ms = sum(part["ticks"] for part in parts) * 1000 / os.sysconf("SC_CLK_TCK") / max(1, len(times))
    if len(times) < 2:
        return {"n": len(times), "errors": errors, "p50": float("nan"), "p95": float("nan"), "cpu_ms": cpu_ms}
    q = statistics.quantiles(times, n=100, method="inclusive")
    return {"n": len(times), "errors": errors, "p50": q[49], "p95": q[94], "cpu_ms": cpu_ms}


def _worker_ticks(master: int) -> int:
    """User + system CPU ticks of the gunicorn workers of `master` (its children)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while we looked
            continue
        if int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])
    return total


def _databases(kind: str, tmp: Path):
    """The URL of an empty database, a function that copies it to a second one (returning its URL),
    and the PostgreSQL server (or None)."""
    if kind == "sqlite":
        path = tmp / "before.db"

        def copy() -> str:
            shutil.copyfile(path, tmp / "after.db")
            return f"sqlite:///{tmp / 'after.db'}"
        return f"sqlite:///{path}", copy, None
    from bench.scale import _tune
    from tests.support.postgres import start_postgres
    server = start_postgres()
    _tune(server)

    def sql(statement: str) -> None:
        admin = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(statement)
        admin.dispose()

    def copy() -> str:
        sql("CREATE DATABASE pages_after TEMPLATE pages_before")
        return server.url_for("pages_after")
    sql("CREATE DATABASE pages_before")
    return server.url_for("pages_before"), copy, server


def _analyze(url: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE")
    engine.dispose()


def run(kind: str, args) -> list[tuple]:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        url, copy, server = _databases(kind, tmp)
        try:
            before_env = _env(args.before, url, tmp / "before")
            _flask(args.before, before_env, "db", "upgrade")
            started = time.monotonic()
            _flask(args.before, before_env, "seed-scale", "--requests", str(args.requests),
                   "--deliveries", str(args.deliveries), "--yes")
            _analyze(url)
            who = _people(url)
            print(f"\n{kind}: seeded in {time.monotonic() - started:.0f} s: "
                  + ", ".join(f"{k} {v:,}" for k, v in who["sizes"].items()), flush=True)
            after_url = copy()  # the same rows; AFTER's own migrations (indexes) go on the copy only
            after_env = _env(args.after, after_url, tmp / "after")
            _flask(args.after, after_env, "db", "upgrade")
            _analyze(after_url)
            with _serve(args.before, before_env, tmp / "before.log") as before, \
                    _serve(args.after, after_env, tmp / "after.log") as after:
                found = _compare({"before": before, "after": after}, who["pages"], args.clients,
                                 args.seconds, args.rounds)
        finally:
            if server:
                server.stop()
    return [(kind, page[0], b, a) for page, b, a in zip(who["pages"], found["before"], found["after"])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, default=Path.cwd())
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--deliveries", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2, help="turns per page and server")
    args = parser.parse_args()
    args.before, args.after = args.before.resolve(), args.after.resolve()
    rows = [row for kind in args.backends.split(",") for row in run(kind, args)]
    print("\n| backend | page | before p50 | before p95 | after p50 | after p95 | p95 after/before "
          "| server CPU per answer, before / after | verdict |")
    print("|---|---|---|---|---|---|---|---|---|")
    failed = False
    for kind, label, b, a in rows:
        ratio = a["p95"] / b["p95"]
        ok = a["p95"] <= TARGET_P95_MS and ratio <= WORST_RATIO and not a["errors"]
        failed |= not ok
        errors = f" ({a['errors']} not 200)" if a["errors"] else ""
        print(f"| {kind} | {label} | {b['p50']:.0f} ms | {b['p95']:.0f} ms | {a['p50']:.0f} ms | {a['p95']:.0f} ms "
              f"| {ratio:.2f}x | {b['cpu_ms']:.1f} / {a['cpu_ms']:.1f} ms | {'met' if ok else 'NOT MET'}{errors} |")
    print(f"\ntargets: p95 <= {TARGET_P95_MS} ms after, and at most {WORST_RATIO:.1f}x the p95 before")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
