"""Reads on the hottest paths through the database driver's cursor.

For the session check on every logged-in request and the files page's cache key, SQLAlchemy's
execute and result layers cost two to three times the query itself. The statement is still
built and compiled by SQLAlchemy (once per dialect), and values still pass through the columns'
own types, so the rows equal an ordinary execute's. It runs on the session's connection once the
request has used it, else (SQLite file) on a read connection of the thread's own (see
`_connection`), where rows are reused while the database is unchanged (`_Readers.unchanged`); it
does not autoflush. The engine's cursor-execute listeners (statement counters, tracers) see each
statement that runs, with no execution context.
"""
from __future__ import annotations

import os
import threading
from collections import namedtuple

import sqlalchemy as sa
from sqlalchemy import orm

from ..extensions import db


class DriverQuery:
    """A SELECT built once. `raw` gives the driver's own values (hashable: a cache key), `convert`
    turns them into typed, named rows, and `all` does both."""

    def __init__(self, statement: sa.Select) -> None:
        self._statement = statement
        self._row = namedtuple("Row", [column.key for column in statement.selected_columns])
        self._compiled: dict = {}  # dialect -> (sql, compiled, positional names or None, processors)

    def raw(self, **params) -> list[tuple]:
        connection = _connection()
        sql, compiled, names, _ = self._compile(connection.dialect)
        values = compiled.construct_params(params)
        values = tuple(values[name] for name in names) if names is not None else values
        readers = _readers
        reuse = connection is readers.connection and _hashable(values)
        if reuse:  # rows read while the database is unchanged still hold
            results = readers.unchanged()
            found = results.get((self, values))
            if found is not None:
                return list(found)
        events = connection.engine.dispatch  # listeners live on the engine (a connection's own: none)
        before, after = events.before_cursor_execute, events.after_cursor_execute
        cursor = connection.connection.cursor()
        try:
            if before:
                for listener in before:
                    listener(connection, cursor, sql, values, None, False)
            cursor.execute(sql, values)
            rows = cursor.fetchall()
            if after:
                for listener in after:
                    listener(connection, cursor, sql, values, None, False)
        finally:
            cursor.close()
        if reuse:
            if len(results) >= _RESULTS:
                results.clear()
            results[(self, values)] = tuple(rows)
        return rows

    def convert(self, rows) -> list[tuple]:
        _, _, _, processors = self._compile(db.engine.dialect)
        row = self._row
        return [row(*[value if convert is None else convert(value) for convert, value in zip(processors, raw)])
                for raw in rows]

    def all(self, **params) -> list[tuple]:
        return self.convert(self.raw(**params))

    def first(self, **params):
        rows = self.all(**params)
        return rows[0] if rows else None

    def _compile(self, dialect):
        found = self._compiled.get(dialect)
        if found is None:
            compiled = self._statement.compile(dialect=dialect)
            sql = str(compiled)
            if "POSTCOMPILE" in sql:
                raise ValueError("expanding parameters (IN lists) are not supported here")
            processors = [column.type.result_processor(dialect, None) for column in self._statement.selected_columns]
            found = self._compiled[dialect] = (
                sql, compiled, list(compiled.positiontup) if compiled.positional else None, processors)
        return found


def _connection() -> sa.Connection:
    """The session's connection once the request has used it, so a read sees the request's own
    writes. Until then, on an SQLite file, the thread's own read connection (`_reader`): a pool
    checkout and return per request cost more than these reads. On PostgreSQL every checkout
    pings the server: the request keeps to one connection."""
    registry = db.session.registry
    session = registry() if registry.has() else None  # never makes the request's session
    if session is not None and session.info.get("connected"):
        return session.connection()
    engine = db.engine
    if engine.dialect.name != "sqlite" or not isinstance(engine.pool, sa.pool.QueuePool):
        return db.session().connection()  # PostgreSQL, or an in-memory SQLite (its pool is the database)
    return _reader(engine)


_RESULTS = 4096  # reads kept per thread while the database is unchanged


def _hashable(values) -> bool:
    try:
        hash(values)
    except TypeError:  # a dict or list parameter: read every time
        return False
    return True


class _Readers(threading.local):
    engine = pool = pid = connection = version = results = None

    def unchanged(self) -> dict:
        """The rows this thread read since the database last changed, by (query, values).

        SQLite's `PRAGMA data_version` changes when any other connection, in any process,
        commits a change to the database file; this connection never writes. So while it is
        unchanged, a read gives the rows it gave before, and they are reused. It costs SQLite
        one header read, against a query's plan, rows and Python values."""
        version = self.connection.connection.dbapi_connection.execute("PRAGMA data_version").fetchone()[0]
        if version != self.version:
            self.version, self.results = version, {}
        return self.results

    def drop(self) -> None:
        if self.connection is not None:
            if self.pid == os.getpid():
                self.connection.close()
            else:  # inherited through a fork: SQLite must not close it here (POSIX locks are per process)
                _INHERITED.append(self.connection)
        self.engine = self.pool = self.pid = self.connection = self.version = self.results = None


_readers = _Readers()
_INHERITED: list = []


def _reader(engine: sa.Engine) -> sa.Connection:
    """A connection of this thread's own, detached from the pool and never in a transaction, so
    each read sees what is committed at that moment (SQLite begins a transaction only for a
    write, and this connection never writes). Replaced after a fork or when the engine's pool is
    disposed or replaced."""
    readers = _readers
    if readers.pool is not engine.pool or readers.pid != os.getpid():
        readers.drop()
        connection = engine.connect()
        connection.detach()
        readers.engine, readers.pool, readers.pid, readers.connection = engine, engine.pool, os.getpid(), connection
    return readers.connection


@sa.event.listens_for(sa.Engine, "engine_disposed")
def _disposed(engine) -> None:
    """The disposing thread's reader goes with the pool (other threads replace theirs on their
    next read, as the pool is no longer theirs)."""
    if _readers.engine is engine:
        _readers.drop()


@sa.event.listens_for(orm.Session, "after_begin")
def _connected(session, transaction, connection) -> None:
    session.info["connected"] = True


def connected() -> bool:
    """Whether the request's session has used the database (else it has nothing to commit)."""
    session = db.session()
    return bool(session.info.get("connected") or session.new or session.dirty or session.deleted)
