import pytest
import sqlalchemy as sa

from portal import audit
from portal.audit.models import AuditEntry, trigger_ddl
from portal.extensions import db


def _fill(n=5):
    for i in range(n):
        audit.record("system", "test.event", f"thing:{i}", {"i": i, "text": "é"})
    db.session.commit()


def _raw(sql, **params):
    """Tamper as an attacker with database access would: triggers off, then edit."""
    dialect = db.engine.dialect.name
    with db.engine.begin() as conn:
        for stmt in trigger_ddl(dialect, drop=True):
            conn.exec_driver_sql(stmt)
        conn.execute(sa.text(sql), params)


def test_intact_chain_verifies(runner, ctx):
    _fill()
    assert audit.verify() == (5, None)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 5 entries" in result.output


def test_database_refuses_update_and_delete(ctx):
    _fill(2)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_entries SET actor = 'x' WHERE id = 1"))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM audit_entries WHERE id = 2"))
    assert audit.verify() == (2, None)


@pytest.mark.parametrize("sql, broken_id", [
    ("UPDATE audit_entries SET data = '{\"i\": 99}' WHERE id = 3", 3),
    ("UPDATE audit_entries SET actor = 'someone-else' WHERE id = 2", 2),
    ("DELETE FROM audit_entries WHERE id = 3", 3),
    ("DELETE FROM audit_entries WHERE id = 5", 5),
    ("UPDATE audit_entries SET at = at WHERE id = 1; ", None),
])
def test_tampering_is_named(runner, ctx, sql, broken_id):
    _fill()
    _raw(sql)
    db.session.expire_all()
    result = runner.invoke(args=["audit", "verify"])
    if broken_id is None:
        assert result.exit_code == 0
        return
    assert result.exit_code == 1
    assert f"audit entry {broken_id}:" in result.output


def test_reordering_is_named(runner, ctx):
    _fill()
    # Swap the contents of entries 2 and 3 (hashes travel with them).
    cols = "at, actor, action, subject, data, prev_hash, hash"
    _raw("CREATE TABLE tmp_swap AS SELECT * FROM audit_entries WHERE id IN (2, 3)")
    _raw("DELETE FROM audit_entries WHERE id IN (2, 3)")
    _raw(f"INSERT INTO audit_entries (id, actor_id, {cols}) "
         f"SELECT CASE id WHEN 2 THEN 3 ELSE 2 END, actor_id, {cols} FROM tmp_swap")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "audit entry 2:" in result.output


def test_entries_written_in_a_rolled_back_transaction_vanish_cleanly(ctx):
    _fill(2)
    audit.record("system", "test.event", "thing:x")
    db.session.rollback()
    audit.record("system", "test.event", "thing:y")
    db.session.commit()
    assert audit.verify() == (3, None)
    assert db.session.scalar(sa.select(AuditEntry.subject).where(AuditEntry.id == 3)) == "thing:y"


def test_admin_page_lists_and_filters(client, ctx):
    from portal.auth.models import Role
    from tests import factories as f
    admin = f.user(Role.admin)
    f.login(client, admin.email)
    page = client.get("/admin/audit/?action=auth.").get_data(as_text=True)
    assert "auth.login" in page and "user.create" not in page
    assert client.get("/admin/audit/").status_code == 200


def test_audit_page_is_for_admins_only(client, ctx):
    from portal.auth.models import Role
    from tests import factories as f
    staff = f.user(Role.staff)
    f.login(client, staff.email)
    assert client.get("/admin/audit/").status_code == 403
