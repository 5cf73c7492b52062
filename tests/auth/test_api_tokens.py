from portal.auth import services
from portal.auth.models import Role
from portal.extensions import db
from tests import factories as f


def test_api_refuses_missing_bad_and_revoked_tokens(client, ctx):
    u = f.user()
    assert client.get("/api/v1/me").status_code == 401
    body = client.get("/api/v1/me").get_json()
    assert body["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer prt_nope"}).status_code == 401
    token, secret = services.create_token(u, u, "script")
    db.session.commit()
    ok = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert ok.status_code == 200 and ok.get_json()["email"] == u.email
    services.revoke_token(u, token.id)
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_token_is_stored_hashed_and_records_last_use(client, ctx):
    u = f.user()
    token, secret = services.create_token(u, u, "script")
    db.session.commit()
    assert secret not in (token.token_hash, token.prefix) and token.last_used_at is None
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    db.session.expire_all()
    assert db.session.get(type(token), token.id).last_used_at is not None


def test_session_cookie_does_not_authenticate_the_api(client, ctx):
    u = f.user()
    f.login(client, u.email)
    assert client.get("/api/v1/me").status_code == 401


def test_deactivated_users_tokens_stop_working(client, ctx):
    admin, u = f.user(Role.admin), f.user()
    _, secret = services.create_token(u, u, "script")
    services.update_user(admin, u, active=False)
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_account_page_creates_and_revokes_tokens(client, ctx):
    u = f.user()
    f.login(client, u.email)
    r = f.post_form(client, "/account", "/account/tokens", {"name": "newsroom"})
    secret = r.get_data(as_text=True).split('<code class="token">')[1].split("<")[0]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    from portal.auth.models import ApiToken
    tok = db.session.scalar(db.select(ApiToken))
    f.post_form(client, "/account", f"/account/tokens/{tok.id}/revoke", {})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_audit_api_is_for_admins_only(client, ctx):
    admin, staff = f.user(Role.admin), f.user(Role.staff)
    _, a = services.create_token(admin, admin, "a")
    _, s = services.create_token(staff, staff, "s")
    db.session.commit()
    assert client.get("/api/v1/audit", headers={"Authorization": f"Bearer {s}"}).status_code == 403
    r = client.get("/api/v1/audit?after=0&limit=2", headers={"Authorization": f"Bearer {a}"})
    items = r.get_json()
    assert [i["id"] for i in items] == [1, 2]
    assert items[1]["prev_hash"] == items[0]["hash"]
    bad = client.get("/api/v1/audit?limit=abc", headers={"Authorization": f"Bearer {a}"})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid"
