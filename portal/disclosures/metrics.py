"""Disclosure figures per month: releases, downloads, revocations, clawback answers, screening holds.

Counted by the database, grouped by the month of each event in the agency's time zone
(PostgreSQL converts each time exactly; SQLite shifts by the zone's offset today, so an event in
the hour around a daylight-saving change may land in the neighbouring month). A few dozen rows
come back, whatever the number of downloads.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..auth.models import User
from ..clawback.models import Notice, NoticeStatus
from ..core.export import safe_cell
from ..extensions import db
from ..record_requests.metrics import _months
from ..record_requests.models import RecordRequest
from ..screening.models import Hold
from .models import Delivery, Grant, Release

SERIES = ("releases", "downloads", "revocations", "clawback_answers", "holds")
LABELS = {"releases": "Releases", "downloads": "Downloads", "revocations": "Links revoked",
          "clawback_answers": "Clawback answers", "holds": "Screening holds"}  # translated by the page
_FOR_EXTRACTION = [_l("Releases"), _l("Downloads"), _l("Links revoked"), _l("Clawback answers"), _l("Screening holds")]


@dataclass
class DisclosureMetrics:
    months: list[str]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)   # series -> month -> count
    answers: dict[str, int] = field(default_factory=dict)             # notice status label -> count
    holds_by_outcome: dict[str, int] = field(default_factory=dict)

    def series(self, name: str) -> list[int]:
        return [self.counts[name].get(m, 0) for m in self.months]

    def total(self, name: str) -> int:
        return sum(self.series(name))


def _month(column, dialect: str, zone: str):
    if dialect == "postgresql":
        return sa.func.to_char(sa.func.timezone(zone, column), "YYYY-MM")
    offset = datetime.now(ZoneInfo(zone)).utcoffset().total_seconds() / 3600
    return sa.func.strftime("%Y-%m", column, f"{offset:+.0f} hours")


def compute(actor: User, months: int = 12) -> DisclosureMetrics:
    """The last `months` months; staff see their own department's, admins every department's (and
    the clawback answers, which only admins ask for)."""
    zone = current_app.config["AGENCY_TIMEZONE"]
    now = datetime.now(timezone.utc).astimezone(ZoneInfo(zone))
    labels = _months(now.date(), months)
    first = datetime(int(labels[0][:4]), int(labels[0][5:]), 1, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)
    dialect = db.session.get_bind().dialect.name
    dept = [] if actor.is_admin else [RecordRequest.department_id == actor.department_id]
    out = DisclosureMetrics(labels, {name: {} for name in SERIES})

    def count(name, column, select_from, *where):
        month = _month(column, dialect, zone)
        rows = db.session.execute(sa.select(month, sa.func.count()).select_from(select_from)
                                  .where(column >= first, *where).group_by(month))
        out.counts[name] = {m: n for m, n in rows if m in labels}

    releases = sa.join(Release, RecordRequest, RecordRequest.id == Release.request_id)
    grants = sa.join(Grant, Release, Release.id == Grant.release_id).join(
        RecordRequest, RecordRequest.id == Release.request_id)
    count("releases", Release.released_at, releases, *dept)
    count("downloads", Delivery.at, sa.join(Delivery, grants, Delivery.grant_id == Grant.id), *dept)
    count("revocations", Grant.revoked_at, grants, Grant.revoked_at.is_not(None), *dept)
    count("holds", Hold.created_at, sa.join(Hold, RecordRequest, RecordRequest.id == Hold.request_id), *dept)
    out.holds_by_outcome = {status.value: n for status, n in db.session.execute(
        sa.select(Hold.status, sa.func.count()).join(RecordRequest, RecordRequest.id == Hold.request_id)
        .where(Hold.created_at >= first, *dept).group_by(Hold.status))}
    if actor.is_admin:
        count("clawback_answers", Notice.responded_at, Notice, Notice.responded_at.is_not(None))
        out.answers = {NoticeStatus(status).label: n for status, n in db.session.execute(
            sa.select(Notice.status, sa.func.count()).where(Notice.sent_at >= first).group_by(Notice.status))}
    return out


def to_csv(m: DisclosureMetrics) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["month", *SERIES])
    for i, month in enumerate(m.months):
        w.writerow([safe_cell(month), *(m.series(name)[i] for name in SERIES)])
    if m.answers:
        w.writerow([])
        w.writerow(["clawback_answer", "notices"])
        for label, n in m.answers.items():
            w.writerow([safe_cell(label), n])
    return buf.getvalue()
