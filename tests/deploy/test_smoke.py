"""The deploy/ example, end to end over HTTP through nginx: two app servers, two workers,
PostgreSQL and SeaweedFS. A requester files a request, staff release two files, the requester
downloads the small one from both app servers and the large one once a worker has marked it, and
every delivery row holds the requester's own address (not the proxy's)."""
from __future__ import annotations

import http.client
import json
import os
import time
import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import unavailable

CLIENT_IP = "127.0.0.2"   # the requester's machine: a loopback address that is not nginx's own


class Http:
    """A bearer-token client that connects from CLIENT_IP."""

    def __init__(self, url: str, token: str):
        self.host, port = url.removeprefix("http://").split(":")
        self.port, self.token = int(port), token

    def call(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60, source_address=(CLIENT_IP, 0))
        headers = {"Authorization": f"Bearer {self.token}"}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            conn.request(method, "/api/v1" + path, body=body, headers=headers)
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            conn.close()

    def json(self, method: str, path: str, payload=None, expect: int = 200):
        status, _, data = self.call(method, path, json.dumps(payload).encode() if payload is not None else None,
                                    "application/json" if payload is not None else None)
        assert status == expect, (method, path, status, data[:500])
        return json.loads(data)

    def upload(self, path: str, filename: str, data: bytes) -> dict:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
                f"Content-Type: text/plain\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        status, _, out = self.call("POST", path, body, f"multipart/form-data; boundary={boundary}")
        assert status == 201, (status, out[:500])
        return json.loads(out)


def _text(lines: int) -> bytes:
    return b"".join(b"Park maintenance log, entry %d: the lawn at Elm Square was mowed and edged.\n" % i
                    for i in range(lines))


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from deploy import stack as deploy
    try:
        running = deploy.start(tmp_path_factory.mktemp("stack"), servers=2, workers=2, worker_interval=0.5,
                               extra_env={"PORTAL_MARK_INLINE_MAX_BYTES": str(256 * 1024)})
    except RuntimeError as exc:
        unavailable(f"the deploy stack could not start: {exc}")
    yield running
    running.stop()


def _token(stack, email: str, role: str, *extra: str) -> str:
    stack.flask("users", "create", "--email", email, "--name", email.split("@")[0], "--role", role,
                *extra, "--password", "smoke-test-password")
    return stack.flask("tokens", "create", "--email", email).stdout.strip().splitlines()[-1]


def test_file_release_and_download_through_the_proxy(stack):
    started = time.monotonic()
    stack.flask("departments", "create", "--slug", "parks", "--name", "Parks")
    staff = Http(stack.url, _token(stack, "clerk@parks.example.org", "staff", "--department", "parks"))
    requester = Http(stack.url, _token(stack, "ana@example.org", "requester"))

    req = requester.json("POST", "/requests", {"department": "parks", "title": "Mowing logs",
                                               "description": "The mowing logs of Elm Square for 2025."},
                         expect=201)
    small, large = _text(40), _text(6000)  # the large one (~470 KB) is over the stack's inline limit
    ids = [staff.upload(f"/requests/{req['id']}/records", name, data)["id"]
           for name, data in (("mowing.txt", small), ("mowing-full.txt", large))]
    release = staff.json("POST", f"/requests/{req['id']}/releases", {"record_ids": ids}, expect=201)
    grant = {g["record_id"]: g["id"] for g in release["grants"]}

    served_by = set()
    for _ in range(4):
        status, headers, body = requester.call("GET", f"/grants/{grant[ids[0]]}/download")
        assert status == 200 and body != small and b"Elm Square" in body  # the marked copy, not the original
        served_by.add(headers["X-Upstream"])
    assert served_by == set(stack.servers)  # both app servers delivered it

    status, headers, _ = requester.call("GET", f"/grants/{grant[ids[1]]}/download")
    assert status == 202 and headers["Retry-After"]  # too large to mark inline: a worker's job
    deadline = time.monotonic() + 60
    while status == 202 and time.monotonic() < deadline:
        time.sleep(0.3)
        status, headers, body = requester.call("GET", f"/grants/{grant[ids[1]]}/download")
    assert status == 200 and len(body) >= len(large) * 0.9 and body != large

    mine = {g["id"]: g for g in requester.json("GET", "/me/grants")}
    deliveries = mine[grant[ids[0]]]["deliveries"] + mine[grant[ids[1]]]["deliveries"]
    assert len(deliveries) == 5 and {d["ip"] for d in deliveries} == {CLIENT_IP}

    engine = sa.create_engine(stack.env["PORTAL_DATABASE_URL"])
    with engine.connect() as conn:
        jobs = conn.execute(sa.text("SELECT kind, ref, state, attempts FROM jobs")).all()
    engine.dispose()
    assert jobs == [("make_copy", grant[ids[1]], "done", 1)]
    assert any(f"/grants/{grant[ids[0]]}/download" in stack.log(name) for name in ("app1",))
    assert any(f"/grants/{grant[ids[0]]}/download" in stack.log(name) for name in ("app2",))
    print(f"smoke flow: {time.monotonic() - started:.1f} s")


def test_a_worker_that_dies_is_started_again(stack):
    import signal
    old = stack.processes["worker1"]
    old.send_signal(signal.SIGKILL)
    old.wait(10)
    assert stack.supervise() == ["worker1"]
    new = stack.processes["worker1"]
    assert new.pid != old.pid and new.poll() is None
    assert "exited with code -9; started again" in stack.log("worker1")
    deadline = time.monotonic() + 60   # and it runs: its heartbeat shows up in `flask worker status`
    while time.monotonic() < deadline:
        status = stack.flask("worker", "status", check=False)
        if f":{new.pid}: running" in status.stdout:
            break
        time.sleep(0.5)
    assert f":{new.pid}: running" in status.stdout, status.stdout
    assert status.returncode == 0


def test_nginx_leaves_out_an_app_server_that_is_not_ready(stack):
    import signal
    import urllib.request
    master = stack.processes["app1"].pid   # gunicorn: the master and its worker, which serves
    children = open(f"/proc/{master}/task/{master}/children").read().split()
    stuck = [master, *map(int, children)]
    for pid in stuck:
        os.kill(pid, signal.SIGSTOP)   # alive, but answers nothing: its /readyz times out
    try:
        stack.supervise(probe_every=0)
        assert stack.not_ready == {stack.servers[0]}
        assert f"server {stack.servers[0]} down;" in (stack.dir / "nginx" / "nginx.conf").read_text()
        time.sleep(1)   # nginx reloads
        for _ in range(4):
            with urllib.request.urlopen(stack.url + "/readyz", timeout=10) as r:
                assert r.status == 200 and r.headers["X-Upstream"] == stack.servers[1]
    finally:
        for pid in stuck:
            os.kill(pid, signal.SIGCONT)
    stack.supervise(probe_every=0)
    assert stack.not_ready == frozenset()


def test_the_portals_role_cannot_rewrite_or_unguard_the_audit_log(stack):
    """The servers' role owns nothing: no DISABLE or DROP of the triggers, no UPDATE or DELETE of
    entries; the owner's role (migrations) still can, which is why it is kept off the servers."""
    from deploy.stack import OWNER_ROLE, role_url
    app = sa.create_engine(stack.env["PORTAL_DATABASE_URL"])
    assert "portal_app@" in stack.env["PORTAL_DATABASE_URL"]
    try:
        for sql, refusal in [("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_change", "must be owner"),
                             ("DROP TRIGGER audit_entries_no_change ON audit_entries", "must be owner"),
                             ("UPDATE audit_entries SET actor = 'x'", "permission denied"),
                             ("DELETE FROM audit_entries", "permission denied"),
                             ("TRUNCATE audit_entries", "permission denied"),
                             ("UPDATE alembic_version SET version_num = 'x'", "permission denied"),
                             ("CREATE TABLE scratch (id int)", "permission denied")]:
            with pytest.raises(sa.exc.ProgrammingError, match=refusal), app.begin() as conn:
                conn.exec_driver_sql(sql)
        with app.connect() as conn:  # reading and appending through the app work as before
            assert conn.scalar(sa.text("SELECT count(*) FROM audit_entries")) > 0
    finally:
        app.dispose()
    owner = sa.create_engine(role_url(stack.postgres, OWNER_ROLE))
    with owner.connect() as conn:
        assert conn.scalar(sa.text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_entries'")) == OWNER_ROLE
    owner.dispose()
    checked = stack.flask("audit", "verify", check=False)
    assert checked.returncode == 0, checked.stderr
