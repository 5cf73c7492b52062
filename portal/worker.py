"""Background work, run by `flask worker`: mail retries now, marking jobs later."""
from __future__ import annotations

import logging

from .core import ratelimit
from .extensions import db
from .mail import deliver_due

log = logging.getLogger(__name__)


def run_once() -> dict:
    done = {"mail": deliver_due()}
    ratelimit.prune()
    db.session.commit()
    return done
