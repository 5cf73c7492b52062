"""Similar requests by word overlap: public ones while filing, likely duplicates for staff.

A plain token-overlap score (Jaccard over distinct words, stop words dropped). Candidates are
narrowed in SQL by the rarest-looking (longest) words, then scored here. Full-text search replaces
the narrowing later; the scoring stays.
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from ..extensions import db
from .models import CLOSED, RecordRequest

STOP = frozenset("""a about all an and any are as at be by copies copy for from have i in into is it
its me my of on or our please records record request requesting regarding related relating that the
their them these this those to under us we with would you your between since during""".split())
WORD = re.compile(r"[a-z0-9]+")
CANDIDATES = 300


def words(text: str) -> set[str]:
    return {w for w in WORD.findall((text or "").lower()) if len(w) > 2 and w not in STOP}


def score(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _candidates(query: set[str], where) -> list[RecordRequest]:
    keys = sorted(query, key=len, reverse=True)[:6]
    if not keys:
        return []
    likes = [sa.or_(sa.func.lower(RecordRequest.title).contains(k, autoescape=True),
                    sa.func.lower(RecordRequest.description).contains(k, autoescape=True))
             for k in keys]
    stmt = (sa.select(RecordRequest).where(sa.or_(*likes), *where)
            .order_by(RecordRequest.id.desc()).limit(CANDIDATES))
    return list(db.session.scalars(stmt))


def _rank(text: str, where, limit: int, threshold: float) -> list[tuple[RecordRequest, float]]:
    query = words(text)
    scored = [(r, score(query, words(f"{r.title} {r.description}"))) for r in _candidates(query, where)]
    scored = [(r, round(s, 2)) for r, s in scored if s >= threshold]
    return sorted(scored, key=lambda rs: -rs[1])[:limit]


def similar_public(title: str, description: str, *, department_id: int | None = None,
                   limit: int = 5, threshold: float = 0.12) -> list[tuple[RecordRequest, float]]:
    """Closed, published requests that look like this one: the answer may already be public."""
    where = [RecordRequest.status.in_(CLOSED), RecordRequest.published.is_(True)]
    if department_id:
        where.append(RecordRequest.department_id == department_id)
    return _rank(f"{title} {description}", where, limit, threshold)


def likely_duplicates(req: RecordRequest, limit: int = 5,
                      threshold: float = 0.25) -> list[tuple[RecordRequest, float]]:
    """Open requests in the same department that look like this one."""
    where = [RecordRequest.id != req.id, RecordRequest.department_id == req.department_id,
             RecordRequest.status.not_in(CLOSED)]
    return _rank(f"{req.title} {req.description}", where, limit, threshold)
