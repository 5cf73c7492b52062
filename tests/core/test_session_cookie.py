"""The session cookie and the pages made from it: a forged or expired cookie logs nobody in,
flashed messages show once, nobody sees another person's files page or logout token, and every
page that read the cookie says so to caches (Vary: Cookie)."""
from __future__ import annotations

import re
import time
from datetime import timedelta

from portal.disclosures import services
from portal.extensions import db
from tests import factories as f
from tests.disclosures import samples

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_forged_cookie_is_refused_after_the_real_one_was_accepted(client, ctx):
    u = f.user()
    f.login(client, u.email)
    assert client.get("/me/files").status_code == 200
    real = _cookie(client)
    payload, stamp, signature = real.rsplit(".", 2)
    forged = f"{payload}.{stamp}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    client.set_cookie("session", forged)
    assert client.get("/me/files").status_code == 302  # to the login page
    client.set_cookie("session", real)
    assert client.get("/me/files").status_code == 200


def test_a_cookie_older_than_the_session_lifetime_is_refused_even_when_seen_before(app, client, ctx):
    u = f.user()
    f.login(client, u.email)
    assert client.get("/me/files").status_code == 200
    app.permanent_session_lifetime = timedelta(seconds=1)
    time.sleep(2.1)  # the cookie's signature carries whole seconds
    assert client.get("/me/files").status_code == 302


def test_flashed_messages_show_once_on_each_request_with_the_same_cookie(client, ctx):
    u = f.user()
    f.login(client, u.email)
    with client.session_transaction() as sess:
        sess["_flashes"] = [("message", "Your upload is attached.")]
    with_flash = _cookie(client)
    for _ in range(3):
        client.set_cookie("session", with_flash)
        page = client.get("/me/files").get_data(as_text=True)
        assert page.count("Your upload is attached.") == 1
        assert "Your upload is attached." not in client.get("/me/files").get_data(as_text=True)


def test_each_recipient_sees_their_own_files_page_with_their_own_logout_token(app, ctx):
    _, staff, first, req = f.scenario()
    second = f.user()
    rec = f.upload(staff, req, samples.text(), filename="memo.txt")
    rel = services.create_release(staff, req.id, [rec.id], recipients=[second.email])
    db.session.commit()
    grant_of = {g.recipient_id: g for g in rel.grants}
    clients = {u.id: app.test_client() for u in (first, second)}
    for u in (first, second):
        f.login(clients[u.id], u.email)
    pages = {uid: c.get("/me/files").get_data(as_text=True) for uid, c in clients.items()}
    for uid, page in pages.items():
        other = second.id if uid == first.id else first.id
        assert grant_of[uid].code in page and grant_of[other].code not in page
    assert _TOKEN.search(pages[first.id]).group(1) != _TOKEN.search(pages[second.id]).group(1)

    # A download shows on the next visit: the reused page follows the data.
    assert "not downloaded yet" in pages[first.id]
    assert clients[first.id].get(f"/me/files/{grant_of[first.id].id}/download").status_code == 200
    assert "not downloaded yet" not in clients[first.id].get("/me/files").get_data(as_text=True)

    # The token on the reused page is the visitor's own: it logs them out, and only them.
    token = _TOKEN.search(clients[second.id].get("/me/files").get_data(as_text=True)).group(1)
    assert clients[second.id].post("/logout", data={"csrf_token": token}).status_code == 302
    assert clients[second.id].get("/me/files").status_code == 302
    assert clients[first.id].get("/me/files").status_code == 200


def test_pages_that_read_the_session_say_they_vary_by_cookie(app, client, ctx):
    """A shared cache must never serve one person's page to another: every page that read the
    session says `Vary: Cookie`, whether or not the cookie is written again, and a view's own
    Vary values are kept beside it."""
    @app.get("/_vary_probe")
    def probe():
        from flask import session
        session.get("_user_id")
        return "ok", 200, {"Vary": "Accept-Language"}

    u = f.user()
    f.login(client, u.email)
    client.get("/me/files")  # the first page after logging in may still write the cookie
    page = client.get("/me/files")
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    assert "Cookie" in page.vary
    probed = client.get("/_vary_probe")
    assert "Set-Cookie" not in probed.headers and {"Cookie", "Accept-Language"} <= set(probed.vary)
