"""One of each object, owned by known actors, for the authorisation matrix and the header checks.

Built once per test module and backend (see tests/security/conftest.py). Department A holds the
objects; the owning requester filed the request; "other" is a requester with nothing of theirs here;
"staff" works in A and "ostaff" in B; "admin" administers everything.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from portal.auth.models import Role
from portal.extensions import db
from tests import factories as f

ACTORS = ("anon", "owner", "other", "staff", "ostaff", "admin")
ROSTER = b"first,last,unit\r\nJose,Alvarez,Narcotics\r\nBo,Chen,Traffic\r\n"


@dataclass
class World:
    users: dict = field(default_factory=dict)     # actor -> User id
    emails: dict = field(default_factory=dict)    # actor -> e-mail
    tokens: dict = field(default_factory=dict)    # actor -> bearer secret
    ids: dict = field(default_factory=dict)       # URL parameter name -> value


def build() -> World:
    """Call inside an app context. Commits."""
    from portal.auth.services import create_token
    from portal.clawback import campaigns
    from portal.core.models import utcnow
    from portal.disclosures import services as disclosures
    from portal.disclosures.models import Grant
    from portal.mail.models import OutgoingMail
    from portal.record_requests import clock, groups
    from portal.record_requests.models import AgencyClosure
    from portal.records import services as records
    from portal.redaction import services as redaction
    from portal.screening import lists
    from portal.screening.holds import ScreeningHold
    from tests.disclosures import samples
    from tests.redaction import samples as pdfs

    w = World()
    dept_a, dept_b = f.department("dept-a"), f.department("dept-b")
    people = {"owner": f.user(), "other": f.user(), "staff": f.user(Role.staff, dept=dept_a),
              "ostaff": f.user(Role.staff, dept=dept_b), "admin": f.user(Role.admin)}
    second = f.user(Role.staff, dept=dept_a)  # a second pair of eyes for the hold
    for name, u in people.items():
        w.users[name], w.emails[name] = u.id, u.email
        _, secret = create_token(u, u, "matrix")
        w.tokens[name] = secret
    owner, staff, admin = people["owner"], people["staff"], people["admin"]

    req = f.request_for(owner, dept_a)
    memo = f.upload(staff, req, samples.text(), filename="memo.txt")
    rel = disclosures.create_release(staff, req.id, [memo.id])
    f.commit()
    grant = db.session.scalar(sa.select(Grant).where(Grant.release_id == rel.id, Grant.recipient_id == owner.id))

    # A second release whose file is clawed back: a campaign, and a notice to the owner.
    recalled = f.upload(staff, req, b"a recalled memo\n" * 20, filename="recalled.txt")
    disclosures.create_release(staff, req.id, [recalled.id])
    f.commit()
    campaign = campaigns.open_campaign(admin, sha256s=[recalled.sha256], reason="Released in error.",
                                       respond_by=utcnow().date() + timedelta(days=10))
    f.commit()
    notice = next(n for n in campaign.notices if n.recipient_id == owner.id)

    # A protected list, a flagged record and its hold.
    plist, _, _ = lists.add_terms(admin, "Undercover", ["José Álvarez"])
    f.commit()
    term = plist.terms[0]
    roster = f.upload(staff, req, ROSTER, filename="roster.csv")
    try:
        disclosures.create_release(staff, req.id, [roster.id])
    except ScreeningHold as held:
        hold_id = held.hold_id
    else:  # pragma: no cover - the world is wrong
        raise AssertionError("the roster was not held")
    f.commit()

    # A PDF with a draft redaction.
    pdf = f.upload(staff, req, pdfs.text_pdf([["Memo about nothing much."], ["Page two."]]), filename="memo.pdf")
    [draft] = redaction.add(staff, pdf.id, [{"kind": "box", "page": 1, "x": 60, "y": 60, "width": 100,
                                              "height": 30, "citation": "b6"}])
    f.commit()

    # The owner's attachment, a request group, a closure day, a mail row.
    att = records.attach(owner, req.id, io.BytesIO(b"my own notes\n"), "notes.txt", max_size=10 ** 6)
    split_from = f.request_for(owner, dept_a, title="Split me")
    groups.split(staff, split_from.id, [dept_b], "Parks has some too.")
    f.commit()
    clock.add_closure(admin, utcnow().date() + timedelta(days=40), "Founders' day")
    f.commit()
    closure_id = db.session.scalar(sa.select(sa.func.max(AgencyClosure.id)))
    from portal.clawback import batch as attribution_batch
    found = io.BytesIO()
    with zipfile.ZipFile(found, "w") as zf:
        zf.writestr("found/memo.txt", b"a found file\n")
    found.seek(0)
    batch = attribution_batch.start(admin, found, "found.zip")
    f.commit()
    mail_id = db.session.scalar(sa.select(sa.func.max(OutgoingMail.id)))
    owner_token = db.session.scalar(sa.text("SELECT id FROM api_tokens WHERE user_id = :u"), {"u": owner.id})

    w.ids = {"request_id": req.id, "ident": req.id, "tracking_number": req.tracking_number,
             "record_id": memo.id, "pdf_record_id": pdf.id, "grant_id": grant.id, "release_id": rel.id,
             "sha256": memo.sha256, "campaign_id": campaign.id, "notice_id": notice.id,
             "hold_id": hold_id, "list_id": plist.id, "term_id": term.id, "redaction_id": draft.id,
             "attachment_id": att.id, "group_id": split_from.group_id, "closure_id": closure_id,
             "mail_id": mail_id, "batch_id": batch.id, "token_id": owner_token, "user_id": owner.id,
             "page": 1, "code": "es", "action": "acknowledge", "filename": "portal.css", "name": "00000001.eml",
             "token": "not-a-real-token"}
    return w
