"""Attributing a found 200-page PDF through POST /api/v1/attributions: seconds, wall and CPU.

    python -m bench.attribution_read

A 200-page text PDF is released to two recipients on a migrated SQLite
portal; one recipient's copy, with its metadata stripped (so the SHA-256 does
not match and the marks must be read), is posted five times. Medians; CPU is
this process's, which on a shared machine says more than the wall clock.
"""
from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench.common import close_database, portal_app


@contextmanager
def admin_portal():
    """A migrated SQLite portal without the attribution rate limit: its test client and an
    administrator's headers, inside its app context."""
    from portal.auth.models import Role
    from tests import factories as f

    with tempfile.TemporaryDirectory() as tmp:
        app = portal_app(Path(tmp) / "instance", ATTRIBUTION_LIMIT=(10 ** 6, 3600))
        try:
            with app.app_context():
                yield app.test_client(), f.token_for(f.user(Role.admin))
        finally:
            close_database(app)


def main() -> None:
    from tests.clawback.test_attribution import _copy, _setup
    from tests.watermark import samples as ws

    walls, cpus = [], []
    with admin_portal() as (client, headers):
        _, rec, rel = _setup(ws.pdf(200, seed=5), "long.pdf")
        grant = rel.grants[1]
        found = ws.pdf_strip_metadata(_copy(client, grant))
        for _ in range(5):
            start, before = time.perf_counter(), os.times()
            r = client.post("/api/v1/attributions", headers=headers, data={"file": (io.BytesIO(found), "f.pdf")})
            after = os.times()
            walls.append(time.perf_counter() - start)
            cpus.append(sum(after[:4]) - sum(before[:4]))
            assert [m["grant_id"] for m in r.get_json()["matches"]] == [grant.id]
    print(f"| attribute a 200-page PDF copy, metadata stripped | wall {statistics.median(walls):.3f} s | "
          f"CPU {statistics.median(cpus):.3f} s | median of 5, named its recipient each time |")


if __name__ == "__main__":
    main()
