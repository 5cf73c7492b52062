"""Reading the outbox folder back: the local mail viewer of a development run (no SMTP server).

Only files the portal itself wrote are read: names are `NNNNNNNN.eml` (transport.write_outbox), so a
name from a URL can never reach outside the folder.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser
from pathlib import Path

NAME = re.compile(r"\d{8}\.eml")


@dataclass(frozen=True)
class OutboxMail:
    name: str
    to: str
    subject: str
    written_at: datetime
    body: str


def _read(path: Path) -> OutboxMail:
    msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    part = msg.get_body(preferencelist=("plain", "html"))
    return OutboxMail(name=path.name, to=str(msg["To"] or ""), subject=str(msg["Subject"] or ""),
                      written_at=datetime.fromtimestamp(path.stat().st_mtime, timezone.utc),
                      body=part.get_content() if part is not None else "")


def latest(folder: str, limit: int = 100) -> list[OutboxMail]:
    """The newest messages first (names grow with the mail's id)."""
    out = Path(folder)
    if not out.is_dir():
        return []
    names = sorted((p for p in out.iterdir() if NAME.fullmatch(p.name)), key=lambda p: p.name, reverse=True)
    return [_read(p) for p in names[:limit]]


def one(folder: str, name: str) -> OutboxMail | None:
    path = Path(folder) / name
    if not NAME.fullmatch(name) or not path.is_file():
        return None
    return _read(path)
