"""Background work, run by `flask worker`: mail retries now, marking jobs."""
from __future__ import annotations

import logging

from flask import current_app

from .clawback import batch as _attribution_batches  # noqa: F401  (registers job handlers)
from .clawback.campaigns import send_reminders
from .core import ratelimit
from .digests.sending import send_if_due
from .disclosures import jobs as _disclosure_jobs  # noqa: F401  (registers job handlers)
from .extensions import db
from .jobs.services import requeue_stale, run_one
from .mail import deliver_due
from .records.quarantine import scan_due

log = logging.getLogger(__name__)


def run_once() -> dict:
    requeue_stale(current_app.config["JOB_LEASE_SECONDS"])
    db.session.commit()
    done = {"reminders": send_reminders(), "jobs": 0}
    db.session.commit()
    done["scanned"] = scan_due()
    done["digests"] = send_if_due()
    done["mail"] = deliver_due()
    while run_one():
        done["jobs"] += 1
    ratelimit.prune()
    db.session.commit()
    return done
