import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.clawback import revocation, tracing
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.disclosures import services
from portal.disclosures.models import Grant
from portal.extensions import db
from tests import factories as f
from tests.disclosures import samples


def _two_requests_same_file():
    dept, staff, requester, req = f.scenario()
    other_requester = f.user()
    req2 = f.request_for(other_requester, dept, title="Second")
    a = f.upload(staff, req, samples.csv(), filename="roster.csv")
    b = f.upload(staff, req2, samples.csv(), filename="roster-copy.csv")
    other = f.upload(staff, req, samples.text(), filename="memo.txt")
    r1 = services.create_release(staff, req.id, [a.id, other.id])
    r2 = services.create_release(staff, req2.id, [b.id])
    db.session.commit()
    return staff, requester, other_requester, a, r1, r2


def _live(**where):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Grant).filter_by(revoked_at=None, **where))


def test_revoke_one_grant(ctx):
    staff, requester, _, a, r1, _ = _two_requests_same_file()
    g = r1.grants[0]
    revocation.revoke_grant(staff, g.id, "wrong recipient")
    db.session.commit()
    assert db.session.get(Grant, g.id).revoked_reason == "wrong recipient"
    assert _live() == 2


def test_revoke_a_release(ctx):
    staff, *_, r1, r2 = _two_requests_same_file()
    assert revocation.revoke_release(staff, r1.id, "released too early") == 2
    db.session.commit()
    assert _live() == 1


def test_revoke_a_file_everywhere_by_sha256(ctx, client):
    staff, requester, other_requester, a, r1, r2 = _two_requests_same_file()
    assert revocation.revoke_file(staff, a.sha256, "undercover officers listed") == 2
    db.session.commit()
    assert _live() == 1  # only memo.txt is still live
    from portal.audit.models import AuditEntry
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "grant.revoke")).one()
    assert "undercover officers listed" in entry.data and entry.subject == f"file:{a.sha256}"


def test_revoke_every_grant_of_a_recipient(ctx):
    staff, requester, *_ = _two_requests_same_file()
    admin = f.user(Role.admin)
    assert revocation.revoke_recipient(admin, requester.id, "account compromised") == 2
    db.session.commit()
    assert _live(recipient_id=requester.id) == 0 and _live() == 1


def test_a_reason_is_required(ctx):
    staff, *_, r1, _ = _two_requests_same_file()
    with pytest.raises(Invalid):
        revocation.revoke_release(staff, r1.id, "  ")


def test_staff_of_another_department_and_requesters_may_not(ctx):
    staff, requester, _, a, r1, _ = _two_requests_same_file()
    outsider = f.user(Role.staff)
    with pytest.raises(Forbidden):
        revocation.revoke_file(outsider, a.sha256, "x")
    with pytest.raises(NotFound):  # another department's release or grant: as if it did not exist
        revocation.revoke_release(outsider, r1.id, "x")
    with pytest.raises(NotFound):
        revocation.revoke_grant(outsider, r1.grants[0].id, "x")
    with pytest.raises(NotFound):
        revocation.revoke_grant(requester, r1.grants[0].id, "x")
    with pytest.raises(Forbidden):
        tracing.recipients_json(outsider, a.sha256)
    with pytest.raises(Forbidden):
        tracing.recipients_json(requester, a.sha256)


def test_recipients_of_a_file_lists_never_downloaded_grants(ctx):
    staff, requester, other_requester, a, *_ = _two_requests_same_file()
    data = tracing.recipients_json(staff, a.sha256)
    assert data["sha256"] == a.sha256 and len(data["record_ids"]) == 2
    emails = {p["user"]["email"] for p in data["recipients"]}
    assert emails == {requester.email, other_requester.email}
    assert all(g["deliveries"] == [] for p in data["recipients"] for g in p["grants"])
    csv_text = tracing.recipients_csv(staff, a.sha256)
    assert "never downloaded" in csv_text and requester.email in csv_text


def test_csv_export_escapes_formulas(ctx):
    from portal.core.export import safe_cell
    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert safe_cell("+1") == "'+1" and safe_cell("@SUM") == "'@SUM" and safe_cell("plain") == "plain"


def test_api_status_codes(client, ctx):
    staff, requester, _, a, r1, _ = _two_requests_same_file()
    outsider = f.user(Role.staff)
    admin = f.user(Role.admin)
    url = f"/api/v1/files/{a.sha256}/recipients"
    assert client.get(url, headers=f.token_for(requester)).status_code == 403
    assert client.get(url, headers=f.token_for(outsider)).status_code == 403
    ok = client.get(url, headers=f.token_for(admin))
    assert ok.status_code == 200 and set(ok.get_json()) == {"sha256", "record_ids", "recipients"}
    assert client.get(f"/api/v1/files/{'0' * 64}/recipients", headers=f.token_for(admin)).status_code == 404
    r = client.post(f"/api/v1/files/{a.sha256}/revoke", headers=f.token_for(admin), json={"reason": "error"})
    assert r.status_code == 200 and r.get_json() == {"revoked": 2}
    assert client.post(f"/api/v1/grants/{r1.grants[1].id}/revoke", headers=f.token_for(admin),
                       json={}).status_code == 400
    g = client.post(f"/api/v1/grants/{r1.grants[1].id}/revoke", headers=f.token_for(admin),
                    json={"reason": "also"}).get_json()
    assert g["revoked_at"]


def test_counsel_report_is_a_pdf_with_every_recipient(client, ctx):
    staff, requester, _, a, *_ = _two_requests_same_file()
    f.login(client, staff.email)
    r = client.get(f"/staff/files/{a.sha256}.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    import io

    import pypdf
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(r.data)).pages)
    assert requester.email in text and "Never downloaded" in text


def test_revocation_stops_a_cached_copy_on_the_very_next_request(client, ctx):
    _, requester, _, _, r1, _ = _two_requests_same_file()
    g = r1.grants[0]
    h = f.token_for(requester)
    assert client.get(f"/api/v1/grants/{g.id}/download", headers=h).status_code == 200  # copy now cached
    admin = f.user(Role.admin)
    r = client.post(f"/api/v1/grants/{g.id}/revoke", headers=f.token_for(admin), json={"reason": "in error"})
    assert r.status_code == 200
    again = client.get(f"/api/v1/grants/{g.id}/download", headers=h)
    assert again.status_code == 410 and "in error" in again.get_json()["error"]["message"]
    f.login(client, requester.email)
    page = client.get(f"/me/files/{g.id}/download")
    assert page.status_code == 410 and "withdrawn" in page.get_data(as_text=True)
    assert "Withdrawn" in client.get("/me/files").get_data(as_text=True)
