"""The chain against someone who can write the database but cannot read the audit key."""
import hashlib
import json

import pytest
import sqlalchemy as sa

from portal import audit
from portal.audit import checkpoints
from portal.audit.models import AuditEntry, trigger_ddl
from portal.audit.services import canonical
from portal.extensions import db
from portal.worker import run_once


def _fill(n=5, start=0):
    for i in range(start, start + n):
        audit.record("system", "test.event", f"thing:{i}", {"i": i})
    db.session.commit()


def _raw(*statements):
    db.session.rollback()  # our reads' locks would block the DDL on PostgreSQL
    with db.engine.begin() as conn:
        for stmt in trigger_ddl(db.engine.dialect.name, drop=True):
            conn.exec_driver_sql(stmt)
        for sql, params in statements:
            conn.execute(sa.text(sql), params)
    db.session.expire_all()


def _rechain_as_attacker(compute):
    """Edit entry 2, then re-hash the whole chain and move the head, as the code would."""
    rows = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
    prev, stmts = "0" * 64, []
    for e in rows:
        data = '{"i":99}' if e.id == 2 else e.data
        body = canonical({"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "actor_id": e.actor_id,
                          "action": e.action, "subject": e.subject, "data": data, "key_id": e.key_id})
        digest = compute(prev, body)
        stmts.append(("UPDATE audit_entries SET data = :d, prev_hash = :p, hash = :h WHERE id = :i",
                      {"d": data, "p": prev, "h": digest, "i": e.id}))
        prev = digest
    # Unique hashes: clear them first so the rewrite never collides with an old value.
    _raw(("UPDATE audit_entries SET prev_hash = 'tmp' || id, hash = 'tmp-h' || id", {}), *stmts,
         ("UPDATE audit_head SET last_hash = :h WHERE id = 1", {"h": prev}))


def test_rehashing_every_entry_without_the_key_is_found(runner, ctx):
    _fill()
    _rechain_as_attacker(lambda prev, body: hashlib.sha256((prev + body).encode()).hexdigest())
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "audit entry 1:" in result.output and "edited" in result.output


def test_cut_tail_with_head_moved_back_passes_alone_but_not_against_a_checkpoint(runner, ctx, tmp_path):
    _fill()
    cps = tmp_path / "cps.jsonl"
    assert runner.invoke(args=["audit", "checkpoint", "--file", str(cps)]).exit_code == 0
    third = db.session.get(AuditEntry, 3).hash
    _raw(("DELETE FROM audit_entries WHERE id > 3", {}),
         ("UPDATE audit_head SET last_id = 3, last_hash = :h WHERE id = 1", {"h": third}))
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # what checkpoints are for
    result = runner.invoke(args=["audit", "verify", "--checkpoints", str(cps)])
    assert result.exit_code == 1
    assert "records entry 5" in result.output and "tail was cut" in result.output


def test_rewrite_by_a_key_holder_is_found_against_a_checkpoint(runner, ctx, tmp_path, app):
    _fill()
    cps = tmp_path / "cps.jsonl"
    runner.invoke(args=["audit", "checkpoint", "--file", str(cps)])
    key = app.config["AUDIT_KEY"].encode()
    import hmac
    _rechain_as_attacker(lambda prev, body: hmac.new(key, f"entry:{prev}{body}".encode(),
                                                     hashlib.sha256).hexdigest())
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    result = runner.invoke(args=["audit", "verify", "--checkpoints", str(cps)])
    assert result.exit_code == 1
    assert "audit entry 5: differs from the checkpoint" in result.output


def test_intact_chain_agrees_with_its_checkpoints(runner, ctx, tmp_path):
    cps = tmp_path / "cps.jsonl"
    runner.invoke(args=["audit", "checkpoint", "--file", str(cps)])  # the empty chain
    _fill(3)
    runner.invoke(args=["audit", "checkpoint", "--file", str(cps)])
    _fill(2, start=3)
    result = runner.invoke(args=["audit", "verify", "--checkpoints", str(cps)])
    assert result.exit_code == 0, result.output
    assert "intact: 5 entries; agrees with 2 checkpoint(s)" in result.output


def test_a_forged_checkpoint_is_refused(runner, ctx, tmp_path):
    _fill(3)
    cps = tmp_path / "cps.jsonl"
    runner.invoke(args=["audit", "checkpoint", "--file", str(cps)])
    line = json.loads(cps.read_text())
    line["id"] = 2  # an attacker "agreeing" with a shorter chain
    cps.write_text(json.dumps(line) + "\n")
    result = runner.invoke(args=["audit", "verify", "--checkpoints", str(cps)])
    assert result.exit_code == 1
    assert "not signed by a known audit key" in result.output


def test_rotated_key_verifies_while_kept_as_fallback(runner, app, ctx):
    _fill(2)
    old = app.config["AUDIT_KEY"]
    app.config["AUDIT_KEY"], app.config["AUDIT_KEY_FALLBACKS"] = "a-new-audit-key", [old]
    _fill(2, start=2)
    assert audit.verify() == (4, None)
    app.config["AUDIT_KEY_FALLBACKS"] = []
    count, broken = audit.verify()
    assert (count, broken.id) == (0, 1) and "unknown audit key" in broken.reason


def test_checkpoint_goes_to_s3_too_and_storage_check_leaves_it(runner, app, ctx):
    if app.config["STORAGE"] != "s3":
        pytest.skip("S3 storage is wired on the postgres backend")
    from portal.core.storage import storage
    _fill(1)
    runner.invoke(args=["audit", "checkpoint"])
    keys = list(storage().iter_keys(checkpoints.S3_PREFIX + "/"))
    assert len(keys) == 1
    with storage().open(keys[0]) as fh:
        assert json.loads(fh.read())["id"] == 1
    result = runner.invoke(args=["storage", "check", "--grace", "0"])
    assert result.exit_code == 0, result.output


def test_worker_writes_a_checkpoint_once_an_hour(app, ctx):
    _fill(2)
    path = app.config["AUDIT_CHECKPOINT_FILE"]
    run_once()
    run_once()
    lines = open(path).read().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["id"] == 2


BEFORE = "0012_reliab21a"   # the revision before the one that keys the log


def test_upgrade_re_keys_existing_entries_and_refuses_a_broken_chain(ctx, app):
    from flask_migrate import downgrade, upgrade
    _fill(3)
    downgrade(revision=BEFORE)  # the entries as the previous version wrote them: plain SHA-256
    upgrade()
    db.session.expire_all()
    assert audit.verify() == (3, None)
    db.session.rollback()  # our reads' locks would block the DDL on PostgreSQL
    downgrade(revision=BEFORE)
    _raw(("UPDATE audit_entries SET actor = 'x' WHERE id = 2", {}))
    with pytest.raises(SystemExit):  # flask-migrate logs the RuntimeError and exits 1
        upgrade()
    with db.engine.connect() as conn:  # nothing changed: the upgrade can run again once mended
        assert "key_id" not in {c["name"] for c in sa.inspect(conn).get_columns("audit_entries")}
        assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == BEFORE
