"""ClamAV: the `clamscan` command (reads the file on stdin) or a running clamd (INSTREAM)."""
from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import tempfile
from typing import Any, BinaryIO, Mapping

from .base import CHUNK, Scanner, ScannerError, Verdict


def _found(line: str) -> str | None:
    """'stream: Eicar-Test FOUND' -> 'Eicar-Test'; None for anything else."""
    line = line.strip().rstrip("\0")
    if line.endswith(" FOUND") and ": " in line:
        return line[: -len(" FOUND")].split(": ", 1)[1].strip() or "unnamed"
    return None


class ClamScan(Scanner):
    """One `clamscan` process per file. It loads the signatures each time: fine for a small office
    or a background scan, slow for many files at once (use clamd there)."""

    name = "clamscan"

    def __init__(self, command: str = "clamscan", database: str | None = None, timeout: int = 600):
        self.command, self.database, self.timeout = command, database, timeout

    @classmethod
    def from_config(cls, config):
        return cls(config.get("CLAMSCAN_COMMAND") or "clamscan", config.get("CLAMSCAN_DATABASE") or None,
                   int(config.get("SCAN_TIMEOUT") or 600))

    def scan(self, stream: BinaryIO) -> Verdict:
        exe = shutil.which(self.command)
        if exe is None:
            raise ScannerError(f"{self.command} is not installed")
        # Files over ClamAV's size limits would pass unscanned by default; here they are reported.
        args = [exe, "--no-summary", "--stdout", "--infected", "--alert-exceeds-max=yes",
                "--max-filesize=2047M", "--max-scansize=2047M"]
        if self.database:
            args.append(f"--database={self.database}")
        with tempfile.TemporaryFile() as spool:  # clamscan reads stdin to a temp file anyway
            shutil.copyfileobj(stream, spool, CHUNK)
            spool.seek(0)
            try:
                done = subprocess.run(args + ["-"], stdin=spool, capture_output=True, timeout=self.timeout,
                                      env={**os.environ, "LC_ALL": "C"})
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ScannerError(f"clamscan did not finish: {exc}") from exc
        out = done.stdout.decode("utf-8", "replace")
        if done.returncode == 0:
            return Verdict(False)
        if done.returncode == 1:
            names = [n for n in map(_found, out.splitlines()) if n]
            return Verdict(True, ", ".join(names)[:300] or "unnamed")
        err = (done.stderr.decode("utf-8", "replace").strip() or out.strip())[-500:]
        raise ScannerError(f"clamscan failed (exit {done.returncode}): {err}")


class Clamd(Scanner):
    """A clamd daemon on a Unix socket (Debian: /var/run/clamav/clamd.ctl) or tcp://host:port."""

    name = "clamd"

    def __init__(self, address: str = "/var/run/clamav/clamd.ctl", timeout: int = 600):
        self.address, self.timeout = address, timeout

    @classmethod
    def from_config(cls, config):
        return cls(config.get("CLAMD_ADDRESS") or "/var/run/clamav/clamd.ctl",
                   int(config.get("SCAN_TIMEOUT") or 600))

    def _connect(self) -> socket.socket:
        if self.address.startswith("tcp://"):
            host, _, port = self.address[len("tcp://"):].rpartition(":")
            return socket.create_connection((host, int(port)), timeout=self.timeout)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.address)
        return sock

    def scan(self, stream: BinaryIO) -> Verdict:
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                while chunk := stream.read(CHUNK):
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0") and (part := sock.recv(4096)):
                    reply += part
        except (OSError, ValueError) as exc:
            raise ScannerError(f"clamd at {self.address} cannot be reached: {exc}") from exc
        text = reply.decode("utf-8", "replace").strip().rstrip("\0").strip()
        if text.endswith(": OK"):
            return Verdict(False)
        signature = _found(text)
        if signature is not None:
            return Verdict(True, signature[:300])
        raise ScannerError(f"clamd answered: {text[:500] or 'nothing'}")
