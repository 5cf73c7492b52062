"""A throwaway PostgreSQL cluster on a free loopback port, for the tests."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


@dataclass
class PostgresServer:
    datadir: Path
    port: int
    pg_ctl: str
    as_user: str | None
    opts: str = ""

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def pause(self) -> None:
        """Stop the server (fast shutdown: sessions are cut) and keep its data, for restart()."""
        _run([self.pg_ctl, "-D", str(self.datadir), "-m", "fast", "-w", "stop"], self.as_user)

    def restart(self) -> None:
        """Start again after pause(), on the same port and data."""
        _run([self.pg_ctl, "-D", str(self.datadir), "-o", self.opts, "-l", str(self.datadir.parent / "log"),
              "-w", "-t", "60", "start"], self.as_user)

    def stop(self) -> None:
        _run([self.pg_ctl, "-D", str(self.datadir), "-m", "immediate", "-w", "stop"], self.as_user,
             check=False)
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def _run(cmd, as_user, check=True, **kw):
    if as_user:
        cmd = ["runuser", "-u", as_user, "--", *cmd]
    return subprocess.run(cmd, check=check, capture_output=True, text=True, **kw)


def start_postgres() -> PostgresServer:
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("PostgreSQL server programs (initdb, pg_ctl) not found: "
                           "install Debian's postgresql package")
    as_user = None
    base = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    if os.geteuid() == 0:  # initdb refuses to run as root
        as_user = "postgres"
        try:
            pw = pwd.getpwnam(as_user)
        except KeyError as exc:
            raise RuntimeError("running as root and there is no 'postgres' user") from exc
        os.chown(base, pw.pw_uid, pw.pw_gid)
    datadir = base / "data"
    port = free_port()
    try:
        _run([initdb, "-D", str(datadir), "-U", "postgres", "--auth=trust", "-E", "UTF8",
              "--no-sync", "--locale=C.UTF-8"], as_user)
        opts = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        _run([pg_ctl, "-D", str(datadir), "-o", opts, "-l", str(base / "log"), "-w", "-t", "60",
              "start"], as_user)
    except subprocess.CalledProcessError as exc:
        log = (base / "log").read_text() if (base / "log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}\n{log[-2000:]}") from exc
    server = PostgresServer(datadir, port, pg_ctl, as_user, opts)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError("PostgreSQL started but does not accept connections")
