"""A module-wide app and world per backend: the matrix makes hundreds of requests against one world.

Requests sent with the `X-Matrix-Dry` header are rolled back after the view ran (a test-only
after_request hook), so an allowed POST proves it passed the authorisation check without changing
the world the next case sees.
"""
from __future__ import annotations

import shutil
import sys
import uuid
from pathlib import Path

import pytest
import flask

from tests.conftest import IsolatedClient, _base_config, _s3_config, csrf_of
from tests.security import world as world_mod

DRY = {"X-Matrix-Dry": "1"}


@pytest.fixture(scope="module")
def world_app(request, backend, tmp_path_factory, mailbox):
    from portal import create_app
    from portal.extensions import db
    tmp = tmp_path_factory.mktemp(f"world-{backend['kind']}")
    mp = pytest.MonkeyPatch()
    cleanup = None
    if backend["kind"] == "sqlite":
        path = tmp / "portal.db"
        shutil.copy(backend["template"], path)
        url = f"sqlite:///{path}"
    else:
        name = "w_" + uuid.uuid4().hex[:12]
        with backend["admin"].connect() as conn:
            strategy = " STRATEGY FILE_COPY" if conn.dialect.server_version_info >= (15,) else ""
            conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE portal_template{strategy}")
        url = backend["server"].url_for(name)

        def cleanup():
            with backend["admin"].connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    config = _base_config(url, tmp) | {"SMTP_URL": mailbox.url, "MAIL_RETRY_SECONDS": 0}
    if backend["kind"] == "postgres":
        config |= _s3_config(request, mp)
    app = create_app(config, instance_path=str(tmp))
    app.config["BACKEND"] = backend["kind"]
    app.test_client_class = IsolatedClient

    @app.after_request
    def dry_run(response):  # registered last, so it runs before the commit hook
        if flask.request.headers.get("X-Matrix-Dry"):
            flask.g.rolled_back = True
        return response

    with app.app_context():
        app.extensions["matrix.world"] = world_mod.build()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if cleanup:
        cleanup()
    mp.undo()


@pytest.fixture(scope="module")
def world(world_app):
    return world_app.extensions["matrix.world"]


class Actor:
    """Sends requests as one actor: web pages with that actor's session cookie (a fresh client per
    request, so a logout or login under test never changes the next case), the API with its token."""

    def __init__(self, app, name, world):
        from tests.factories import PASSWORD
        self.app, self.name, self.secret = app, name, world.tokens.get(name)
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]
        c = app.test_client()
        if name != "anon":
            token = csrf_of(c, "/login")
            r = c.post("/login", data={"email": world.emails[name], "password": PASSWORD, "csrf_token": token})
            assert r.status_code == 302, (name, r.status_code)
        self.csrf = csrf_of(c, "/login" if name == "anon" else "/account")
        cookie = c.get_cookie(self.cookie_name)
        self.session = cookie.value if cookie else None

    def web(self, method, url, *, data=None, dry=True, **kw):
        c = self.app.test_client()
        if self.session:
            c.set_cookie(self.cookie_name, self.session, domain="localhost")
        if method == "POST":
            data = {"csrf_token": self.csrf, **(data or {})}
        return c.open(url, method=method, data=data, headers=DRY if dry else {}, **kw)

    def api(self, method, url, *, json=None, dry=True, **kw):
        headers = dict(DRY) if dry else {}
        if self.secret:
            headers["Authorization"] = f"Bearer {self.secret}"
        if method != "GET" and json is None and "data" not in kw:
            json = {}
        return self.app.test_client().open(url, method=method, json=json, headers=headers, **kw)

    def send(self, method, url, **kw):
        return (self.api if url.startswith("/api/") else self.web)(method, url, **kw)


@pytest.fixture(scope="module")
def actors(world_app, world):
    """actor name -> Actor (anon: not logged in, no token)."""
    return {name: Actor(world_app, name, world) for name in world_mod.ACTORS}


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
