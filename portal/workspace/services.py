"""What the landing pages show: reads only, each bounded, none per row of another."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..auth.models import User
from ..clawback.models import Clawback, Notice, NoticeStatus
from ..digests.services import StaffDigest, department_summary, staff_digest
from ..disclosures.models import Delivery, Grant, Release
from ..extensions import db
from ..record_requests import clock
from ..record_requests.models import RecordRequest
from ..records.models import Blob, Record, ScanStatus
from ..screening.holds import open_holds
from ..screening.models import Hold

RECENT = 10


@dataclass
class Workspace:
    digest: StaffDigest
    assigned: list[RecordRequest]
    holds: list[Hold]                # waiting for a second person: never the one who asked
    downloads: list                  # recent deliveries of releases the user made


@dataclass
class Overview:
    holds: list[Hold]
    quarantine: dict[ScanStatus, int]
    clawbacks: list[tuple[Clawback, int, int]]   # (campaign, answered, notices) of open campaigns
    summary: list = field(default_factory=list)

    @property
    def held(self) -> int:
        """Files waiting in quarantine (a scan to come, or a scanner error to retry)."""
        return self.quarantine[ScanStatus.pending] + self.quarantine[ScanStatus.error]

    @property
    def infected(self) -> int:
        return self.quarantine[ScanStatus.infected]


def workspace(user: User, on: date) -> Workspace:
    assigned = list(db.session.scalars(
        sa.select(RecordRequest).where(RecordRequest.assignee_id == user.id,
                                       RecordRequest.status.in_(clock.OPEN_STATUSES))
        .order_by(RecordRequest.due_date, RecordRequest.id).limit(50)))
    holds = [h for h in open_holds(user) if h.requested_by_id != user.id]
    return Workspace(digest=staff_digest(user, on), assigned=assigned, holds=holds,
                     downloads=recent_downloads(user))


def recent_downloads(user: User, limit: int = RECENT) -> list:
    """(at, recipient name or public label, file name, tracking number, completed), newest first."""
    return db.session.execute(
        sa.select(Delivery.at, sa.func.coalesce(User.name, Grant.public_label).label("who"), Record.filename,
                  RecordRequest.tracking_number, RecordRequest.id.label("request_id"), Delivery.completed)
        .join(Grant, Grant.id == Delivery.grant_id).join(Release, Release.id == Grant.release_id)
        .join(Record, Record.id == Grant.record_id).join(RecordRequest, RecordRequest.id == Record.request_id)
        .outerjoin(User, User.id == Grant.recipient_id)
        .where(Release.released_by_id == user.id).order_by(Delivery.id.desc()).limit(limit)).all()


def overview(admin: User, on: date) -> Overview:
    counts = dict(db.session.execute(sa.select(Blob.scan_status, sa.func.count()).group_by(Blob.scan_status)).all())
    answered = sa.func.sum(sa.case((Notice.status != NoticeStatus.sent, 1), else_=0))
    rows = db.session.execute(
        sa.select(Clawback, sa.func.coalesce(answered, 0), sa.func.count(Notice.id))
        .outerjoin(Notice, Notice.clawback_id == Clawback.id).group_by(Clawback.id)
        .order_by(Clawback.id.desc()).limit(200)).all()
    return Overview(holds=open_holds(admin), quarantine={s: counts.get(s, 0) for s in ScanStatus},
                    clawbacks=[(c, int(a), n) for c, a, n in rows if a < n], summary=department_summary(on))
