"""A recipient's whole release as one ZIP: asked for, prepared by the worker, streamed.

The ZIP is never stored. Asking for it makes a Bundle and a worker job that makes the
members' missing copies in a pool of processes (one per core); once every copy exists the
ZIP is streamed from them, each member logged as a delivery of its own grant. A member
revoked while the bundle is prepared stops the preparation; one revoked, expired or held
by the virus scanner is left out and named in REVOKED.txt inside.
"""
from __future__ import annotations

import multiprocessing
import os
from typing import Any, Mapping

import sqlalchemy as sa
from flask import current_app

from .. import audit
from ..auth.models import User
from ..core import storage as files
from ..core.errors import Conflict, Gone, NotFound
from ..core.models import utcnow
from ..extensions import db
from ..jobs import services as jobs
from ..storage import get_storage
from . import copies
from .models import Bundle, BundleState, CopyState, Grant
from .services import Preparing

PROGRESS_EVERY = 32  # copies between progress commits and revocation checks


class BundlePreparing(Preparing):
    def __init__(self, bundle: Bundle):
        super().__init__()
        self.bundle_id, self.done, self.total = bundle.id, bundle.done, bundle.total


def _grants(release_id: int, recipient_id: int) -> list[Grant]:
    return list(db.session.scalars(sa.select(Grant).where(
        Grant.release_id == release_id, Grant.recipient_id == recipient_id).order_by(Grant.id)).unique())


def left_out_reason(grant: Grant) -> str | None:
    """Why a member is not in the bundle, or None when it is."""
    if grant.revoked_at is not None:
        return "withdrawn" + (f": {grant.revoked_reason}" if grant.revoked_reason else "")
    if grant.expires_at is not None and grant.expires_at <= utcnow():
        return "the time to download it has ended"
    if not grant.record.blob.scan_status.releasable:
        return "held in quarantine by the virus scanner"
    return None


def split(grants: list[Grant]) -> tuple[list[Grant], list[tuple[Grant, str]]]:
    live, left_out = [], []
    for grant in grants:
        reason = left_out_reason(grant)
        if reason is None:
            live.append(grant)
        else:
            left_out.append((grant, reason))
    return live, left_out


def ready_bundle(actor: User, release_id: int) -> tuple[Bundle, list[Grant], list[tuple[Grant, str]]]:
    """The actor's bundle of the release, ready to stream: (bundle, members, left out).

    NotFound for anyone who holds nothing of it; Gone when every member is left out;
    BundlePreparing (with its progress) until the worker has made every copy."""
    grants = _grants(release_id, actor.id) if actor is not None else []
    if not grants:
        raise NotFound("No such release.")
    if actor.email_verified_at is None:
        raise Conflict("Confirm your e-mail address before downloading.")
    live, left_out = split(grants)
    if not live:
        raise Gone("Every file of this release was withdrawn or has expired; there is nothing to download.")
    bundle = db.session.scalar(sa.select(Bundle).where(Bundle.release_id == release_id,
                                                       Bundle.recipient_id == actor.id)
                               .order_by(Bundle.id.desc()).limit(1))
    missing = sum(g.copy_state != CopyState.ready for g in live)
    if bundle is not None and bundle.state == BundleState.preparing:
        raise BundlePreparing(bundle)
    if bundle is None or bundle.state != BundleState.ready or missing or bundle.total != len(live):
        bundle = Bundle(release_id=release_id, recipient_id=actor.id, total=len(live),
                        done=len(live) - missing,
                        state=BundleState.preparing if missing else BundleState.ready)
        db.session.add(bundle)
        db.session.flush()
        audit.record(actor, "bundle.request", f"bundle:{bundle.id}",
                     {"release": release_id, "members": len(live), "left_out": len(left_out),
                      "copies_to_make": missing})
        if missing:
            jobs.enqueue("make_bundle", bundle.id)
            raise BundlePreparing(bundle)
    return bundle, live, left_out


# -- the worker's side ----------------------------------------------------------------------

@jobs.handler("make_bundle")
def make_bundle(bundle_id: int) -> None:
    bundle = db.session.get(Bundle, bundle_id)
    if bundle is None or bundle.state != BundleState.preparing:
        return
    live, _ = split(_grants(bundle.release_id, bundle.recipient_id))
    todo = [g for g in live if g.copy_state != CopyState.ready]
    bundle.done = len(live) - len(todo)
    if _stop_if_revoked(bundle, bundle.total):
        return
    _commit()
    plans = [copies.plan_for(g) for g in todo]
    by_id = {g.id: g for g in todo}
    with _pool() as pool:
        for n, (grant_id, made) in enumerate(pool.imap(_produce, plans, chunksize=4), start=1):
            copies.keep_copy(by_id[grant_id], made)
            bundle.done += 1
            if n % PROGRESS_EVERY == 0 or n == len(plans):
                _commit()  # progress shows, and the copies made so far are kept
                if _stop_if_revoked(bundle, bundle.total):
                    return  # leaving the pool's block terminates its processes
    bundle.state, bundle.finished_at = BundleState.ready, utcnow()


@jobs.handler("make_bundle:failed")
def make_bundle_failed(bundle_id: int) -> None:
    bundle = db.session.get(Bundle, bundle_id)
    if bundle is not None:
        bundle.state, bundle.finished_at = BundleState.failed, utcnow()
        bundle.error = "the copies could not be prepared"


def _commit() -> None:
    db.session.commit()
    files.committed()


def _stop_if_revoked(bundle: Bundle, expected: int) -> bool:
    """A member revoked (or otherwise left out) since the bundle was asked for stops it: the
    recipient's next request starts a bundle without it."""
    live, _ = split(_grants(bundle.release_id, bundle.recipient_id))
    if len(live) >= expected:
        return False
    bundle.state, bundle.finished_at = BundleState.stopped, utcnow()
    bundle.error = "a file was withdrawn while the bundle was being prepared"
    db.session.commit()
    return True


def _pool():
    processes = current_app.config["BUNDLE_COPY_PROCESSES"] or os.cpu_count() or 1
    if processes <= 1:
        _init_child(current_app.config)
        return _Inline()
    # fork: the children start at once with the engine imported and this process's environment
    # (S3 credentials come from it); they use neither the app nor the database, only a storage
    # client of their own (made in _init_child). A forkserver would be safer in a worker that
    # runs threads, but its server keeps the environment of the moment it started.
    return multiprocessing.get_context("fork").Pool(processes, initializer=_init_child,
                                                    initargs=(dict(current_app.config),))


class _Inline:
    """The pool's interface in this process, for one core."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def imap(self, fn, items, chunksize=1):
        return map(fn, items)


_child: dict[str, Any] = {}


def _init_child(config: Mapping[str, Any]) -> None:
    _child["config"], _child["storage"] = config, get_storage(config)


def _produce(plan: copies.CopyPlan):
    return plan.grant_id, copies.produce(plan, _child["storage"], _child["config"])
