import sqlalchemy as sa

from portal import mail
from portal.extensions import db
from portal.mail.models import MailStatus, OutgoingMail
from portal.worker import run_once


def test_mail_goes_out_after_commit_over_real_smtp(client, ctx, mailbox):
    r = client.post("/reset", data={})  # no CSRF: refused, nothing sent
    assert r.status_code == 400 and mailbox.messages == []
    from tests import factories as f
    u = f.user()
    f.post_form(client, "/reset", "/reset", {"email": u.email})
    assert len(mailbox.to(u.email)) == 1
    row = db.session.scalar(sa.select(OutgoingMail))
    assert row.status == MailStatus.sent and row.attempts == 1


def test_rolled_back_change_sends_nothing(app, mailbox):
    with app.test_request_context():
        mail.send("a@example.org", "hello", "body")
        db.session.rollback()
        assert mail.deliver_due() == 0
    assert mailbox.messages == []


def test_smtp_down_keeps_the_message_and_retries(app, mailbox):
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"  # nothing listens there
    with app.test_request_context():
        mail.send("a@example.org", "Your request", "body")
        db.session.commit()
        assert mail.deliver_pending_after_commit() == 0
        row = db.session.scalar(sa.select(OutgoingMail))
        assert row.status == MailStatus.pending and row.attempts == 1 and row.last_error
    app.config["SMTP_URL"] = mailbox.url
    with app.app_context():
        run_once()
        row = db.session.scalar(sa.select(OutgoingMail))
        assert row.status == MailStatus.sent
    assert [m["Subject"] for m in mailbox.to("a@example.org")] == ["Your request"]


def test_failure_after_last_attempt_is_visible_to_admins(app, client):
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    with app.test_request_context():
        mail.send("a@example.org", "Lost in transit", "body")
        db.session.commit()
        mail.deliver_pending_after_commit()
        run_once()
        assert db.session.scalar(sa.select(OutgoingMail.status)) == MailStatus.failed
    from portal.auth.models import Role
    from tests import factories as f
    with app.app_context():
        admin = f.user(Role.admin)
        f.login(client, admin.email)
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "Lost in transit" in page and "failed" in page and "ConnectionRefusedError" in page


def test_outbox_folder_without_smtp(app, tmp_path):
    app.config["SMTP_URL"] = None
    with app.test_request_context():
        mail.send("b@example.org", "Filed", "Your request was filed.")
        db.session.commit()
        assert mail.deliver_pending_after_commit() == 1
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1 and b"Your request was filed." in files[0].read_bytes()
