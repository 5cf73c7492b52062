"""Full-text search of requests for the staff queue, on the database's own engine.

PostgreSQL: a stored generated tsvector column (`search_vector`, English stemming, title and
description) with a GIN index, queried with websearch_to_tsquery; requesters' names have a GIN
expression index of their own. SQLite: FTS5 tables kept in step by triggers (porter stemming),
queried with MATCH on a query this module rebuilds from the user's words, so that no user input is
ever parsed as FTS5 syntax. Both are made by migration 0009 (and a GIN index of the open requests'
words by 0010); they are not in the models (SQLAlchemy has no type for either), so
`IGNORED_BY_AUTOGENERATE` keeps Alembic's comparison off them.
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from ..auth.models import User
from ..extensions import db
from .models import RecordRequest

PG_CONFIG = "english"
# What migration 0009 makes (tables, columns, indexes), by name.
SQLITE_TABLES = ("record_requests_fts", "users_fts")
PG_COLUMN = "search_vector"
PG_INDEXES = ("ix_record_requests_search_vector", "ix_users_name_search", "ix_users_email_pattern",
              "ix_record_requests_open_search")  # the last one: open requests only, migration 0010
IGNORED_BY_AUTOGENERATE = {PG_COLUMN, *PG_INDEXES}
MAX_REQUESTER_MATCHES = 1000

_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)
_TRACKING = re.compile(r"^\d{4}-\d{1,9}$")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: leave the full-text objects of migration 0009 alone."""
    if type_ == "table" and name and (name in SQLITE_TABLES or name.startswith(tuple(
            t + "_" for t in SQLITE_TABLES))):
        return False
    return not (type_ in ("column", "index") and name in IGNORED_BY_AUTOGENERATE)


def _terms(text: str) -> tuple[list[list[str]], list[str]]:
    """The user's search, websearch-style, as plain data: groups of alternatives that must all
    match (words and "quoted phrases"; `or` between two makes them alternatives) and terms that
    must not (`-word`). A term keeps only its word characters, so nothing the user types can be
    query syntax on either engine."""
    groups: list[list[str]] = []
    negative: list[str] = []
    pending_or = False
    for phrase, bare in _TOKEN.findall(text):
        raw = phrase if phrase or bare == "" else bare
        if not phrase and raw.lower() == "or":
            pending_or = bool(groups)
            continue
        words = _WORD.findall(raw)
        if not words:
            continue
        term = " ".join(words)
        if not phrase and raw.startswith("-"):
            negative.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    return groups, negative


def fts5_query(text: str) -> str | None:
    """A safe FTS5 MATCH string (every term an FTS5 "string"); None when nothing is left."""
    groups, negative = _terms(text)
    if not groups:
        return None
    quoted = ['"' + t + '"' if len(g) == 1 else "(" + " OR ".join(f'"{t}"' for t in g) + ")"
              for g in groups for t in g[:1]]
    return " AND ".join(quoted) + "".join(f' NOT "{t}"' for t in negative)


def websearch_query(text: str) -> str | None:
    """The same search rebuilt for websearch_to_tsquery, which fails on some raw input
    ("tsquery stack too small" for a run of dashes)."""
    groups, negative = _terms(text)
    if not groups:
        return None
    phrase = lambda t: f'"{t}"' if " " in t else t  # noqa: E731
    return " ".join(" or ".join(phrase(t) for t in g) for g in groups) + "".join(
        f" -{phrase(t)}" for t in negative)


def _requester_ids(q: str, dialect: str) -> list[int]:
    """Requesters whose name matches the words, or whose e-mail starts with the text."""
    email = sa.select(User.id).where(User.email.startswith(q.lower(), autoescape=True))
    if dialect == "postgresql":
        vector = sa.func.to_tsvector(sa.literal_column("'simple'"), User.name)
        words = websearch_query(q)
        named = sa.select(User.id).where(vector.bool_op("@@")(
            sa.func.websearch_to_tsquery(sa.literal_column("'simple'"), words))) if words else None
    else:
        match = fts5_query(q)
        named = (sa.select(sa.literal_column("rowid")).select_from(sa.table("users_fts"))
                 .where(sa.literal_column("users_fts").op("MATCH")(match))) if match else None
    found = sa.union(email, named) if named is not None else email
    return list(db.session.scalars(sa.select(found.subquery().c[0]).limit(MAX_REQUESTER_MATCHES)))


def condition(q: str):
    """A WHERE clause: the request's title or description matches the words, its tracking number
    is the text, or its requester's name matches or e-mail starts with it."""
    dialect = db.session.get_bind().dialect.name
    text_match = None
    if dialect == "postgresql":
        if (words := websearch_query(q)) is not None:
            text_match = sa.literal_column(f"record_requests.{PG_COLUMN}").bool_op("@@")(
                sa.func.websearch_to_tsquery(sa.literal_column(f"'{PG_CONFIG}'"), words))
    elif (match := fts5_query(q)) is not None:
        text_match = RecordRequest.id.in_(
            sa.select(sa.literal_column("rowid")).select_from(sa.table("record_requests_fts"))
            .where(sa.literal_column("record_requests_fts").op("MATCH")(match)))
    clauses = [text_match] if text_match is not None else []
    if _TRACKING.match(q):
        clauses.append(RecordRequest.tracking_number == q)
    if requesters := _requester_ids(q, dialect):
        clauses.append(RecordRequest.requester_id.in_(requesters))
    return sa.or_(sa.false(), *clauses)
