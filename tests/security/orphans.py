"""Every object in storage has a row, and every row's object is in storage (a test helper; the
operator's tool is `flask storage check`)."""
from __future__ import annotations

import sqlalchemy as sa

from portal.core import storage as files
from portal.disclosures.models import Grant
from portal.extensions import db
from portal.records.models import Blob


def storage_mismatch() -> tuple[set[str], set[str]]:
    """(orphans: keys in storage that no row names, missing: keys rows name that storage lacks).
    Call inside an app context."""
    db.session.expire_all()
    rows = set(db.session.scalars(sa.select(Blob.key)))
    rows |= set(db.session.scalars(sa.select(Grant.copy_key).where(Grant.copy_key.is_not(None))))
    stored = set(files.storage().iter_keys(""))
    return stored - rows, rows - stored


def assert_no_orphans() -> None:
    orphans, missing = storage_mismatch()
    assert not orphans, f"objects in storage without a row: {sorted(orphans)}"
    assert not missing, f"rows whose object is not in storage: {sorted(missing)}"
