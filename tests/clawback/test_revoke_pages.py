"""Destructive actions ask first, say what will happen, and tell the people who lose access."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.auth.models import Role
from portal.clawback import campaigns
from portal.core.models import utcnow
from portal.disclosures import services
from portal.disclosures.models import Grant
from portal.extensions import db
from portal.record_requests.models import Status
from tests import factories as f
from tests.disclosures import samples


def _released_to_two():
    dept, staff, requester, req = f.scenario()
    other = f.user()
    rec = f.upload(staff, req, samples.csv(), filename="roster.csv")
    rel = services.create_release(staff, req.id, [rec.id], recipients=[other.email])
    f.commit()
    return staff, requester, other, req, rec, rel


def _live() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Grant).where(Grant.revoked_at.is_(None)))


def test_revoking_a_file_asks_first_then_tells_every_recipient(client, ctx, mailbox):
    staff, requester, other, req, rec, rel = _released_to_two()
    mailbox.clear()
    f.login(client, staff.email)
    who = client.get(f"/staff/files/{rec.sha256}").get_data(as_text=True)
    assert f'href="/staff/files/{rec.sha256}/revoke"' in who and "button danger" in who
    confirm = client.get(f"/staff/files/{rec.sha256}/revoke").get_data(as_text=True)
    assert "2 download links stop working at once" in confirm and "for 2 recipients" in confirm
    assert requester.name in confirm and other.name in confirm and 'class="danger"' in confirm
    assert _live() == 2, "the confirmation page changes nothing"
    r = f.post_form(client, f"/staff/files/{rec.sha256}/revoke", f"/staff/files/{rec.sha256}/revoke",
                    {"reason": "Names an undercover officer"})
    assert r.status_code == 302 and _live() == 0
    for person in (requester, other):
        assert "roster.csv" in mailbox.last_body(person.email)
        assert "Names an undercover officer" in mailbox.last_body(person.email)
    f.post_form(client, "/account", "/logout", {})
    f.login(client, other.email)
    notices = client.get("/me/notices").get_data(as_text=True)
    assert "Download links withdrawn" in notices and "roster.csv" in notices
    assert "Names an undercover officer" in notices


def test_revoking_one_link_and_a_release_ask_first(client, ctx, mailbox):
    staff, requester, other, req, rec, rel = _released_to_two()
    mailbox.clear()
    f.login(client, staff.email)
    grant = next(g for g in rel.grants if g.recipient_id == other.id)
    page = client.get(f"/staff/grants/{grant.id}/revoke").get_data(as_text=True)
    assert "1 download link stops working at once" in page and other.name in page and requester.name not in page
    f.post_form(client, f"/staff/grants/{grant.id}/revoke", f"/staff/grants/{grant.id}/revoke", {"reason": "Sent in error"})
    assert mailbox.to(other.email) and not mailbox.to(requester.email)
    records = client.get(f"/staff/requests/{req.id}/records").get_data(as_text=True)
    assert f'href="/staff/releases/{rel.id}/revoke"' in records
    page = client.get(f"/staff/releases/{rel.id}/revoke").get_data(as_text=True)
    assert "1 download link stops working at once" in page  # the other one is already revoked
    r = f.post_form(client, f"/staff/releases/{rel.id}/revoke", f"/staff/releases/{rel.id}/revoke", {"reason": "All of it"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/staff/requests/{req.id}/records")
    assert _live() == 0
    assert "Nothing to revoke" in client.get(f"/staff/releases/{rel.id}/revoke").get_data(as_text=True)


def test_a_campaign_sends_one_message_not_two(ctx, mailbox):
    staff, requester, other, req, rec, rel = _released_to_two()
    admin = f.user(Role.admin)
    mailbox.clear()
    campaigns.open_campaign(admin, sha256s=[rec.sha256], reason="Error",
                            respond_by=(utcnow() + timedelta(days=14)).date())
    f.commit()
    assert len(mailbox.to(requester.email)) == 1 and len(mailbox.to(other.email)) == 1


def test_a_clawback_starts_from_who_has_this_file_and_from_a_release(client, ctx):
    staff, requester, other, req, rec, rel = _released_to_two()
    f.login(client, staff.email)
    assert "Start a clawback" not in client.get(f"/staff/files/{rec.sha256}").get_data(as_text=True)
    f.post_form(client, "/account", "/logout", {})
    f.login(client, f.user(Role.admin).email)
    who = client.get(f"/staff/files/{rec.sha256}").get_data(as_text=True)
    assert f'href="/admin/clawbacks?sha256={rec.sha256}"' in who
    records = client.get(f"/staff/requests/{req.id}/records").get_data(as_text=True)
    assert f"/admin/clawbacks?sha256={rec.sha256}" in records
    form = client.get(f"/admin/clawbacks?sha256={rec.sha256}&sha256={'0' * 64}").get_data(as_text=True)
    chosen = form.split('name="sha256s"', 1)[1].split("</textarea>")[0].split(">", 1)[1]
    assert "roster.csv" in form and chosen.split() == [rec.sha256]  # an unknown file is left out


def test_withdrawing_a_request_asks_first(client, ctx):
    _, _, requester, req = f.scenario()
    f.login(client, requester.email)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert f'href="/requests/{req.id}/withdraw"' in page and "button danger" in page
    confirm = client.get(f"/requests/{req.id}/withdraw").get_data(as_text=True)
    assert "What will happen" in confirm and "Why the request is withdrawn (optional" in confirm
    assert db.session.get(type(req), req.id).status != Status.withdrawn
    r = f.post_form(client, f"/requests/{req.id}/withdraw", f"/requests/{req.id}/do/withdraw", {"withdraw-body": "Found it"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(req), req.id).status == Status.withdrawn
    assert client.get(f"/requests/{req.id}/withdraw").status_code == 404  # nothing left to withdraw
