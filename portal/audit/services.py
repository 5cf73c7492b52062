"""Writing and verifying the audit chain.

hash = SHA-256(prev_hash || canonical JSON of the entry), where the entry
includes its id, so an edited, removed or reordered entry breaks the chain.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterator

import sqlalchemy as sa

from ..core.models import utcnow
from ..extensions import db
from .models import GENESIS, AuditEntry, AuditHead


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(prev_hash: str, *, id: int, at: str, actor: str, actor_id: int | None,
               action: str, subject: str, data: str) -> str:
    body = canonical({"id": id, "at": at, "actor": actor, "actor_id": actor_id,
                      "action": action, "subject": subject, "data": data})
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def _hash_of(e: AuditEntry, prev_hash: str) -> str:
    return entry_hash(prev_hash, id=e.id, at=e.at.isoformat(), actor=e.actor, actor_id=e.actor_id,
                      action=e.action, subject=e.subject, data=e.data)


def record(actor, action: str, subject: str, data: dict | None = None) -> AuditEntry:
    """Append an entry in the caller's transaction. `actor` is a User, or a string such as 'system'."""
    session = db.session
    # The head row's lock serialises appends (SQLite serialises writers anyway).
    head = session.scalar(sa.select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:
        raise RuntimeError("audit_head row missing: run `flask db upgrade`")
    prev_hash = head.last_hash
    entry = AuditEntry(
        id=head.last_id + 1,
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor=getattr(actor, "label", None) or str(actor or "anonymous"),
        action=action, subject=subject, data=canonical(data or {}), prev_hash=prev_hash)
    entry.hash = _hash_of(entry, prev_hash)
    session.add(entry)
    head.last_id, head.last_hash = entry.id, entry.hash
    session.flush()
    return entry


@dataclass
class Broken:
    id: int
    reason: str

    def __str__(self) -> str:
        return f"audit entry {self.id}: {self.reason}"


def _entries(batch: int = 1000) -> Iterator[AuditEntry]:
    after = 0
    while True:
        rows = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.id > after)
                                  .order_by(AuditEntry.id).limit(batch)).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].id
        db.session.expunge_all()


def verify() -> tuple[int, Broken | None]:
    """Walk the chain; return the number of entries checked and the first break, if any."""
    prev_hash, expected_id, count = GENESIS, 1, 0
    for e in _entries():
        if e.id != expected_id:
            return count, Broken(expected_id, f"missing (the next entry found is {e.id})")
        if e.prev_hash != prev_hash:
            return count, Broken(e.id, "does not follow the entry before it (removed or reordered)")
        if _hash_of(e, prev_hash) != e.hash:
            return count, Broken(e.id, "content does not match its hash (edited)")
        prev_hash, expected_id, count = e.hash, expected_id + 1, count + 1
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.last_id, head.last_hash) != (expected_id - 1, prev_hash):
        return count, Broken(expected_id if head.last_id >= expected_id else head.last_id,
                             f"missing: the chain ends at {expected_id - 1} "
                             f"but its head records entry {head.last_id}")
    return count, None
