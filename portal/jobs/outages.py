"""Telling a passing outage (the database locked or restarting, the file store or the mail server
unreachable) from a bug, and waiting it out with a growing pause, logged once per outage."""
from __future__ import annotations

import logging
import smtplib
import time

import sqlalchemy as sa

from ..storage import NotFound, StorageError

log = logging.getLogger("portal.worker")


def transient(exc: BaseException) -> bool:
    """An error that the same work, tried again later unchanged, may well not meet."""
    if isinstance(exc, NotFound):  # the store answered: the object is not there
        return False
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError,
                        StorageError, smtplib.SMTPException, ConnectionError, TimeoutError)):
        return True
    return isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated


def describe(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:500]


class Backoff:
    """One step of the worker's loop: when it may run next, and the outage it is waiting out.

    After a failure the step rests 1 s, then 2, 4, ... up to `max_seconds`; the first failure of
    an outage is logged (a warning naming the error), the retries are not, and the recovery is. An
    error that is not transient is a bug: logged with its traceback at each try (no more often
    than the backoff allows), and still never stops the loop."""

    def __init__(self, name: str, max_seconds: float) -> None:
        self.name, self.max_seconds = name, max_seconds
        self.failures, self.next_try, self.outage = 0, 0.0, None

    def due(self) -> bool:
        return time.monotonic() >= self.next_try

    def wait(self) -> float:
        return max(0.0, self.next_try - time.monotonic())

    def failed(self, exc: BaseException) -> None:
        self.failures += 1
        self.next_try = time.monotonic() + min(2 ** min(self.failures - 1, 16), self.max_seconds)
        if not transient(exc):
            log.error("%s failed (try %d); the worker carries on", self.name, self.failures, exc_info=exc)
            self.outage = describe(exc)
            return
        if self.outage is None:
            log.warning("%s: %s; retrying with backoff until it answers", self.name, describe(exc))
        self.outage = describe(exc)

    def succeeded(self) -> None:
        if self.outage is not None:
            log.warning("%s: working again after %d failed tries", self.name, self.failures)
        self.failures, self.next_try, self.outage = 0, 0.0, None
