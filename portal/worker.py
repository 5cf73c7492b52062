"""Background work, run by `flask worker`: mail retries now, marking jobs."""
from __future__ import annotations

import logging

from .clawback.campaigns import send_reminders
from .core import ratelimit
from .disclosures import jobs as _disclosure_jobs  # noqa: F401  (registers job handlers)
from .extensions import db
from .jobs.services import requeue_stale, run_one
from .mail import deliver_due

log = logging.getLogger(__name__)


def run_once() -> dict:
    requeue_stale()
    db.session.commit()
    done = {"reminders": send_reminders(), "jobs": 0}
    db.session.commit()
    done["mail"] = deliver_due()
    while run_one():
        done["jobs"] += 1
    ratelimit.prune()
    db.session.commit()
    return done
