"""What every page carries (icon, logo, footer links) and the first-run helpers (local mail viewer)."""
from __future__ import annotations

from email.message import EmailMessage

from portal.auth.models import Role
from portal.mail import transport
from tests import factories as f


def test_every_page_names_its_icon_and_the_old_address_serves_it(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon"' in page and "favicon.svg" in page
    for url in ("/favicon.ico", "/static/favicon.svg"):
        r = client.get(url)
        assert r.status_code == 200 and r.mimetype == "image/svg+xml" and b"<svg" in r.data


def test_the_logo_slot_shows_the_configured_logo_and_allows_its_origin(app):
    from portal import create_app
    client = app.test_client()
    assert 'class="logo"' not in client.get("/").get_data(as_text=True)
    cfg = {k: app.config[k] for k in ("TESTING", "DATABASE_URL", "SECRET_KEY", "WATERMARK_KEY", "STORAGE_DIR")}
    other = create_app(cfg | {"LOGO_URL": "https://cdn.example.gov/seal.svg"}, instance_path=app.instance_path)
    r = other.test_client().get("/login")
    assert '<img class="logo" src="https://cdn.example.gov/seal.svg" alt=""' in r.get_data(as_text=True)
    assert "img-src 'self' data: https://cdn.example.gov;" in r.headers["Content-Security-Policy"]
    assert "cdn.example.gov" not in client.get("/login").headers["Content-Security-Policy"]


def test_footer_links_to_accessibility_privacy_and_contact(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/accessibility"' in page and 'href="/privacy"' in page and 'href="mailto:records@localhost"' in page
    statement = client.get("/accessibility")
    assert statement.status_code == 200 and "WCAG" in statement.get_data(as_text=True)


def test_the_privacy_notice_says_what_a_download_logs(client):
    page = client.get("/privacy").get_data(as_text=True)
    for logged in ("internet address", "browser's identification string", "fingerprint (SHA-256)",
                   "how many bytes were sent", "disclosure code"):
        assert logged in page, logged
    spanish = client.get("/privacy", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Aviso de privacidad" in spanish and "dirección de internet" in spanish


def _outbox_mail(app, subject="Your request 2026-0001 was received"):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "records@localhost", "ana@example.org", subject
    msg.set_content("Hello Ana,\nwe received your request.")
    transport.write_outbox(app.config["OUTBOX_DIR"], msg, 7)


def test_admins_read_the_outbox_when_mail_is_not_sent(app, client, ctx):
    app.config["SMTP_URL"] = None
    _outbox_mail(app)
    staff, admin = f.user(Role.staff), f.user(Role.admin)
    f.login(client, staff.email)
    assert client.get("/admin/outbox").status_code == 403
    f.post_form(client, "/account", "/logout", {})
    f.login(client, admin.email)
    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert "Your request 2026-0001 was received" in listing and "ana@example.org" in listing
    assert 'href="/admin/outbox"' in client.get("/admin/mail").get_data(as_text=True)
    one = client.get("/admin/outbox/00000007.eml").get_data(as_text=True)
    assert "we received your request." in one
    for bad in ("/admin/outbox/..%2Fsecret_key", "/admin/outbox/00000008.eml", "/admin/outbox/secret_key"):
        assert client.get(bad).status_code == 404, bad


def test_the_outbox_viewer_is_gone_when_mail_goes_to_a_server(app, client, ctx):
    assert app.config["SMTP_URL"]
    f.login(client, f.user(Role.admin).email)
    assert client.get("/admin/outbox").status_code == 404
