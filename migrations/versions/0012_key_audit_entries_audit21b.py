"""key audit entries: HMAC under a key outside the database, re-keyed at upgrade

Adds `audit_entries.key_id` and re-signs every existing entry: the plain SHA-256 chain is checked
first (the upgrade stops, changing nothing, if it is already broken: run `flask audit verify` on the
old version), then each entry's hash becomes HMAC-SHA-256 under AUDIT_KEY, chained as before. After
the upgrade every entry is keyed, so there is no unkeyed prefix an attacker could extend. The
append-only triggers are dropped for the re-signing and created again in the same transaction; run
it as the database owner (docs/operations.md). Downgrade re-computes the plain SHA-256 chain.

Revision ID: 0012_audit21b
Revises: 0011
Create Date: 2026-12-07 23:50:00.000000

"""
import hashlib
import json

import sqlalchemy as sa
from alembic import op
from flask import current_app

from portal.audit.keys import key_id as audit_key_id, sign
from portal.audit.models import GENESIS, trigger_ddl
from portal.core.models import UTCDateTime

revision = '0012_audit21b'
down_revision = '0012_reliab21a'
branch_labels = None
depends_on = None

_entries = sa.table('audit_entries', sa.column('id', sa.Integer), sa.column('at', UTCDateTime),
                    sa.column('actor_id', sa.Integer), sa.column('actor', sa.String),
                    sa.column('action', sa.String), sa.column('subject', sa.String),
                    sa.column('data', sa.Text), sa.column('prev_hash', sa.String),
                    sa.column('hash', sa.String), sa.column('key_id', sa.String))
_BATCH = 1000


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _fields(row, at: str) -> dict:
    return {"id": row.id, "at": at, "actor": row.actor, "actor_id": row.actor_id,
            "action": row.action, "subject": row.subject, "data": row.data}


def _plain(prev: str, row, at: str) -> str:
    return hashlib.sha256((prev + _canonical(_fields(row, at))).encode()).hexdigest()


def _keyed(key: str, kid: str, prev: str, row, at: str) -> str:
    return sign(key, "entry", prev + _canonical({**_fields(row, at), "key_id": kid}))


def _batches():
    """Every entry in id order (UTCDateTime reads `at` back exactly as the app hashed it)."""
    bind, after = op.get_bind(), 0
    columns = [c for c in _entries.c if c.name != "key_id"]  # absent before the upgrade
    while True:
        rows = bind.execute(sa.select(*columns).where(_entries.c.id > after)
                            .order_by(_entries.c.id).limit(_BATCH)).all()
        if not rows:
            return
        yield rows
        after = rows[-1].id


def _check_plain() -> None:
    """Before anything changes (SQLite's DDL is not transactional): the old chain must verify."""
    prev = GENESIS
    for rows in _batches():
        for row in rows:
            if row.prev_hash != prev or _plain(prev, row, row.at.isoformat()) != row.hash:
                raise RuntimeError(f"audit entry {row.id} does not verify before the upgrade: the chain "
                                   "was already broken; nothing was changed (see `flask audit verify`)")
            prev = row.hash


def _rechain(compute, kid: str = "") -> None:
    """Walk the chain in order, recomputing every hash with `compute(prev, row, at)`."""
    bind = op.get_bind()
    for stmt in trigger_ddl(bind.dialect.name, drop=True):
        op.execute(stmt)
    new_prev, last_id = GENESIS, 0
    for rows in _batches():
        updates = []
        for row in rows:
            digest = compute(new_prev, row, row.at.isoformat())
            updates.append({"b_id": row.id, "b_prev": new_prev, "b_hash": digest})
            new_prev, last_id = digest, row.id
        bind.execute(_entries.update().where(_entries.c.id == sa.bindparam("b_id"))
                     .values(prev_hash=sa.bindparam("b_prev"), hash=sa.bindparam("b_hash"), key_id=kid),
                     updates)
    op.execute(sa.text("UPDATE audit_head SET last_id = :i, last_hash = :h WHERE id = 1")
               .bindparams(i=last_id, h=new_prev))
    for stmt in trigger_ddl(bind.dialect.name):
        op.execute(stmt)


def upgrade():
    _check_plain()
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), server_default='', nullable=False))
    key = current_app.config["AUDIT_KEY"]
    kid = audit_key_id(key)
    _rechain(lambda prev, row, at: _keyed(key, kid, prev, row, at), kid=kid)


def downgrade():
    _rechain(_plain)
    bind = op.get_bind()
    for stmt in trigger_ddl(bind.dialect.name, drop=True):
        op.execute(stmt)
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_column('key_id')
    for stmt in trigger_ddl(bind.dialect.name):
        op.execute(stmt)
