"""Full-text search of requests for the staff queue, on the database's own engine.

PostgreSQL: a stored generated tsvector column (`search_vector`, English stemming, title and
description) with a GIN index, queried with websearch_to_tsquery; requesters' names have a GIN
expression index of their own. SQLite: FTS5 tables kept in step by triggers (porter stemming),
queried with MATCH on a query this module rebuilds from the user's words, so that no user input is
ever parsed as FTS5 syntax. Both are made by migration 0009; they are not in the models (SQLAlchemy
has no type for either), so `IGNORED_BY_AUTOGENERATE` keeps Alembic's comparison off them.
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
PG_INDEXES = ("ix_record_requests_search_vector", "ix_users_name_search", "ix_users_email_pattern")
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


def fts5_query(text: str) -> str | None:
    """A safe FTS5 MATCH string with websearch's meaning: words and "quoted phrases" must all
    occur, `or` between two terms means either, `-word` excludes. Every term is re-quoted as an
    FTS5 string of its word characters only, so `"`, `AND(`, `*` or `NEAR` cannot be syntax.
    None when nothing searchable is left."""
    positive, negative, pending_or = [], [], False
    for phrase, bare in _TOKEN.findall(text):
        raw = phrase if phrase or bare == "" else bare
        if not phrase and raw.lower() == "or":
            pending_or = bool(positive)
            continue
        exclude = not phrase and raw.startswith("-")
        words = _WORD.findall(raw)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        if exclude:
            negative.append(term)
        elif pending_or and positive:
            positive[-1] = f"({positive[-1]} OR {term})"
        else:
            positive.append(term)
        pending_or = False
    if not positive:
        return None
    match = " AND ".join(positive)
    return match + "".join(f" NOT {t}" for t in negative)


def _requester_ids(q: str, dialect: str) -> list[int]:
    """Requesters whose name matches the words, or whose e-mail starts with the text."""
    email = sa.select(User.id).where(User.email.startswith(q.lower(), autoescape=True))
    if dialect == "postgresql":
        vector = sa.func.to_tsvector(sa.literal_column("'simple'"), User.name)
        named = sa.select(User.id).where(vector.bool_op("@@")(
            sa.func.websearch_to_tsquery(sa.literal_column("'simple'"), q)))
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
        text_match = sa.literal_column(f"record_requests.{PG_COLUMN}").bool_op("@@")(
            sa.func.websearch_to_tsquery(sa.literal_column(f"'{PG_CONFIG}'"), q))
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
