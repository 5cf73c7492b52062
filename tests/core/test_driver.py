"""DriverQuery: reads through the driver's cursor give the same rows as an ordinary execute."""
import sqlite3
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import Role, User, UserSession
from portal.auth import services
from portal.core.driver import DriverQuery
from portal.core.models import utcnow
from portal.extensions import db
from tests import factories as f


def test_typed_rows_equal_an_ordinary_execute(ctx):
    staff, admin = f.user(Role.staff), f.user(Role.admin)
    admin.email_verified_at = None
    services.start_session(staff, ip="203.0.113.9", user_agent="x")
    db.session.commit()
    # A parameter used twice, a literal in the statement, a boolean, an enum, datetimes (one NULL),
    # and a label.
    statement = (sa.select(User.id, User.role, User.active, User.email_verified_at, User.created_at,
                           UserSession.last_seen_at.label("seen"))
                 .outerjoin(UserSession, UserSession.user_id == User.id)
                 .where(User.active.is_(True), sa.or_(User.id == sa.bindparam("a"), User.id == sa.bindparam("b")),
                        User.created_at > sa.bindparam("since"), User.id != sa.bindparam("a") + 1000000)
                 .order_by(User.id))
    params = {"a": staff.id, "b": admin.id, "since": utcnow() - timedelta(days=1)}
    expected = [tuple(row) for row in db.session.execute(statement, params)]
    got = DriverQuery(statement).all(**params)
    assert got == expected and len(got) == 2
    assert got[0].role == Role.staff and got[0].seen is not None and got[0].seen.tzinfo is not None
    assert got[1].email_verified_at is None and got[1].active is True
    assert DriverQuery(statement).first(a=-1, b=-2, since=params["since"]) is None


def test_untyped_rows_are_the_drivers_own_values_and_change_with_the_data(ctx):
    u = f.user()
    query = DriverQuery(sa.select(User.id, User.name).where(User.id == sa.bindparam("id")))
    before = query.raw(id=u.id)
    assert before == query.raw(id=u.id)
    hash(tuple(before))  # usable as a cache key
    u.name = "Someone Else"
    db.session.flush()  # the same transaction sees its own change
    assert query.raw(id=u.id) != before


def test_statement_listeners_see_driver_reads(ctx):
    """Statement counters and tracers on the engine still see these reads."""
    seen = []
    listener = lambda conn, cursor, statement, *rest: seen.append(statement)  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        DriverQuery(sa.select(User.id).where(User.id == sa.bindparam("id"))).raw(id=1)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert len(seen) == 1 and seen[0].lstrip().upper().startswith("SELECT USERS.ID")


def test_reads_outside_the_session_see_each_commit_at_once(ctx):
    """Before the request's session is used, a read runs on the thread's own connection: it must
    not keep an old snapshot, whoever commits (another connection of this process here; another
    worker process is the same to SQLite)."""
    u = f.user()
    db.session.commit()
    uid, name = u.id, u.name
    db.session.remove()  # a fresh request: its session has not touched the database
    query = DriverQuery(sa.select(User.name).where(User.id == sa.bindparam("id")))
    assert query.raw(id=uid) == [(name,)]
    for new in ("Renamed Elsewhere", "Renamed Again"):
        with db.engine.begin() as other:
            other.execute(sa.update(User).where(User.id == uid).values(name=new))
        assert query.raw(id=uid) == [(new,)]


def test_a_disposed_engine_gets_a_new_read_connection(ctx):
    """Disposing the engine (tests, a fork-safe restart) must not leave reads on a connection the
    application has let go of. (On PostgreSQL reads always use the request session's connection.)"""
    uid = f.user().id
    db.session.commit()
    db.session.remove()
    query = DriverQuery(sa.select(User.id).where(User.id == sa.bindparam("id")))
    seen = []
    listener = lambda conn, *rest: seen.append(conn.connection.dbapi_connection)  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        query.raw(id=uid)
        query.raw(id=uid + 1)
        db.engine.dispose()
        assert query.raw(id=uid) == [(uid,)]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    if db.engine.dialect.name == "sqlite":
        assert seen[0] is seen[1] and seen[2] is not seen[0]
        with pytest.raises(sqlite3.ProgrammingError):  # closed with the pool, not left open
            seen[0].execute("SELECT 1")
    else:
        assert seen[0] is seen[1] is seen[2] is db.session.connection().connection.dbapi_connection


def test_rows_are_reused_only_while_the_database_is_unchanged(ctx):
    """On SQLite, a read outside the session is answered again without running while nothing was
    committed anywhere; any commit (here by another connection) makes the next read run."""
    uid = f.user().id
    db.session.commit()
    db.session.remove()
    query = DriverQuery(sa.select(User.name).where(User.id == sa.bindparam("id")))
    ran = []
    listener = lambda conn, cursor, statement, *rest: ran.append(statement)  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        first = query.raw(id=uid)
        again = query.raw(id=uid)
        first.append("changed by a caller")  # a caller's list is its own
        assert query.raw(id=uid) == again and len(again) == 1
        reused = len(ran)
        with db.engine.begin() as other:
            other.execute(sa.update(User).where(User.id == uid).values(name="Changed Elsewhere"))
        assert query.raw(id=uid) == [("Changed Elsewhere",)]
        assert query.raw(id=uid) == [("Changed Elsewhere",)]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    driver_reads = [s for s in ran if s.lstrip().upper().startswith("SELECT USERS.NAME")]
    if db.engine.dialect.name == "sqlite":
        assert reused == 1 and len(driver_reads) == 2  # once before the change, once after
    else:  # PostgreSQL: every read runs, in the request's own transaction
        assert len(driver_reads) == 5
