"""Rotating the signing and watermark keys strands nobody; behind a proxy, the real client address
is logged only when the operator says how many proxies to trust (PORTAL_PROXIES)."""
from __future__ import annotations

import io

import sqlalchemy as sa

import config
from portal.auth.models import Role
from portal.clawback.attribution import attribute
from portal.core.models import utcnow
from portal.disclosures import services
from portal.disclosures.models import Delivery
from portal.extensions import db
from tests import factories as f
from tests.conftest import csrf_of
from tests.auth.test_register_reset import _link
from tests.watermark import samples as ws


def test_key_settings_from_the_environment(tmp_path):
    cfg = config.load(str(tmp_path), environ={"PORTAL_SECRET_KEY": "new-key",
                                               "PORTAL_SECRET_KEY_FALLBACKS": "older, oldest,new-key",
                                               "PORTAL_PROXIES": "2"})
    assert cfg["SECRET_KEY_FALLBACKS"] == ["older", "oldest"] and cfg["PROXIES"] == 2
    plain = config.load(str(tmp_path), environ={})
    assert plain["SECRET_KEY_FALLBACKS"] == [] and plain["PROXIES"] == 0


def _rotate(app, *, keep_old: bool):
    old = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "the-new-signing-key"
    app.config["SECRET_KEY_FALLBACKS"] = [old] if keep_old else []


def test_sessions_survive_a_rotation_that_keeps_the_old_key(app, client, ctx):
    u = f.user()
    assert f.login(client, u.email).status_code == 302
    assert client.get("/me/files").status_code == 200
    _rotate(app, keep_old=True)
    assert client.get("/me/files").status_code == 200  # still logged in
    app.config["SECRET_KEY_FALLBACKS"] = []     # the old key retired: its cookies stop working
    assert client.get("/me/files").status_code == 302


def test_a_form_open_during_a_rotation_still_submits(app, client, ctx):
    u = f.user()
    f.login(client, u.email)
    token = csrf_of(client, "/account")  # the form is open, signed with the old key
    old = app.config["SECRET_KEY"]
    # What a restart with PORTAL_SECRET_KEY=new and PORTAL_SECRET_KEY_FALLBACKS=old configures:
    rotated = config.load(app.instance_path, {"SECRET_KEY": "the-new-signing-key", "SECRET_KEY_FALLBACKS": [old]})
    for key in ("SECRET_KEY", "SECRET_KEY_FALLBACKS", "WTF_CSRF_SECRET_KEY"):
        app.config[key] = rotated[key]
    r = client.post("/account/tokens", data={"name": "laptop", "csrf_token": token})
    assert r.status_code in (200, 302), r.status_code  # not 400: the old token is accepted
    assert "laptop" in client.get("/account").get_data(as_text=True)
    fresh = csrf_of(client, "/account")  # new pages carry tokens signed with the new key
    app.config["WTF_CSRF_SECRET_KEY"] = ["the-new-signing-key"]  # the old key retired
    assert client.post("/account/tokens", data={"name": "old form", "csrf_token": token}).status_code == 400
    assert client.post("/account/tokens", data={"name": "new form", "csrf_token": fresh}).status_code in (200, 302)


def test_reset_links_survive_a_rotation_and_die_with_the_old_key(app, client, ctx, mailbox):
    u = f.user()
    f.post_form(client, "/reset", "/reset", {"email": u.email})
    link = _link(mailbox.last_body(u.email), "reset")
    _rotate(app, keep_old=False)
    assert client.get(link).status_code == 400
    _rotate(app, keep_old=True)
    app.config["SECRET_KEY_FALLBACKS"] = ["test-secret"]
    r = f.post_form(client, link, link, {"password": "brand new password", "confirm": "brand new password"})
    assert r.status_code == 302
    assert f.login(client, u.email, "brand new password").status_code == 302


def test_copies_marked_under_a_retired_watermark_key_are_still_attributed(app, client, ctx):
    admin = f.user(Role.admin)
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, ws.pdf(4), filename="report.pdf")
    old_grant = services.create_release(staff, req.id, [rec.id]).grants[0]
    db.session.commit()
    old_copy = client.get(f"/api/v1/grants/{old_grant.id}/download", headers=f.token_for(requester)).get_data()

    app.config["WATERMARK_KEY"] = "a-brand-new-watermark-key"   # rotated; the old one is gone
    other = f.user(email="after-rotation@example.org")
    new_grant = services.create_release(staff, req.id, [rec.id], recipients=[other.email]).grants
    db.session.commit()
    new_grant = next(g for g in new_grant if g.recipient_id == other.id)
    new_grant.recipient.email_verified_at = utcnow()
    db.session.commit()
    new_copy = client.get(f"/api/v1/grants/{new_grant.id}/download", headers=f.token_for(other)).get_data()

    for copy, grant in ((old_copy, old_grant), (new_copy, new_grant)):
        leaked = ws.pdf_extract_pypdf(copy)  # not byte-identical: found by the marks, not the hash
        result = attribute(admin, io.BytesIO(leaked))
        assert [m["grant_id"] for m in result["matches"]] == [grant.id]
    db.session.commit()


def _download_ip(app, headers) -> list[str]:
    with app.app_context():
        _, staff, requester, req = f.scenario()
        rec = f.upload(staff, req, b"minutes of the meeting\n" * 20, filename="minutes.txt")
        grant = services.create_release(staff, req.id, [rec.id]).grants[0]
        db.session.commit()
        token, gid = f.token_for(requester), grant.id
    r = app.test_client().get(f"/api/v1/grants/{gid}/download", headers={**token, **headers},
                              environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert r.status_code == 200
    with app.app_context():
        return list(db.session.scalars(sa.select(Delivery.ip).join(Delivery.grant).where(Delivery.grant_id == gid)))


def test_forwarded_for_is_ignored_unless_proxies_are_configured(app):
    forged = {"X-Forwarded-For": "203.0.113.9"}
    assert _download_ip(app, forged) == ["10.0.0.2"]  # a client cannot choose the logged address


def test_behind_one_proxy_the_real_client_address_is_logged(app, tmp_path):
    from portal import create_app
    settings = {k: v for k, v in app.config.items() if k.isupper() and k != "BACKEND"}
    behind = create_app({**settings, "PROXIES": 1}, instance_path=app.instance_path)
    # the proxy appends the address it saw; only the last (the one our proxy added) is trusted
    assert _download_ip(behind, {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}) == ["203.0.113.9"]
    with behind.app_context():
        db.session.remove()
        db.engine.dispose()
