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


@pytest.fixture
def clamd(app, clam_db, tmp_path):
    """A real clamd (Debian's clamav-daemon) on a socket of its own, with the test signatures."""
    import getpass
    import os
    import subprocess
    import time
    exe = shutil.which("clamd") or ("/usr/sbin/clamd" if os.path.exists("/usr/sbin/clamd") else None)
    if exe is None:
        unavailable("clamd is not installed (Debian package clamav-daemon)")
    sock = tmp_path / "clamd.sock"
    conf = tmp_path / "clamd.conf"
    conf.write_text(f"LocalSocket {sock}\nDatabaseDirectory {clam_db}\nForeground yes\nUser {getpass.getuser()}\n"
                    f"PidFile {tmp_path / 'clamd.pid'}\nLogFile {tmp_path / 'clamd.log'}\n")
    proc = subprocess.Popen([exe, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        if sock.exists() or proc.poll() is not None:
            break
        time.sleep(0.1)
    if not sock.exists():
        proc.kill()
        unavailable(f"clamd did not start: {(tmp_path / 'clamd.log').read_text() if (tmp_path / 'clamd.log').exists() else ''}")
    app.config.update(SCANNER="clamd", CLAMD_ADDRESS=str(sock))
    app.extensions.pop("portal.scanner", None)
    yield app
    proc.terminate()
    proc.wait(timeout=30)
