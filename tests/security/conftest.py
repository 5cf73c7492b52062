import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="session")
def hostile_dir() -> Path:
    """The generated corpus; made again when missing or stale, so a fresh clone works."""
    sys.path.insert(0, str(DATA))
    try:
        import make_hostile
    finally:
        sys.path.remove(str(DATA))
    if not make_hostile.is_fresh():
        make_hostile.make()
    return make_hostile.OUT
