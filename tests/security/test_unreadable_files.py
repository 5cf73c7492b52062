"""Damaged files and malformed redactions are a 4xx on the pages and redaction routes, never a 500."""
import io
import zipfile

import pytest

from tests import factories as f
from tests.redaction import samples


def _claims_a_million_pages() -> bytes:
    """A page tree whose /Count says 1,000,000 over a single page."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Count 1000000 /Kids [3 0 R] >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer << /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _unreadable_workbook() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                        'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
                        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        z.writestr("xl/workbook.xml", "<workbook><sheets><sheet name=")  # cut off
    return buf.getvalue()


@pytest.fixture
def staff_record(ctx):
    def make(data, name):
        dept, staff, requester, req = f.scenario()
        rec = f.upload(staff, req, data, name)
        return staff, rec
    return make


@pytest.mark.parametrize("data, name", [(_claims_a_million_pages(), "claims.pdf"),
                                        (_unreadable_workbook(), "broken.xlsx")])
def test_pages_and_redact_page_of_an_unreadable_file_are_422(client, staff_record, data, name):
    staff, rec = staff_record(data, name)
    resp = client.get(f"/api/v1/records/{rec.id}/pages", headers=f.token_for(staff))
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert resp.get_json()["error"]["code"] == "unprocessable"
    f.login(client, staff.email)
    assert client.get(f"/staff/records/{rec.id}/redact").status_code == 422


@pytest.mark.parametrize("citation", [{}, [], 7, None])
def test_a_citation_that_is_not_a_string_is_a_400(client, staff_record, citation):
    staff, rec = staff_record(samples.text_pdf([["A memo about John Smith."]]), "memo.pdf")
    resp = client.post(f"/api/v1/records/{rec.id}/redactions", headers=f.token_for(staff),
                       json={"redactions": [{"kind": "term", "term": "john", "citation": citation}]})
    assert resp.status_code == 400
    assert resp.get_json()["error"]["fields"] == {"citation": "unknown"}
