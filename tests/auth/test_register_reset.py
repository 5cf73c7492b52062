import re

from portal.auth.models import User
from portal.extensions import db
from tests import factories as f


def _link(body: str, path: str) -> str:
    found = re.search(rf"http://portal\.test(/{path}/\S+)", body)
    assert found, body
    return found.group(1)


def test_register_sends_a_confirmation_link_that_verifies(client, ctx, mailbox):
    r = f.post_form(client, "/register", "/register",
                    {"name": "Ada Lovelace", "email": "Ada@Example.org",
                     "password": "long enough password", "confirm": "long enough password"})
    assert r.status_code == 200
    assert "Check your e-mail" in r.get_data(as_text=True)
    user = db.session.scalar(db.select(User).where(User.email == "ada@example.org"))
    assert user is not None and user.email_verified_at is None
    link = _link(mailbox.last_body("ada@example.org"), "verify")
    assert client.get(link).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is not None


def test_register_with_a_taken_address_looks_the_same(client, ctx, mailbox):
    existing = f.user(email="taken@example.org")
    r = f.post_form(client, "/register", "/register",
                    {"name": "Someone", "email": "taken@example.org",
                     "password": "long enough password", "confirm": "long enough password"})
    assert r.status_code == 200 and "Check your e-mail" in r.get_data(as_text=True)
    assert "already has one" in mailbox.last_body(existing.email)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_register_rejects_bad_input_without_creating_anything(client, ctx):
    r = f.post_form(client, "/register", "/register",
                    {"name": "X", "email": "not-an-address", "password": "short", "confirm": "other"})
    assert r.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_tampered_verification_link_is_refused(client, ctx):
    r = client.get("/verify/not-a-token")
    assert r.status_code == 400
    assert "not valid" in r.get_data(as_text=True)


def test_reset_answers_the_same_for_known_and_unknown(client, ctx, mailbox):
    u = f.user()
    known = f.post_form(client, "/reset", "/reset", {"email": u.email})
    unknown = f.post_form(client, "/reset", "/reset", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'value="[^"]+"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(known) == strip(unknown)
    assert len(mailbox.to(u.email)) == 1
    assert mailbox.to("nobody@example.org") == []


def test_reset_link_works_once(client, ctx, mailbox):
    u = f.user()
    f.post_form(client, "/reset", "/reset", {"email": u.email})
    link = _link(mailbox.last_body(u.email), "reset")
    r = f.post_form(client, link, link, {"password": "brand new password", "confirm": "brand new password"})
    assert r.status_code == 302
    assert f.login(client, u.email, "brand new password").status_code == 302
    again = client.get(link)
    assert again.status_code == 400
    assert "expired or was already used" in again.get_data(as_text=True)


def test_reset_is_rate_limited(client, ctx, app):
    u = f.user()
    for _ in range(app.config["RESET_LIMIT"][0]):
        assert f.post_form(client, "/reset", "/reset", {"email": u.email}).status_code == 200
    assert f.post_form(client, "/reset", "/reset", {"email": u.email}).status_code == 429
