"""A real `clamscan` with a signature database written here: the EICAR test string, by hash."""
from __future__ import annotations

import hashlib
import shutil

import pytest

from tests.conftest import unavailable

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture(scope="session")
def clam_db(tmp_path_factory):
    if shutil.which("clamscan") is None:
        unavailable("clamscan is not installed (Debian package clamav)")
    folder = tmp_path_factory.mktemp("clamdb")
    (folder / "portal-test.hdb").write_text(f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Portal.Test.EICAR\n")
    return str(folder)


@pytest.fixture
def clamscan(app, clam_db):
    """The app scans with clamscan and the test signatures."""
    app.config.update(SCANNER="clamscan", CLAMSCAN_DATABASE=clam_db)
    app.extensions.pop("portal.scanner", None)
    return app
