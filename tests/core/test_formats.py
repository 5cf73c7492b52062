"""One way to show times, sizes, file types, fingerprints and audit details on every page."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

from portal.auth.models import Role
from portal.core import formats
from portal.disclosures import services
from tests import factories as f
from tests.screening import samples as screening_samples

MOMENT = datetime(2026, 12, 8, 6, 4, 59, 123456, tzinfo=timezone.utc)  # 22:04 the day before in LA


def test_times_are_the_agencys_to_the_minute_in_each_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert formats.when(MOMENT) == "7 Dec 2026, 22:04 PST"
        assert formats.when(MOMENT.isoformat()) == "7 Dec 2026, 22:04 PST"
        assert formats.when(MOMENT.replace(tzinfo=None)) == "7 Dec 2026, 22:04 PST"  # the database's naive UTC
        assert formats.day(MOMENT) == "7 Dec 2026" and formats.day(date(2027, 1, 4)) == "4 Jan 2027"
        assert formats.when(None) == "" and formats.day(None) == ""
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        assert formats.when(MOMENT) == "7 dic 2026, 22:04 PST"


def test_sizes_types_confidence_and_fingerprints_read_as_words(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert formats.filesize(26_214_400) == "25 MB" and formats.filesize(1536) == "1.5 KB"
        assert formats.filesize(999) == "999 bytes" and formats.filesize(3 * 1024 ** 3) == "3 GB"
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert formats.filetype(xlsx) == "Excel workbook" and formats.filetype("application/pdf") == "PDF document"
        assert formats.filetype("application/x-odd", "plan.dwg") == "DWG file"
        assert formats.percent(1.0) == "100%" and formats.percent(0.98765) == "99%"
        sha = "ab" * 32
        shown = str(formats.fingerprint(sha))
        assert f'title="{sha}"' in shown and f'data-copy="{sha}"' in shown and ">abababababab…<" in shown
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        assert formats.filesize(1536) == "1,5 KB" and formats.filetype("application/pdf") == "Documento PDF"


def test_audit_details_are_key_value_lines():
    lines = formats.details('{"reason": "wrong file", "grants": [3, 4], "hold": {"id": 7, "terms": ["x"]}}')
    assert lines == [("reason", "wrong file"), ("grants", "3, 4"), ("hold.id", "7"), ("hold.terms", "x")]
    assert formats.details("not json") == [("", "not json")]


def _released_workbook():
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, screening_samples.xlsx(), filename="budget.xlsx")
    rel = services.create_release(staff, req.id, [rec.id])
    f.commit()
    return staff, requester, req, rec, rel


def test_staff_pages_show_no_raw_data(client, ctx):
    staff, requester, req, rec, rel = _released_workbook()
    f.login(client, requester.email)
    assert client.get(f"/me/files/{rel.grants[0].id}/download").status_code == 200
    f.post_form(client, "/account", "/logout", {})
    f.login(client, staff.email)
    records = client.get(f"/staff/requests/{req.id}/records").get_data(as_text=True)
    assert "Excel workbook" in records and "spreadsheetml" not in records
    assert re.search(r"\d+(\.\d)? KB", records) and " bytes</td>" not in records
    who = client.get(f"/staff/files/{rec.sha256}").get_data(as_text=True)
    assert not re.search(r"\d\d:\d\d:\d\d\.\d+", who), "microseconds on Who has this file"
    assert not re.search(r"\d{4}-\d\d-\d\dT", who), "ISO times on Who has this file"
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d P[SD]T", who)
    assert f'title="{rec.sha256}"' in who and f">{rec.sha256}<" not in who
    assert "copy.js" in who  # its copy buttons


def test_the_audit_log_shows_details_as_lines(client, ctx):
    admin = f.user(Role.admin)
    _released_workbook()
    f.login(client, admin.email)
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert '<dl class="details">' in page and "{&#34;" not in page and '{"' not in page

