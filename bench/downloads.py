"""Downloads: a PDF's first and cached download against qpdf, the recipient's files page
under gunicorn against a bare Flask app, and the memory of a 1 GiB download.

Run from the repository root (a few minutes on 2 cores; needs qpdf and about 4 GiB of
free space in the temporary folder):

    python -m bench.downloads                  # all three parts
    python -m bench.downloads --part pdf       # or page, memory; repeatable

Every part measures its yardstick in the same run and prints the ratio to it:

- pdf: each PDF of bench/pdf_samples.py (200-page text PDFs of 150 KB, 236 KB, 270 KB and
  2 MB, a 20-page image PDF and a 1,000-page text PDF: both sides of the self-check's 256 KB
  and of the page counts) is uploaded and released RUNS + 1 times to one
  requester. Each grant's first download through the API (GET /api/v1/grants/ID/download
  with a bearer token: marking, storing the copy, the delivery row, streaming) and its
  second (the stored copy) are timed; the first grant only warms up. Between them runs
  `qpdf in.pdf --overlay stamp.pdf --repeat=1 -- out.pdf` with a one-page stamp of a footer
  and a diagonal text made with pikepdf (without --repeat qpdf stamps page 1 only).
  Medians. Target: the first download at most 2x qpdf.
- page: GET /me/files for a requester with 20 grants on 5 requests and some deliveries,
  logged in with a session cookie (a real login through the form), against a bare Flask app
  returning a page of the same size (bench/bare_flask.py). Both run under gunicorn with the
  same settings on a free loopback port, configured by PORTAL_* variables (SQLite and local
  files in a scratch instance folder, seeded before gunicorn starts). Each round sends
  REQUESTS requests from CLIENTS threads (http.client, keep-alive where the server allows it;
  gunicorn's sync worker closes each connection) to each target in turn, in alternating
  order. Median round for requests/s; p50 and p95 over all rounds. The portal's anonymous
  login form, which runs no query, is measured too, as the portal's floor. Target: at least
  0.5x the bare app's requests/s. The gunicorn workers' CPU time per request (from /proc, over
  the measured rounds) is reported too: the load client shares the 2 cores, and CPU per request
  moves less than requests/s when other jobs run. So is the number of Python bytecodes each app
  runs per request in-process (sys.settrace), which does not move at all.
- memory: a 1 GiB MP4-like file goes in through the API (multipart, prepared on disk
  beforehand) and is released (screening holds a file over SCREENING_MAX_BYTES unread; an
  administrator approves the hold). Its copy is made by the worker (the file is over
  MARK_INLINE_MAX_BYTES and MARK_IN_MEMORY_MAX_BYTES, so the streamed ZIP wrapper), and it is
  downloaded through the app with the body iterated and dropped. Each phase runs in a fresh
  process that reports its peak RSS (VmHWM, reset just before) over its RSS just before.
  Target: under 150 MiB.

Exits 1 if a target is missed.
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import http.client
import io
import itertools
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

from bench.pdf_samples import SAMPLES
from bench.common import close_database, median_ms, portal_app, reset_peak_rss, status_kb, timed
from tests.support.postgres import free_port
from tests.support.streams import GeneratedStream

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 ** 2

RUNS = 5
FIRST_TARGET = 2.0

GRANTS = 20
REQUESTS_FILED = 5
REQUESTS = 2000
CLIENTS = 8
ROUNDS = 5  # medians of 5: the machine's speed drifts by a fifth between rounds
GUNICORN = ["-w", "2", "--threads", "1", "--log-level", "warning"]
PAGE_TARGET = 0.5

BIG = 1024 ** 3
MEMORY_TARGET = 150 * MIB
BOUNDARY = "bench-downloads-boundary"


@dataclass
class Row:
    measure: str
    value: str
    baseline: str
    ratio: str
    target: str = ""
    met: bool | None = None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", action="append", choices=["pdf", "page", "memory"])
    parser.add_argument("--phase", choices=list(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--state", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:  # a child of the memory part
        print(json.dumps(PHASES[args.phase](json.loads(args.state.read_text()))))
        return 0
    parts = args.part or ["pdf", "page", "memory"]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-downloads-") as scratch:
        for part in parts:
            folder = Path(scratch) / part
            folder.mkdir()
            rows += {"pdf": pdf_part, "page": page_part, "memory": memory_part}[part](folder)
            shutil.rmtree(folder)
    print(report(rows))
    return 0 if all(r.met is not False for r in rows) else 1


def report(rows: list[Row]) -> str:
    lines = [f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
             f"{os.getloadavg()[0]:.1f} at the end", "",
             "| measure | portal | baseline (same run) | ratio | target | met |",
             "| --- | ---: | ---: | ---: | ---: | :---: |"]
    for r in rows:
        met = "" if r.met is None else ("yes" if r.met else "**NO**")
        lines.append(f"| {r.measure} | {r.value} | {r.baseline} | {r.ratio} | {r.target} | {met} |")
    return "\n".join(lines)


# -- pdf: first and second download against qpdf -----------------------------------------------

def stamp_pdf() -> bytes:
    """One US Letter page with what the engine's stamp shows: a footer and a faint diagonal code."""
    import pikepdf
    from pikepdf import Dictionary, Name

    pdf = pikepdf.new()
    content = (b"q /GS gs 0.5 g BT /F 60 Tf 0.61 0.79 -0.79 0.61 150 180 Tm (ABCD-EFGH-JKMN) Tj ET Q\n"
               b"q 0 g BT /F 7 Tf 18 12 Td (Released to Jane Requester \xb7 request 2026-00001 \xb7 "
               b"code ABCD-EFGH-JKMN \xb7 2026-11-28 \xb7 http://portal.test) Tj ET Q")
    font = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding)
    pdf.pages.append(pikepdf.Page(Dictionary(
        Type=Name.Page, MediaBox=[0, 0, 612, 792], Contents=pdf.make_stream(content),
        Resources=Dictionary(Font=Dictionary(F=font),
                             ExtGState=Dictionary(GS=Dictionary(Type=Name.ExtGState, ca=0.15, CA=0.15))))))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def pdf_part(scratch: Path) -> list[Row]:
    from portal import watermark
    from portal.disclosures import services
    from portal.disclosures.copies import stamp_for
    from portal.auth.models import User
    from portal.disclosures.models import Grant
    from portal.extensions import db
    from portal.record_requests.models import RecordRequest as Request
    from tests import factories as f

    stamp = scratch / "stamp.pdf"
    stamp.write_bytes(stamp_pdf())
    app = portal_app(scratch / "instance")
    client = app.test_client()
    with app.app_context():
        _, staff, requester, req = f.scenario()
        f.commit()
        staff_id, req_id = staff.id, req.id
        headers = f.token_for(requester)
    rows: list[Row] = []
    for n, (label, make) in enumerate(SAMPLES.items()):
        original = make()
        source, out = scratch / f"in{n}.pdf", scratch / f"out{n}.pdf"
        source.write_bytes(original)
        qpdf = ["qpdf", str(source), "--overlay", str(stamp), "--repeat=1", "--", str(out)]
        with app.app_context():
            staff, req = db.session.get(User, staff_id), db.session.get(Request, req_id)
            record = f.upload(staff, req, original, filename=f"sample-{n}.pdf")
            grant_ids = [services.create_release(staff, req_id, [record.id]).grants[0].id
                         for _ in range(RUNS + 1)]
            f.commit()
            engine_stamp = stamp_for(db.session.get(Grant, grant_ids[0]))
        rows += _pdf_rows(f"{label} ({len(original) / 1000:.0f} KB)", client, headers, qpdf, grant_ids,
                          lambda: watermark.mark(original, "application/pdf", engine_stamp))
    close_database(app)
    return rows


def _pdf_rows(size: str, client, headers: dict, qpdf: list[str], grant_ids: list[int], engine) -> list[Row]:
    def download(grant_id: int) -> None:
        r = client.get(f"/api/v1/grants/{grant_id}/download", headers=headers)
        if r.status_code != 200 or not r.get_data().startswith(b"%PDF-"):
            raise RuntimeError(f"download of grant {grant_id} failed: {r.status_code} {r.get_data()[:200]!r}")

    times: dict[str, list[float]] = {"qpdf": [], "first": [], "second": [], "engine": []}
    for n, grant_id in enumerate(grant_ids):
        run = {"qpdf": timed(lambda: subprocess.run(qpdf, check=True)),
               "first": timed(lambda: download(grant_id)),
               "second": timed(lambda: download(grant_id)),
               "engine": timed(engine)}
        if n:  # the first round warms up the app, the page cache and qpdf
            for name, seconds in run.items():
                times[name].append(seconds)
    base = median_ms(times["qpdf"])

    def row(name: str, label: str, target: float | None = None) -> Row:
        ms = median_ms(times[name])
        return Row(f"pdf, {size}: {label}, median of {RUNS}", f"{ms:.0f} ms", f"qpdf overlay {base:.0f} ms",
                   f"{ms / base:.2f}x", f"<= {target:.1f}x" if target else "",
                   None if target is None else ms / base <= target)

    return [row("first", "first download", FIRST_TARGET), row("second", "second download (stored copy)"),
            row("engine", "watermark.mark alone")]


# -- page: the recipient's files page under gunicorn ------------------------------------------------

@dataclass
class Load:
    per_second: list[float]
    latencies: list[float]
    cpu_seconds: float = 0.0  # the server's workers', over the measured rounds
    requests: int = 0

    @property
    def rate(self) -> float:
        return statistics.median(self.per_second)

    def quantile_ms(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[q - 1] * 1000


def page_part(scratch: Path) -> list[Row]:
    instance = scratch / "instance"
    secret = secrets.token_urlsafe(32)
    app = portal_app(instance, SECRET_KEY=secret)
    email = seed_recipient(app)
    close_database(app)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")} | {
        "PORTAL_DATABASE_URL": app.config["DATABASE_URL"], "PORTAL_STORAGE": "local",
        "PORTAL_STORAGE_DIR": app.config["STORAGE_DIR"], "PORTAL_SECRET_KEY": secret,
        "PORTAL_WATERMARK_KEY": app.config["WATERMARK_KEY"], "PORTAL_BASE_URL": app.config["BASE_URL"]}
    with gunicorn(f"portal:create_app(instance_path={str(instance)!r})", env, scratch / "portal.log") as portal:
        cookie = log_in(portal, email)
        page = get(portal, "/me/files", cookie)
        if "Files released to you" not in page.decode():
            raise RuntimeError("the files page did not render for the logged-in requester")
        from bench.bare_flask import create_app as bare_app
        ops = {"portal": bytecodes_per_request(app, "/me/files", cookie),
               "bare": bytecodes_per_request(bare_app(page_bytes=len(page)), "/me/files", cookie)}
        with gunicorn(f"bench.bare_flask:create_app(page_bytes={len(page)})", env, scratch / "bare.log") as bare:
            bare_size = len(get(bare, "/me/files", cookie))
            # name: (port, path, cookie); the portal's login form is its floor: a template, no query
            targets = {"portal": (portal, "/me/files", cookie), "bare": (bare, "/me/files", cookie),
                       "login": (portal, "/login", "")}
            loads = {name: Load([], []) for name in targets}
            for target in targets.values():  # warm up each worker: imports, templates, connections
                drive(*target, Load([], []), 100)
            for n in range(ROUNDS):
                for name in (list(targets) if n % 2 == 0 else list(targets)[::-1]):
                    before = workers_cpu(targets[name][0])
                    drive(*targets[name], loads[name], REQUESTS)
                    loads[name].cpu_seconds += workers_cpu(targets[name][0]) - before
                    loads[name].requests += REQUESTS
    ours, theirs, floor = loads["portal"], loads["bare"], loads["login"]
    label = (f"page: GET /me/files, {GRANTS} grants on {REQUESTS_FILED} requests ({len(page) / 1000:.1f} KB; "
             f"bare page {bare_size / 1000:.1f} KB), gunicorn {' '.join(GUNICORN[:4])}, {CLIENTS} clients, "
             f"median of {ROUNDS} rounds of {REQUESTS}")
    ratio = ours.rate / theirs.rate
    return [Row(label + ": requests/s", f"{ours.rate:.0f}", f"bare Flask {theirs.rate:.0f}", f"{ratio:.2f}x",
                f">= {PAGE_TARGET}x", ratio >= PAGE_TARGET),
            *(Row(f"page: latency p{q}", f"{ours.quantile_ms(q):.1f} ms", f"bare Flask {theirs.quantile_ms(q):.1f} ms",
                  f"{ours.quantile_ms(q) / theirs.quantile_ms(q):.2f}x") for q in (50, 95)),
            Row("page: the portal's floor, GET /login (anonymous form, no query): requests/s", f"{floor.rate:.0f}",
                f"bare Flask {theirs.rate:.0f}", f"{floor.rate / theirs.rate:.2f}x"),
            *(Row(f"page: gunicorn workers' CPU per request, {what} (less sensitive to other jobs than requests/s)",
                  f"{load.cpu_seconds / load.requests * 1000:.2f} ms",
                  f"bare Flask {theirs.cpu_seconds / theirs.requests * 1000:.2f} ms",
                  f"{(load.cpu_seconds / load.requests) / (theirs.cpu_seconds / theirs.requests):.2f}x")
              for what, load in (("/me/files", ours), ("/login", floor))),
            Row("page: Python bytecodes per request, /me/files in-process (exact: does not move with other jobs)",
                f"{ops['portal']:,}", f"bare Flask {ops['bare']:,}", f"{ops['portal'] / ops['bare']:.2f}x")]


def bytecodes_per_request(app, path: str, cookie: str, requests: int = 20) -> int:
    """Python bytecodes the WSGI app runs per request (sys.settrace opcode events), warm: an
    exact count, where the time of a request moves by a fifth with the machine's other work."""
    from werkzeug.test import EnvironBuilder

    def environ() -> dict:
        return EnvironBuilder(path=path, headers={"Cookie": cookie}).get_environ()

    def call(env: dict) -> list:
        answer = []
        body = app(env, lambda status, headers, exc_info=None: answer.extend((status, headers)))
        try:
            for _ in body:
                pass
        finally:
            getattr(body, "close", lambda: None)()
        if not answer[0].startswith("200"):
            raise RuntimeError(f"GET {path} in-process: {answer[0]}")
        return [value for name, value in answer[1] if name.lower() == "set-cookie"]

    if set_cookie := call(environ()):  # the session marked for this client, kept as a browser would
        cookie = "; ".join(value.split(";", 1)[0] for value in set_cookie)
    for _ in range(50):
        call(environ())
    environs, count = [environ() for _ in range(requests)], 0

    def tracer(frame, event, arg):
        nonlocal count
        frame.f_trace_opcodes = True
        if event == "opcode":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        for env in environs:
            call(env)
    finally:
        sys.settrace(None)
    return round(count / requests)


def seed_recipient(app) -> str:
    """A requester with GRANTS grants from releases on REQUESTS_FILED requests, some downloaded,
    one withdrawn."""
    from portal.core.models import utcnow
    from portal.disclosures import services
    from tests import factories as f

    with app.app_context():
        _, staff, requester, first = f.scenario()
        filed = [first] + [f.request_for(requester, staff.department, title=f"Overtime records {2020 + n}")
                           for n in range(1, REQUESTS_FILED)]
        grants = []
        for n in range(GRANTS):
            target = filed[n % REQUESTS_FILED]
            record = f.upload(staff, target, f"Memo {n}\nBudget line {n * 37}\n".encode(), filename=f"memo-{n}.txt")
            grants += services.create_release(staff, target.id, [record.id]).grants
        grants[3].revoked_at, grants[3].revoked_reason = utcnow(), "released in error"
        f.commit()
        headers, email = f.token_for(requester), requester.email
        ids = [g.id for g in grants]
    client = app.test_client()
    for grant_id in ids[::3] + ids[::5]:
        if grant_id != ids[3]:
            client.get(f"/api/v1/grants/{grant_id}/download", headers=headers).get_data()
    return email


_SERVERS: dict[int, int] = {}  # port -> gunicorn master pid


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict, log: Path, settings: list[str] = GUNICORN) -> Iterator[int]:
    port = free_port()
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", *settings, "-b", f"127.0.0.1:{port}", app_spec],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn {app_spec} exited: {log.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {app_spec} did not listen within 60 s")
            time.sleep(0.1)
        _SERVERS[port] = server.pid
        yield port
    finally:
        _SERVERS.pop(port, None)
        server.terminate()  # SIGTERM: gunicorn's graceful shutdown
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def workers_cpu(port: int) -> float:
    """User + system CPU seconds of the gunicorn workers serving `port` (children of its master)."""
    master = _SERVERS[port]
    total, tick = 0, os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == master:  # ppid
            total += int(fields[11]) + int(fields[12])
    return total / tick


def get(port: int, path: str, cookie: str) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status}")
    return body


def log_in(port: int, email: str) -> str:
    """The session cookie of a real login: the form's CSRF token, then the POST."""
    from tests.factories import PASSWORD

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/login")
        form = conn.getresponse()
        page = form.read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        cookie = _cookie(form)
        body = urlencode({"email": email, "password": PASSWORD, "csrf_token": token})
        conn.request("POST", "/login", body=body, headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        done = conn.getresponse()
        done.read()
        if done.status != 302:
            raise RuntimeError(f"login failed: {done.status}")
        cookie = _cookie(done)
        # Follow the redirect as a browser would and keep the cookie it may update (the CSRF
        # secret is added on the first page with a form), so later requests send the same cookie.
        conn.request("GET", done.getheader("Location") or "/", headers={"Cookie": cookie})
        landing = conn.getresponse()
        landing.read()
        return _cookie(landing) or cookie
    finally:
        conn.close()


def _cookie(response: http.client.HTTPResponse) -> str:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())


def drive(port: int, path: str, cookie: str, into: Load, total: int) -> None:
    """`total` GETs of `path` from CLIENTS threads; adds the rate and the latencies to `into`."""
    counter, failures, latencies = itertools.count(), [], []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        try:
            while next(counter) < total:
                started = time.perf_counter()
                conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = conn.getresponse()
                response.read()
                mine.append(time.perf_counter() - started)
                if response.status != 200:
                    failures.append(response.status)
        except (OSError, http.client.HTTPException) as exc:
            failures.append(repr(exc))
        finally:
            conn.close()
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests on port {port}, e.g. {failures[:3]}")
    into.per_second.append(total / elapsed)
    into.latencies.extend(latencies)


# -- memory: a 1 GiB file through upload, the worker's copy and the download ------------------------

def memory_part(scratch: Path) -> list[Row]:
    from portal.auth.models import Role
    from tests import factories as f

    instance = scratch / "instance"
    app = portal_app(instance)
    with app.app_context():
        _, staff, requester, req = f.scenario()
        admin = f.user(Role.admin)  # approves the screening hold: a file this large is not read
        state = {"instance": str(instance), "request_id": req.id, "staff_id": staff.id, "admin_id": admin.id,
                 "staff_headers": f.token_for(staff), "headers": f.token_for(requester),
                 "body": str(scratch / "upload.body")}
    close_database(app)
    state["body_size"], state["sha256"] = multipart_body(Path(state["body"]), BIG)
    state_file = scratch / "state.json"
    rows = []
    for phase in PHASES:
        state_file.write_text(json.dumps(state))
        done = subprocess.run([sys.executable, "-m", "bench.downloads", "--phase", phase, "--state", str(state_file)],
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"memory phase {phase} failed:\n{done.stderr[-3000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        state |= result.pop("state", {})
        if phase == "upload":
            Path(state["body"]).unlink()
        growth = (result["peak_kib"] - result["before_kib"]) * 1024
        rows.append(Row(f"memory: {BIG / 1024 ** 3:g} GiB, {phase} ({result['what']}), {result['seconds']:.1f} s",
                        f"peak RSS +{growth / MIB:.1f} MiB", f"RSS before {result['before_kib'] / 1024:.0f} MiB",
                        "", f"< {MEMORY_TARGET // MIB} MiB", growth < MEMORY_TARGET))
    return rows


def multipart_body(path: Path, size: int) -> tuple[int, str]:
    """A multipart/form-data body holding one MP4-like file of `size` bytes: an ftyp box and
    one mdat box of generated bytes. Returns the body's length and the file's SHA-256."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    head += b"\x00\x00\x00\x01mdat" + (size - len(head)).to_bytes(8, "big")
    digest = hashlib.sha256(head)
    stream = GeneratedStream(size - len(head))
    with path.open("wb") as out:
        out.write(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bodycam.mp4"\r\n'
                  "Content-Type: video/mp4\r\n\r\n".encode())
        out.write(head)
        while chunk := stream.read(MIB):
            digest.update(chunk)
            out.write(chunk)
        out.write(f"\r\n--{BOUNDARY}--\r\n".encode())
        return out.tell(), digest.hexdigest()


def _phase_app(state: dict):
    return portal_app(Path(state["instance"]), migrate=False)


def _measure(operation) -> dict:
    gc.collect()
    reset_peak_rss()
    before = status_kb("VmRSS")
    seconds = timed(operation)
    return {"before_kib": before, "peak_kib": status_kb("VmHWM"), "seconds": seconds}


def phase_upload(state: dict) -> dict:
    app = _phase_app(state)
    client = app.test_client()
    answer = {}
    with open(state["body"], "rb") as body:
        def upload() -> None:
            r = client.post(f"/api/v1/requests/{state['request_id']}/records", headers=state["staff_headers"],
                            input_stream=body, content_length=state["body_size"],
                            content_type=f"multipart/form-data; boundary={BOUNDARY}")
            answer.update(status=r.status_code, json=r.get_json())
        result = _measure(upload)
    if answer["status"] != 201 or answer["json"]["sha256"] != state["sha256"]:
        raise RuntimeError(f"upload failed: {answer}")
    return result | {"what": f"POST multipart through the API, stored as {answer['json']['content_type']}",
                     "state": {"record_id": answer["json"]["id"]}}


def phase_copy(state: dict) -> dict:
    from portal import worker
    from portal.auth.models import User
    from portal.disclosures import services
    from portal.disclosures.models import Grant
    from portal.extensions import db
    from portal.screening import holds

    app = _phase_app(state)
    with app.app_context():
        staff = db.session.get(User, state["staff_id"])
        try:
            release = services.create_release(staff, state["request_id"], [state["record_id"]])
        except holds.ScreeningHold as held:  # too large to screen (SCREENING_MAX_BYTES): a second person decides
            db.session.commit()
            release = services.release_approved_hold(db.session.get(User, state["admin_id"]), held.hold_id,
                                                     "Body-camera video, too large to screen; reviewed by hand.")
        grant_id = release.grants[0].id
        db.session.commit()
    r = app.test_client().get(f"/api/v1/grants/{grant_id}/download", headers=state["headers"])
    if r.status_code != 202:
        raise RuntimeError(f"expected the copy to be queued for the worker (202), got {r.status_code}")

    def run_worker() -> None:
        with app.app_context():
            worker.run_once()

    result = _measure(run_worker)
    with app.app_context():
        grant = db.session.get(Grant, grant_id)
        if grant.copy_state.value != "ready":
            raise RuntimeError(f"the worker did not make the copy: {grant.copy_state} {grant.copy_error}")
        what = f"portal.worker.run_once, copy {grant.copy_content_type} of {grant.copy_size / MIB:.0f} MiB"
    return result | {"what": what, "state": {"grant_id": grant_id}}


def phase_download(state: dict) -> dict:
    from portal.disclosures.models import Delivery
    from portal.extensions import db

    app = _phase_app(state)
    client = app.test_client()
    sent = {}

    def download() -> None:
        r = client.get(f"/api/v1/grants/{state['grant_id']}/download", headers=state["headers"], buffered=False)
        count = 0
        for chunk in r.iter_encoded():
            count += len(chunk)
        r.close()
        sent.update(status=r.status_code, bytes=count, length=int(r.headers["Content-Length"]),
                    delivery=int(r.headers["X-Delivery-Id"]))

    result = _measure(download)
    with app.app_context():
        row = db.session.get(Delivery, sent["delivery"])
        if sent["status"] != 200 or sent["bytes"] != sent["length"] or not row.completed:
            raise RuntimeError(f"download incomplete: {sent}, delivery completed={row.completed}")
    return result | {"what": "GET through the API, body iterated unbuffered and dropped"}


PHASES = {"upload": phase_upload, "copy": phase_copy, "download": phase_download}

if __name__ == "__main__":
    sys.exit(main())
