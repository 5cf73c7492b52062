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
