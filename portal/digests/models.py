"""Which digest or reminder went to whom, for which day: the marker that makes sending idempotent."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import UTCDateTime, utcnow
from ..extensions import db


class DigestSent(db.Model):
    """Inserted in the same transaction as the mail it stands for. Its unique key is what stops two
    workers, or two runs, from sending the same digest twice: the second insert fails."""
    __tablename__ = "digests_sent"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind", "ref", "day", name="uq_digests_sent_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))       # staff, admin, respond_by
    ref: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")  # the request, for reminders
    day: Mapped[date] = mapped_column(sa.Date)             # the digest's day, or the respond-by date
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    mail_id: Mapped[int] = mapped_column(sa.ForeignKey("outgoing_mail.id"))
