"""What the benchmarks share: medians, peak-memory readings, and a portal on a migrated database."""
from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable


def timed(operation: Callable[[], Any]) -> float:
    started = time.perf_counter()
    operation()
    return time.perf_counter() - started


def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def reset_peak_rss() -> None:
    # Writing 5 resets VmHWM to the current RSS (Linux 4.0+), so each operation's
    # peak is its own rather than the process's lifetime high.
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        print("warning: cannot reset VmHWM; RSS growth includes earlier peaks", file=sys.stderr)


def status_kb(field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    if match is None:
        raise RuntimeError(f"no {field} in /proc/self/status (Linux only)")
    return int(match.group(1))


def portal_app(instance: Path, url: str | None = None, *, migrate: bool = True, **config: Any):
    """The portal as the tests build it (tests/conftest.py): cheap password hashes, local
    storage and the outbox in `instance`, SQLite there unless `url` names another database."""
    from portal import create_app
    from tests.conftest import _base_config, _migrate

    instance.mkdir(parents=True, exist_ok=True)
    url = url or f"sqlite:///{instance / 'portal.db'}"
    if migrate:
        _migrate(url, instance)
    return create_app(_base_config(url, instance) | config, instance_path=str(instance))


def close_database(app) -> None:
    """Return the app's connections, so that its database can be served or dropped by others."""
    from portal.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
