"""Writing and verifying the audit chain.

hash = HMAC-SHA-256(audit key, prev_hash || canonical JSON of the entry), where the entry includes
its id and key id, so an edited, removed or reordered entry breaks the chain, and someone who can
write the database but not read the key (kept outside it: portal.audit.keys) cannot re-chain it.
Removing the newest entries and moving the head back is caught by checkpoints (checkpoints.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterator

import sqlalchemy as sa
from flask import current_app

from ..core.models import utcnow
from ..extensions import db
from . import keys
from .models import GENESIS, AuditEntry, AuditHead


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(key: str, prev_hash: str, *, id: int, at: str, actor: str, actor_id: int | None,
               action: str, subject: str, data: str, key_id: str) -> str:
    body = canonical({"id": id, "at": at, "actor": actor, "actor_id": actor_id, "action": action,
                      "subject": subject, "data": data, "key_id": key_id})
    return keys.sign(key, "entry", prev_hash + body)


def _hash_of(e: AuditEntry, prev_hash: str, key: str) -> str:
    return entry_hash(key, prev_hash, id=e.id, at=e.at.isoformat(), actor=e.actor, actor_id=e.actor_id,
                      action=e.action, subject=e.subject, data=e.data, key_id=e.key_id)


def _lock_head(session) -> AuditHead | None:
    if session.get_bind().dialect.name == "sqlite":
        # SQLite ignores FOR UPDATE, and its driver begins a transaction only at the first write:
        # a head read before that could be stale by the time the entry is inserted (two appends
        # claiming one id). Writing the head first takes the database's write lock, then reads.
        session.execute(sa.update(AuditHead).where(AuditHead.id == 1)
                        .values(last_id=AuditHead.last_id))
    return session.scalar(sa.select(AuditHead).where(AuditHead.id == 1).with_for_update())


def record(actor, action: str, subject: str, data: dict | None = None) -> AuditEntry:
    """Append an entry in the caller's transaction. `actor` is a User, or a string such as 'system'."""
    session = db.session
    head = _lock_head(session)  # serialises appends on both backends
    if head is None:
        raise RuntimeError("audit_head row missing: run `flask db upgrade`")
    key_id, key = keys.current(current_app.config)
    prev_hash = head.last_hash
    entry = AuditEntry(
        id=head.last_id + 1,
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor=getattr(actor, "label", None) or str(actor or "anonymous"),
        action=action, subject=subject, data=canonical(data or {}), prev_hash=prev_hash,
        key_id=key_id)
    entry.hash = _hash_of(entry, prev_hash, key)
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
    count, broken, _ = walk()
    return count, broken


def walk(watch: set[int] | frozenset = frozenset()) -> tuple[int, Broken | None, dict[int, str]]:
    """Walk the chain; return the number of entries checked, the first break if any, and the
    hashes of the entries in `watch` (the ids checkpoints name) as far as the chain is intact."""
    known = keys.known(current_app.config)
    prev_hash, expected_id, count, seen = GENESIS, 1, 0, {}
    for e in _entries():
        if e.id != expected_id:
            return count, Broken(expected_id, f"missing (the next entry found is {e.id})"), seen
        if e.prev_hash != prev_hash:
            return count, Broken(e.id, "does not follow the entry before it (removed or reordered)"), seen
        key = known.get(e.key_id)
        if key is None:
            return count, Broken(e.id, f"signed with an unknown audit key (key id {e.key_id or 'none'}; "
                                       "a retired key belongs in AUDIT_KEY_FALLBACKS)"), seen
        if _hash_of(e, prev_hash, key) != e.hash:
            return count, Broken(e.id, "content does not match its hash (edited)"), seen
        if e.id in watch:
            seen[e.id] = e.hash
        prev_hash, expected_id, count = e.hash, expected_id + 1, count + 1
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.last_id, head.last_hash) != (expected_id - 1, prev_hash):
        return count, Broken(expected_id if head.last_id >= expected_id else head.last_id,
                             f"missing: the chain ends at {expected_id - 1} "
                             f"but its head records entry {head.last_id}"), seen
    return count, None, seen
