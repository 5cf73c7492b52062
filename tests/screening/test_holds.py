"""Holds: a flagged release is not made; the hold outlives the 409; a second person decides."""
import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.auth.models import Role
from portal.disclosures import services
from portal.disclosures.models import Grant, Release
from portal.extensions import db
from portal.screening import holds, lists
from portal.screening.holds import ScreeningHold
from portal.screening.models import Hold, HoldStatus
from tests import factories as f
from tests.disclosures import samples
from tests.screening.cast import flagged_setup as _flagged_setup


def _count(model):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_flagged_release_is_held_and_nothing_reaches_anyone(ctx, mailbox):
    _, staff, second, requester, req, rec = _flagged_setup()
    mailbox.clear()
    with pytest.raises(ScreeningHold) as held:
        services.create_release(staff, req.id, [rec.id], recipients=["lawyer@example.org"])
    f.commit()
    assert _count(Release) == 0 and _count(Grant) == 0
    assert not mailbox.to(requester.email) and not mailbox.to("lawyer@example.org")
    hold = db.session.get(Hold, held.value.hold_id)
    assert f"/staff/holds/{hold.id}" in mailbox.last_body(second.email)  # the second pair of eyes is asked
    assert not mailbox.to(staff.email)
    assert hold.status == HoldStatus.open and hold.recipients == ["lawyer@example.org"]
    [match] = [m for m in hold.matches if m["kind"] == "protected"]
    assert match["term"] == "José Álvarez" and match["list"] == "Undercover"
    assert match["where"] == "line 2, column A" and "[Jose,Alvarez]" in match["snippet"]


def test_hold_survives_the_409_and_is_audited(client, ctx, mailbox):
    _, staff, second, requester, req, rec = _flagged_setup()
    headers = f.token_for(staff)
    mailbox.clear()
    r = client.post(f"/api/v1/requests/{req.id}/releases", json={"record_ids": [rec.id]}, headers=headers)
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["code"] == "screening_hold" and err["message"]
    assert isinstance(err["hold_id"], int)
    assert [m["term"] for m in err["matches"] if m["kind"] == "protected"] == ["José Álvarez"]
    assert err["matches"][0]["record_id"] == rec.id and err["matches"][0]["filename"] == "roster.csv"
    db.session.expire_all()
    hold = db.session.get(Hold, err["hold_id"])
    assert hold is not None and hold.status == HoldStatus.open
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "hold.create",
                                                         AuditEntry.subject == f"hold:{hold.id}"))
    assert _count(Release) == 0 and _count(Grant) == 0
    assert not mailbox.to(requester.email)
    assert f"/staff/holds/{hold.id}" in mailbox.last_body(second.email)  # sent after the kept commit


def test_self_approval_refused_second_staff_approves(client, ctx, mailbox):
    admin, staff, second, requester, req, rec = _flagged_setup()
    r = client.post(f"/api/v1/requests/{req.id}/releases", json={"record_ids": [rec.id]},
                    headers=f.token_for(staff))
    hold_id = r.get_json()["error"]["hold_id"]
    own = client.post(f"/api/v1/holds/{hold_id}/approve", json={"reason": "fine"}, headers=f.token_for(staff))
    assert own.status_code == 403
    outsider = f.user(Role.staff)
    assert client.post(f"/api/v1/holds/{hold_id}/approve", json={"reason": "x"},
                       headers=f.token_for(outsider)).status_code == 404
    assert client.post(f"/api/v1/holds/{hold_id}/approve", json={},
                       headers=f.token_for(second)).status_code == 400
    mailbox.clear()
    ok = client.post(f"/api/v1/holds/{hold_id}/approve", json={"reason": "Alvarez retired in 2019; public."},
                     headers=f.token_for(second))
    assert ok.status_code == 201
    body = ok.get_json()
    assert set(body) == {"id", "released_at", "grants"}
    assert body["grants"][0]["recipient"]["email"] == requester.email
    assert mailbox.to(requester.email)
    again = client.post(f"/api/v1/holds/{hold_id}/approve", json={"reason": "again"}, headers=f.token_for(admin))
    assert again.status_code == 409
    db.session.expire_all()
    hold = db.session.get(Hold, hold_id)
    assert hold.status == HoldStatus.approved and hold.decided_by_id == second.id and hold.release_id == body["id"]
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "hold.approve"))


def test_admin_may_approve_and_requester_may_not_see(client, ctx):
    admin, staff, _, requester, req, rec = _flagged_setup()
    with pytest.raises(ScreeningHold) as held:
        services.create_release(staff, req.id, [rec.id])
    f.commit()
    hid = held.value.hold_id
    assert client.get(f"/api/v1/holds/{hid}", headers=f.token_for(requester)).status_code == 403
    assert client.post(f"/api/v1/holds/{hid}/approve", json={"reason": "ok"},
                       headers=f.token_for(admin)).status_code == 201


def test_dismissed_hold_cannot_be_approved_and_a_clean_release_goes_through(ctx):
    admin, staff, second, requester, req, rec = _flagged_setup()
    with pytest.raises(ScreeningHold) as held:
        services.create_release(staff, req.id, [rec.id])
    f.commit()
    holds.dismiss(staff, held.value.hold_id, "Will upload a redacted roster")
    f.commit()
    from portal.core.errors import Conflict
    with pytest.raises(Conflict):
        holds.approve(second, held.value.hold_id, "ok")
    redacted = f.upload(staff, req, b"first,last,unit\r\n[withheld],[withheld],Narcotics\r\n",
                        filename="roster-redacted.csv", replaces_id=rec.id)
    rel = services.create_release(staff, req.id, [redacted.id])
    f.commit()
    assert len(rel.grants) == 1


def test_unflagged_release_is_not_held(ctx):
    _, staff, _, _, req, _ = _flagged_setup()
    rec = f.upload(staff, req, samples.text(), filename="memo.txt")
    rel = services.create_release(staff, req.id, [rec.id])
    f.commit()
    assert rel.id and _count(Hold) == 0


def test_replacing_or_withholding_a_held_record_dismisses_its_hold(ctx):
    _, staff, second, _, req, rec = _flagged_setup()
    with pytest.raises(ScreeningHold) as first:
        services.create_release(staff, req.id, [rec.id])
    f.commit()
    f.upload(staff, req, b"first,last,unit\r\n[withheld],[withheld],Narcotics\r\n", filename="roster-redacted.csv",
             replaces_id=rec.id)
    db.session.expire_all()
    hold = db.session.get(Hold, first.value.hold_id)
    assert hold.status == HoldStatus.dismissed and "replaced" in hold.reason

    other = f.upload(staff, req, b"name\r\nJose Alvarez\r\n", filename="memo.csv")
    with pytest.raises(ScreeningHold) as second_hold:
        services.create_release(staff, req.id, [other.id])
    f.commit()
    from portal.records.services import set_disposition
    set_disposition(staff, other.id, "withhold", "privacy")
    f.commit()
    db.session.expire_all()
    assert db.session.get(Hold, second_hold.value.hold_id).status == HoldStatus.dismissed


def test_a_bad_recipient_fails_before_any_hold(client, ctx):
    _, staff, _, _, req, rec = _flagged_setup()
    r = client.post(f"/api/v1/requests/{req.id}/releases", json={"record_ids": [rec.id], "recipients": ["not-an-address"]},
                    headers=f.token_for(staff))
    assert r.status_code == 400 and r.get_json()["error"]["fields"] == {"recipients": "invalid"}
    assert _count(Hold) == 0


def test_a_held_rerelease_keeps_the_hold_and_nothing_else(client, ctx, mailbox):
    from datetime import timedelta

    from portal.clawback import campaigns
    from portal.core.models import utcnow
    admin = f.user(Role.admin)
    _, staff, requester, req = f.scenario()
    original = f.upload(staff, req, samples.csv(), filename="roster.csv")
    services.create_release(staff, req.id, [original.id], recipients=["lawyer@example.org"])
    f.commit()
    campaign = campaigns.open_campaign(admin, sha256s=[original.sha256], reason="Lists officers.",
                                       respond_by=utcnow().date() + timedelta(days=10))
    f.commit()
    lists.add_terms(admin, "Undercover", ["Jose Alvarez"])
    corrected = f.upload(staff, req, b"name,unit\r\nJose Alvarez,Narcotics\r\n", filename="roster-v2.csv",
                         replaces_id=original.id)
    mailbox.clear()
    r = client.post(f"/api/v1/clawbacks/{campaign.id}/rerelease", json={"record_id": corrected.id},
                    headers=f.token_for(admin))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "screening_hold"
    assert _count(Release) == 1 and _count(Hold) == 1
    assert not mailbox.to(requester.email) and not mailbox.to("lawyer@example.org")
    assert not db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "clawback.rerelease"))
