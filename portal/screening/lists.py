"""Protected lists: admins keep them; staff only ever see the terms a file matched."""
from __future__ import annotations

import csv
import io
import re
import secrets

import sqlalchemy as sa

from .. import audit
from ..auth.models import User
from ..core.errors import Forbidden, Invalid, NotFound
from ..core.export import safe_cell
from ..extensions import db
from .detectors import normalise_term
from .models import ListsRevision, ProtectedList, ProtectedTerm, TermKind

MAX_TERM = 300
MAX_TERMS_PER_CALL = 100_000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().-]{7,20}$")


def _admin(actor: User) -> None:
    if not getattr(actor, "is_admin", False):
        raise Forbidden("Only an administrator may manage protected lists.")


def bump_revision() -> None:
    """Every change to any list: stored results and compiled matchers made before are stale."""
    row = db.session.scalar(sa.select(ListsRevision).where(ListsRevision.id == 1).with_for_update())
    if row is None:
        row = ListsRevision(id=1, revision=0)
        db.session.add(row)
    row.revision = (row.revision or 0) + 1
    row.token = secrets.token_hex(16)
    db.session.flush()


def all_lists(actor: User) -> list[ProtectedList]:
    _admin(actor)
    return list(db.session.scalars(sa.select(ProtectedList).order_by(ProtectedList.name)))


def get_list(actor: User, list_id: int) -> ProtectedList:
    _admin(actor)
    plist = db.session.get(ProtectedList, list_id)
    if plist is None:
        raise NotFound("No such list.")
    return plist


def term_counts() -> dict[int, int]:
    return dict(db.session.execute(sa.select(ProtectedTerm.list_id, sa.func.count())
                                   .group_by(ProtectedTerm.list_id)).all())


def _clean_name(name) -> str:
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 120:
        raise Invalid("A list's name is 1 to 120 characters.", fields={"list": "1-120 characters"})
    return " ".join(name.split())


def create_list(actor: User, name: str, description: str = "") -> ProtectedList:
    _admin(actor)
    name = _clean_name(name)
    if db.session.scalar(sa.select(ProtectedList.id).where(ProtectedList.name == name)):
        raise Invalid("A list with that name exists.", fields={"name": "taken"})
    plist = ProtectedList(name=name, description=(description or "").strip()[:2000], created_by_id=actor.id)
    db.session.add(plist)
    db.session.flush()
    audit.record(actor, "protected_list.create", f"protected_list:{plist.id}", {"name": name})
    return plist


def guess_kind(term: str) -> TermKind:
    if _EMAIL.match(term):
        return TermKind.email
    if _PHONE.match(term) and sum(c.isdigit() for c in term) >= 7:
        return TermKind.phone
    if any(c.isdigit() for c in term):
        return TermKind.serial
    if len(term.split()) >= 2:
        return TermKind.name
    return TermKind.text


def add_terms(actor: User, list_name: str, terms: list, *, create: bool = True) -> tuple[ProtectedList, int, int]:
    """Add terms to a list (made if missing). Returns the list, how many were added, how many it had."""
    _admin(actor)
    name = _clean_name(list_name)
    if not isinstance(terms, list) or not terms or len(terms) > MAX_TERMS_PER_CALL:
        raise Invalid(f"terms is a list of 1 to {MAX_TERMS_PER_CALL:,} strings.", fields={"terms": "list of strings"})
    bad = [i for i, t in enumerate(terms) if not isinstance(t, str) or not t.strip() or len(t) > MAX_TERM]
    if bad:
        raise Invalid(f"Each term is a string of 1 to {MAX_TERM} characters (see item {bad[0]}).",
                      fields={"terms": f"item {bad[0]}"})
    plist = db.session.scalar(sa.select(ProtectedList).where(ProtectedList.name == name))
    if plist is None:
        if not create:
            raise NotFound("No such list.")
        plist = create_list(actor, name)
    have = set(db.session.scalars(sa.select(ProtectedTerm.normalised).where(ProtectedTerm.list_id == plist.id)))
    added = 0
    for raw in terms:
        term = " ".join(raw.split())
        norm = normalise_term(term)
        if not norm:
            raise Invalid(f"'{term}' has no letters or digits to match.", fields={"terms": "no letters or digits"})
        if norm in have:
            continue
        have.add(norm)
        db.session.add(ProtectedTerm(list_id=plist.id, term=term, normalised=norm[:MAX_TERM],
                                     kind=guess_kind(term), added_by_id=actor.id))
        added += 1
    bump_revision()
    # The audit row counts terms and never copies them: the log is read more widely than the list.
    audit.record(actor, "protected_list.add_terms", f"protected_list:{plist.id}",
                 {"name": plist.name, "added": added, "sent": len(terms)})
    return plist, added, len(have)


def remove_term(actor: User, list_id: int, term_id: int) -> None:
    plist = get_list(actor, list_id)
    term = db.session.get(ProtectedTerm, term_id)
    if term is None or term.list_id != plist.id:
        raise NotFound("No such term.")
    db.session.delete(term)
    bump_revision()
    audit.record(actor, "protected_list.remove_term", f"protected_list:{plist.id}", {"term_id": term_id})


def delete_list(actor: User, list_id: int) -> None:
    plist = get_list(actor, list_id)
    count = len(plist.terms)
    db.session.delete(plist)
    bump_revision()
    audit.record(actor, "protected_list.delete", f"protected_list:{list_id}", {"name": plist.name, "terms": count})


def import_csv(actor: User, list_id: int, data: bytes) -> int:
    """Terms from the first column of a CSV (a header named term/name is skipped)."""
    plist = get_list(actor, list_id)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("The CSV must be UTF-8.", fields={"file": "not UTF-8"}) from exc
    terms = []
    for n, row in enumerate(csv.reader(io.StringIO(text))):
        value = row[0].strip() if row else ""
        if n == 0 and value.lower() in ("term", "terms", "name", "value"):
            continue
        if value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
            value = value[1:]  # our own export's formula guard
        if value:
            terms.append(value)
    if not terms:
        raise Invalid("The CSV has no terms in its first column.", fields={"file": "empty"})
    _, added, _ = add_terms(actor, plist.name, terms, create=False)
    return added


def export_csv(actor: User, list_id: int) -> str:
    plist = get_list(actor, list_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["term", "kind", "added_at"])
    for t in plist.terms:
        writer.writerow([safe_cell(t.term), t.kind.value, t.added_at.isoformat()])
    audit.record(actor, "protected_list.export", f"protected_list:{plist.id}", {"terms": len(plist.terms)})
    return out.getvalue()


def current_terms() -> list[tuple[str, str]]:
    """(term, list name) for every term: what the matcher is compiled from."""
    return list(db.session.execute(sa.select(ProtectedTerm.term, ProtectedList.name)
                                   .join(ProtectedList, ProtectedTerm.list_id == ProtectedList.id)).all())


def current_token() -> str:
    return db.session.scalar(sa.select(ListsRevision.token).where(ListsRevision.id == 1)) or "initial"
