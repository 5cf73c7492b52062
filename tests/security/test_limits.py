"""Input limits a user can run into: request size, JSON bodies, rate limits on filing and on
attribution, spreadsheet-safe exports, escaped user text and normalised names."""
from __future__ import annotations

import csv
import io

from portal.auth.models import Role
from portal.clawback import tracing
from portal.disclosures import services as disclosures
from portal.extensions import db
from tests import factories as f
from tests.watermark import samples as ws


def test_an_upload_over_the_request_limit_is_a_clear_413_page_and_json(app, client, ctx):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    _, staff, _, req = f.scenario()
    r = client.post(f"/api/v1/requests/{req.id}/records", headers=f.token_for(staff),
                    content_type="multipart/form-data", data={"file": (io.BytesIO(b"x" * 10_000), "big.txt")})
    assert r.status_code == 413
    assert r.get_json()["error"] == {"code": "request_entity_too_large",
                                     "message": "The upload is larger than the portal accepts."}
    page = client.post("/login", data={"email": "a@example.org", "password": "p" * 10_000})
    assert page.status_code == 413 and "Split the upload into smaller files" in page.get_data(as_text=True)


def test_json_bodies_have_their_own_limit_and_depth(app, client, ctx):
    app.config["JSON_MAX_BYTES"] = 1000
    u = f.user()
    big = client.post("/api/v1/requests", headers=f.token_for(u), json={"title": "t", "description": "d" * 2000})
    assert big.status_code == 413 and "1,000 bytes" in big.get_json()["error"]["message"]
    deep = client.post("/api/v1/requests", headers=f.token_for(u), data="[" * 400 + "]" * 400,
                       content_type="application/json")
    assert deep.status_code == 400
    app.config["JSON_MAX_BYTES"] = 10 ** 6
    deeper = client.post("/api/v1/requests", headers=f.token_for(u), data="[" * 50_000 + "]" * 50_000,
                         content_type="application/json")
    assert deeper.status_code == 400 and "nested too deeply" in deeper.get_json()["error"]["message"]


def test_filing_is_rate_limited_per_requester_with_429(app, client, ctx):
    app.config["FILING_LIMIT"] = (2, 3600)
    dept, requester = f.department(), f.user()
    headers, body = f.token_for(requester), {"department": dept.slug, "title": "Budget", "description": "Memos"}
    assert [client.post("/api/v1/requests", headers=headers, json=body).status_code for _ in range(2)] == [201, 201]
    r = client.post("/api/v1/requests", headers=headers, json=body)
    assert r.status_code == 429 and r.headers["Retry-After"] == "3600"
    assert "filed 2 requests in the last 60 minutes" in r.get_json()["error"]["message"]
    other = f.user()  # the limit is per person
    assert client.post("/api/v1/requests", headers=f.token_for(other), json=body).status_code == 201
    f.login(client, requester.email)
    page = f.post_form(client, "/requests/new", "/requests/new",
                       {"department": dept.slug, "title": "Budget", "description": "Memos", "submit": "File"})
    assert page.status_code == 429 and "filed 2 requests" in page.get_data(as_text=True)


def test_attribution_is_rate_limited_per_admin_with_429(app, client, ctx):
    app.config["ATTRIBUTION_LIMIT"] = (2, 600)
    headers = f.token_for(f.user(Role.admin))

    def attribute():
        return client.post("/api/v1/attributions", headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"a found file\nwith two lines\n"), "found.txt")})
    assert [attribute().status_code for _ in range(2)] == [200, 200]
    r = attribute()
    assert r.status_code == 429 and "2 attributions in 10 minutes" in r.get_json()["error"]["message"]


def test_recipient_log_export_defuses_formulas_a_recipient_controls(client, ctx):
    """The user agent and the name are the downloader's own words: a spreadsheet must not run them."""
    _, staff, _, req = f.scenario()
    req.requester.name = "=HYPERLINK(\"http://evil.test\",\"click\")"
    rec = f.upload(staff, req, ws.csv_bytes(20), filename="roster.csv")
    rel = disclosures.create_release(staff, req.id, [rec.id])
    db.session.commit()
    grant = rel.grants[0]
    r = client.get(f"/api/v1/grants/{grant.id}/download", headers={**f.token_for(grant.recipient),
                                                                   "User-Agent": "@SUM(1+1)*cmd|' /C calc'!A0"})
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(tracing.recipients_csv(f.user(Role.admin), rec.blob.sha256))))
    assert rows[0]["recipient_name"] == "'=HYPERLINK(\"http://evil.test\",\"click\")"
    assert rows[0]["user_agent"] == "'@SUM(1+1)*cmd|' /C calc'!A0"


def test_user_text_is_escaped_by_autoescape(client, ctx):
    """No page renders user text as HTML (there is no rich text, so no sanitiser): a script in a
    request's title and description reaches the page as text."""
    requester = f.user()
    req = f.request(requester, title="<script>alert('t')</script>",
                    description="<img src=x onerror=alert(1)><script>alert('d')</script>")
    f.login(client, requester.email)
    html = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(" not in html and "<img src=x" not in html


def test_names_are_nfkc_normalised_and_control_characters_refused(ctx):
    from portal.auth.services import normalise_name
    from portal.core.errors import Invalid
    from portal.records.services import clean_filename
    assert normalise_name("\uff2a\uff41\uff4e\uff45  Roe") == "Jane Roe"
    for bad in ("Jane\u202eeoR", "Jane\x00", "Jane\x1b[31m"):
        try:
            normalise_name(bad)
        except Invalid:
            continue
        raise AssertionError(f"{bad!r} was accepted")
    assert clean_filename("\uff4d\uff45\uff4d\uff4f\ufe52txt") == "memo.txt"
    assert clean_filename("invoice\u202etxt.exe") == "invoicetxt.exe"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("memo\x00\x07\x1b.txt") == "memo.txt"
    assert clean_filename("...") == "file" and len(clean_filename("a" * 5000)) == 255


def test_every_cell_start_a_spreadsheet_runs_is_quoted():
    from portal.core.export import safe_cell
    for start in ("=", "+", "-", "@", "\t", "\r", "\0"):
        assert safe_cell(start + "1+1") == "'" + start + "1+1"
    assert safe_cell("Police") == "Police" and safe_cell(None) == "" and safe_cell(3) == "3"


def test_a_found_pixel_bomb_is_not_decoded_for_attribution(app, ctx, hostile_dir):
    """Attribution compares images by small hashes; a found file over the pixel limit is not decoded
    to make them (it was: 144 million pixels in memory per attribution)."""
    from portal.clawback import fingerprints
    from tests.screening.samples import png_header
    bomb = (hostile_dir / "pixel_bomb_real.png").read_bytes()   # 12,000 x 12,000, 17 KB
    assert fingerprints.probes(bomb, "image/png", app.config["UPLOAD_MAX_PIXELS"])["photo"] == []
    # under a higher limit the same file is hashed
    assert len(fingerprints.probes(bomb, "image/png", 200_000_000)["photo"]) == 2
    assert fingerprints.probes(png_header(200_000, 200_000), "image/png", 200_000_000)["photo"] == []


def test_a_file_stored_before_a_limit_was_lowered_is_not_parsed_by_redaction_or_marking(app, client, ctx):
    """The watermark and redaction engines are handed only files within today's limits: a file
    stored earlier is refused by redaction (422) and leaves unparsed inside the receipt ZIP."""
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, ws.pdf(3), filename="report.pdf")
    app.config["UPLOAD_PDF_MAX_PAGES"] = 2
    r = client.get(f"/api/v1/records/{rec.id}/pages", headers=f.token_for(staff))
    assert r.status_code == 422
    assert r.get_json()["error"]["message"].startswith("report.pdf cannot be redacted: The PDF has 3 pages")
    rel = disclosures.create_release(staff, req.id, [rec.id])
    db.session.commit()
    copy = client.get(f"/api/v1/grants/{rel.grants[0].id}/download", headers=f.token_for(requester))
    assert copy.status_code == 200 and copy.get_data().startswith(b"PK")
    assert "report.pdf.zip" in copy.headers["Content-Disposition"]
    app.config["UPLOAD_PDF_MAX_PAGES"] = 10
    assert client.get(f"/api/v1/records/{rec.id}/pages", headers=f.token_for(staff)).status_code == 200
