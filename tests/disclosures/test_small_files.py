"""Staff are told before release when copies of a file cannot be told apart once unzipped."""
from tests import factories as f
from tests.watermark import samples as ws


def _preview(client, staff, req, record):
    f.login(client, staff.email)
    page = f"/staff/requests/{req.id}/records"
    r = f.post_form(client, page, f"/staff/requests/{req.id}/releases",
                    {"record_ids": [record.id], "recipients": "", "preview": "1"})
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_a_six_row_csv_is_flagged_with_the_traceable_formats_offered(client, ctx):
    _, staff, requester, req = f.scenario()
    roster = f.upload(staff, req, ws.csv_bytes(6), filename="roster.csv")
    body = _preview(client, staff, req, roster)
    assert "Copies cannot be told apart once unzipped." in body
    assert "too small for the marks of its format" in body and "as an XLSX workbook" in body


def test_a_csv_long_enough_for_its_marks_is_not_flagged(client, ctx):
    _, staff, requester, req = f.scenario()
    table = f.upload(staff, req, ws.csv_bytes(400), filename="payments.csv")
    assert "Copies cannot be told apart" not in _preview(client, staff, req, table)


def test_the_recipients_files_page_says_the_unzipped_file_carries_no_mark(client, ctx):
    from portal.core.models import utcnow
    from portal.disclosures import services
    from portal.extensions import db
    _, staff, requester, req = f.scenario()
    roster = f.upload(staff, req, ws.csv_bytes(6), filename="roster.csv")
    rel = services.create_release(staff, req.id, [roster.id])
    db.session.commit()
    grant = rel.grants[0]
    grant.recipient.email_verified_at = grant.recipient.email_verified_at or utcnow()
    db.session.commit()
    r = client.get(f"/api/v1/grants/{grant.id}/download", headers=f.token_for(grant.recipient))
    assert r.status_code == 200 and r.get_data()[:2] == b"PK"          # the receipt ZIP
    f.login(client, requester.email)
    body = client.get("/me/files").get_data(as_text=True)
    assert "The file inside the ZIP is the same for every recipient: it carries no mark of yours." in body
