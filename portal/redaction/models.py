"""Redactions (drafts until applied) and the runs that apply them to make a redacted record."""
from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.models import UTCDateTime, utcnow
from ..extensions import db
from ..records.models import Record


class RedactionStatus(str, enum.Enum):
    draft = "draft"            # saved, not yet in any file; blocks releasing the record
    applied = "applied"        # in the redacted record made by its run
    withdrawn = "withdrawn"    # removed before it was applied


class RedactionRun(db.Model):
    """One application of a record's drafts: the redacted record it made, and its verification."""
    __tablename__ = "redaction_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("records.id"), index=True)
    output_record_id: Mapped[int] = mapped_column(sa.ForeignKey("records.id"), unique=True)
    applied_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    verified_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    report: Mapped[str] = mapped_column(sa.Text, server_default="{}")   # JSON: checks, problems

    record: Mapped[Record] = relationship(foreign_keys=[record_id])
    output: Mapped[Record] = relationship(foreign_keys=[output_record_id])
    applied_by: Mapped[User] = relationship()

    @property
    def problems(self) -> list[str]:
        return json.loads(self.report or "{}").get("problems", [])

    @property
    def checks(self) -> list[str]:
        return json.loads(self.report or "{}").get("checks", [])


class Redaction(db.Model):
    """One thing to take out of a record: a box, a region, a page, a term, a pattern, a column, a row."""
    __tablename__ = "redactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("records.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    page: Mapped[Optional[int]] = mapped_column(sa.Integer)           # 1-based, PDFs only
    spec: Mapped[str] = mapped_column(sa.Text, server_default="{}")   # JSON: box, term, column...
    citation: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[RedactionStatus] = mapped_column(
        sa.Enum(RedactionStatus, native_enum=False, create_constraint=False, length=16),
        server_default=RedactionStatus.draft.value, index=True)
    matches: Mapped[Optional[int]] = mapped_column(sa.Integer)       # places it covered once applied
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    run_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("redaction_runs.id"), index=True)

    record: Mapped[Record] = relationship()
    created_by: Mapped[User] = relationship()
    run: Mapped[Optional[RedactionRun]] = relationship()

    @property
    def data(self) -> dict:
        return json.loads(self.spec or "{}")
