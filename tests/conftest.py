"""Fixtures: every app test runs on SQLite + local storage and on PostgreSQL (+ S3 when wired).

The PostgreSQL cluster and the SMTP server are real and started here. With CI=true a
backend that cannot start fails the run; elsewhere its tests skip with a loud reason.
"""
from __future__ import annotations

import contextvars
import os
import re
import shutil
import uuid
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa

from flask.testing import FlaskClient

from tests.support.mailbox import Mailbox
from tests.support.postgres import start_postgres
from tests.support.seaweed import SeaweedError, start_seaweed

IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgres"]


def unavailable(reason: str):
    reason = f"!!! BACKEND NOT TESTED: {reason}"
    if IN_CI:  # CI must not go green on a backend it never exercised
        pytest.fail(f"CI=true and a backend cannot start: {reason}", pytrace=False)
    warnings.warn(reason, pytest.PytestWarning, stacklevel=1)  # lands in the summary
    pytest.skip(reason)


class IsolatedClient(FlaskClient):
    """Runs each request in its own context, as a real server would.

    Without this, a request made while a test holds an app context shares
    that context's `g` and database session with the test.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)  # a streamed body is read inside the same context
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def pg_server():
    try:
        server = start_postgres()
    except RuntimeError as exc:
        unavailable(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory):
    try:
        server = start_seaweed(tmp_path_factory.mktemp("seaweed"))
    except SeaweedError as exc:
        unavailable(f"SeaweedFS could not start: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mailbox():
    box = Mailbox()
    box.start()
    yield box
    box.stop()


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    app = create_app(_base_config(url, instance), instance_path=str(instance))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _base_config(url: str, instance: Path) -> dict:
    return {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret",
            "WATERMARK_KEY": "test-watermark-key", "AUDIT_KEY": "test-audit-key", "STORAGE_DIR": str(instance / "files"),
            "OUTBOX_DIR": str(instance / "outbox"), "BASE_URL": "http://portal.test",
            "DIGEST_HOUR": None,  # a worker turn in a test never sends digests by the wall clock
            # Cheap hashes keep the suite fast; production keeps argon2-cffi's defaults.
            "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024, "ARGON2_PARALLELISM": 1}


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, tmp_path_factory):
    """A migrated template database for one backend; tests clone it."""
    kind = request.param
    instance = tmp_path_factory.mktemp(f"template-{kind}")
    if kind == "sqlite":
        path = instance / "template.db"
        _migrate(f"sqlite:///{path}", instance)
        yield {"kind": kind, "template": path}
        return
    server = request.getfixturevalue("pg_server")
    admin = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS portal_template")
        conn.exec_driver_sql("CREATE DATABASE portal_template")
    _migrate(server.url_for("portal_template"), instance)
    yield {"kind": kind, "server": server, "admin": admin}
    admin.dispose()


def _s3_config(request, monkeypatch) -> dict:
    from portal.storage import get_storage
    server = request.getfixturevalue("seaweed")
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    cfg = server.storage_config(f"t-{uuid.uuid4().hex[:20]}")
    get_storage(cfg).ensure_bucket()
    request.addfinalizer(lambda: server.drop_bucket(cfg["S3_BUCKET"]))
    return dict(cfg)


@pytest.fixture
def app(request, backend, tmp_path, mailbox, monkeypatch):
    from portal import create_app
    from portal.extensions import db
    mailbox.clear()
    if backend["kind"] == "sqlite":
        path = tmp_path / "portal.db"
        shutil.copy(backend["template"], path)
        url, cleanup = f"sqlite:///{path}", None
    else:
        name = "t_" + uuid.uuid4().hex[:12]
        with backend["admin"].connect() as conn:
            # FILE_COPY (PostgreSQL 15+) copies a small template much faster than WAL_LOG.
            strategy = " STRATEGY FILE_COPY" if conn.dialect.server_version_info >= (15,) else ""
            conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE portal_template{strategy}")
        url = backend["server"].url_for(name)

        def cleanup():
            with backend["admin"].connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    config = _base_config(url, tmp_path) | {"SMTP_URL": mailbox.url, "MAIL_RETRY_SECONDS": 0}
    if backend["kind"] == "postgres":  # the production pairing: PostgreSQL with S3
        config |= _s3_config(request, monkeypatch)
    application = create_app(config, instance_path=str(tmp_path))
    application.config["BACKEND"] = backend["kind"]
    application.test_client_class = IsolatedClient
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if cleanup:
        cleanup()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_of(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    found = _CSRF.search(page)
    assert found, f"no CSRF token on {url}"
    return found.group(1)
