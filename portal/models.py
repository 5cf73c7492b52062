"""Imports every model so metadata is complete (migrations, create_all)."""
from .audit.models import AuditEntry, AuditHead  # noqa: F401
from .auth.models import ApiToken, Department, User, UserSession  # noqa: F401
from .core.ratelimit import RateHit  # noqa: F401
from .mail.models import OutgoingMail  # noqa: F401
from .record_requests.models import (AgencyClosure, FeeEstimate, RecordRequest, RequestDraft,  # noqa: F401
                                     RequestEvent, RequestFollower, RequestGroup, TrackingCounter)
from .records.models import Attachment, Blob, Record  # noqa: F401
from .disclosures.models import Delivery, Grant, Release  # noqa: F401
from .jobs.models import Job  # noqa: F401
from .clawback.models import Attribution, Clawback, ClawbackFile, Notice  # noqa: F401
from .digests.models import DigestSent  # noqa: F401
from .screening.models import Hold, ListsRevision, ProtectedList, ProtectedTerm, ScreeningResult  # noqa: F401
from .redaction.models import Redaction, RedactionRun  # noqa: F401
