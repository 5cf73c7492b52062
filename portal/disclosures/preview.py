"""A release before it is made: who gets what, the stamp they will see, what screening found."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from ..auth.models import User
from ..auth.services import find_user, normalise_email
from ..core.errors import Invalid
from ..core.models import utcnow
from ..extensions import db
from ..record_requests.models import RecordRequest
from ..records.models import Disposition, Record
from ..screening.clean import cleanable
from ..screening.services import RecordScreen, screen_records
from ..watermark import Stamp, derive
from .traceable import ADVICE, untraceable


@dataclass
class Plan:
    recipients: list[tuple[str, str]]     # (e-mail, what happens: existing account / new account)
    screens: list[RecordScreen]
    stamp: str
    untraceable: dict[int, str]          # record id: why its unwrapped copies name no one
    advice: str = ADVICE

    @property
    def flagged(self) -> bool:
        return any(s.flagged for s in self.screens)

    def cleanable(self, screen: RecordScreen) -> bool:
        return cleanable(screen.record) and any(f["kind"] in ("gps", "exif", "xmp") for f in screen.findings)


def preview(actor: User, req: RecordRequest, record_ids: list[int], recipients: list[str]) -> Plan:
    ids = sorted(set(record_ids))
    if not ids:
        raise Invalid("Choose at least one record to release.", fields={"record_ids": "empty"})
    records = list(db.session.scalars(sa.select(Record).where(Record.id.in_(ids), Record.request_id == req.id)
                                      .order_by(Record.id)))
    if len(records) != len(ids) or any(r.disposition == Disposition.withhold for r in records):
        raise Invalid("Choose records of this request that are marked for release.", fields={"record_ids": "invalid"})
    people = [(req.requester.email, "the requester")]
    for raw in recipients:
        email = normalise_email(raw)
        user = find_user(email)
        people.append((email, "existing account" if user else "a new account is made; they confirm their address"))
    sample = Stamp(codeword=derive(b"preview", "preview"), recipient="[each recipient's name]",
                   tracking_number=req.tracking_number, issued=utcnow().date(),
                   portal_url=current_app.config["BASE_URL"])
    stamp = sample.footer.replace(sample.code, "[their own code]")
    warnings = {r.id: why for r in records if (why := untraceable(r)) is not None}
    return Plan(list(dict(people).items()), screen_records(records), stamp, warnings)
