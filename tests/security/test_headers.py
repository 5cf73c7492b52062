"""Security headers on every page, cookie flags, session timeouts, and downloads as attachments.

Every GET rule of the matrix is fetched as an actor for whom the matrix says 200, in the matrix's
world (ASVS 3.4 headers, 7.x sessions, 5.x downloads).
"""
from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.security.test_authz_matrix import ROUTES, _url

DOWNLOAD_TYPES = ("text/csv", "application/pdf", "application/zip", "application/octet-stream",
                  "text/plain", "application/vnd.openxmlformats", "image/jpeg")
NOT_DOWNLOADS = {"GET /static/<path:filename>", "GET /staff/records/<int:pdf_record_id>/redact/preview/<int:page>.png",
                 "GET /api/v1/openapi.json", "GET /favicon.ico"}
PAGES = sorted((key, next(a for a, code in expected.items() if code == 200))
               for key, (expected, _) in ROUTES.items() if key.startswith("GET ") and 200 in expected.values())


@pytest.mark.parametrize("key,who", PAGES)
def test_headers_on_every_page(world, actors, key, who):
    r = actors[who].send("GET", _url(key, world.ids))
    assert r.status_code == 200
    h = r.headers
    csp = h["Content-Security-Policy"]
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and "unsafe" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert h["X-Frame-Options"] == "DENY"
    if key not in ("GET /static/<path:filename>", "GET /favicon.ico"):  # files, not pages
        assert "no-store" in h["Cache-Control"].split(", ")
    if r.mimetype == "text/html":
        page = r.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline script"
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", page), "inline event handler"
        assert "javascript:" not in page
    elif key not in NOT_DOWNLOADS and r.mimetype != "application/json":
        assert r.mimetype.startswith(DOWNLOAD_TYPES), r.mimetype
        disposition = h["Content-Disposition"]
        assert disposition.startswith("attachment;"), disposition
        assert re.search(r"; filename=\"[\x20-\x7e]+\"; filename\*=UTF-8''[A-Za-z0-9%._~!$&'()*+,=:@-]+$",
                         disposition), disposition


def test_download_names_survive_any_characters():
    from portal.core.http import content_disposition
    value = content_disposition('Presupuesto "año" 2025;\r\n.pdf')
    assert value.startswith('attachment; filename="Presupuesto _a_o_ 2025_')
    assert "filename*=UTF-8''Presupuesto%20%22a%C3%B1o%22%202025%3B%0D%0A.pdf" in value
    assert "\r" not in value and "\n" not in value


def test_session_and_language_cookies_are_httponly_and_samesite(world_app, world):
    from tests.conftest import csrf_of
    from tests.factories import PASSWORD
    c = world_app.test_client()
    r = c.post("/login", data={"email": world.emails["owner"], "password": PASSWORD, "csrf_token": csrf_of(c, "/login")})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # HTTPS off here
    lang = c.get("/language/es").headers["Set-Cookie"]
    assert "HttpOnly" in lang and "SameSite=Lax" in lang


def test_cookies_are_secure_when_configured_for_https(backend, tmp_path):
    if backend["kind"] != "sqlite":
        pytest.skip("configuration only: once is enough")
    from portal import create_app
    from tests.conftest import _base_config
    from tests.factories import PASSWORD
    shutil.copy(backend["template"], tmp_path / "p.db")
    app = create_app(_base_config(f"sqlite:///{tmp_path / 'p.db'}", tmp_path) | {"HTTPS": True},
                     instance_path=str(tmp_path))
    with app.app_context():
        from tests import factories as f
        u = f.user()
        email = u.email
    c = app.test_client()
    page = c.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = c.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
               base_url="https://localhost", headers={"Referer": "https://localhost/login"})  # CSRF SSL-strict
    assert r.status_code == 302
    assert all("Secure" in v and "HttpOnly" in v for v in r.headers.getlist("Set-Cookie"))
    assert "Secure" in c.get("/language/es", base_url="https://localhost").headers["Set-Cookie"]


@pytest.mark.parametrize("column,setting,unit", [("last_seen_at", "SESSION_IDLE_MINUTES", "minutes"),
                                                 ("created_at", "SESSION_ABSOLUTE_HOURS", "hours")])
def test_idle_and_absolute_session_timeouts(app, ctx, column, setting, unit):
    from portal.auth.models import UserSession
    from portal.core.models import utcnow
    from portal.extensions import db
    from tests import factories as f
    u = f.user()
    c = app.test_client()
    f.login(c, u.email)
    assert c.get("/account").status_code == 200
    if column == "created_at":  # still active a moment ago: only the absolute limit ends it
        db.session.execute(sa.update(UserSession).values(last_seen_at=utcnow()))
    db.session.execute(sa.update(UserSession).values(
        {column: utcnow() - timedelta(**{unit: app.config[setting]}) - timedelta(minutes=1)}))
    db.session.commit()
    r = c.get("/account")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
