"""The report for counsel: a laid-out PDF naming the file, every copy and download, page numbered."""
from __future__ import annotations

import io
import re

import pypdf

from portal.auth.models import Role
from portal.core import pdftable
from portal.disclosures import services
from tests import factories as f
from tests.disclosures import samples

UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/131.0.6778.86 Safari/537.36 Edg/131.0.2903.70 with a long tail of extensions enabled")


def _text(data: bytes) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_wrapping_breaks_at_spaces_and_only_splits_a_word_wider_than_its_column():
    lines = pdftable.wrap("The quick brown fox jumps over the lazy dog", 60, "F1", 8)
    assert len(lines) > 1 and " ".join(lines) == "The quick brown fox jumps over the lazy dog"
    assert all(pdftable.text_width(line, "F1", 8) <= 60 for line in lines)
    long = pdftable.wrap("a" * 80, 60, "F1", 8)
    assert "".join(long) == "a" * 80 and all(pdftable.text_width(x, "F1", 8) <= 60 for x in long)


def test_the_report_names_the_file_lays_out_every_download_and_numbers_its_pages(client, ctx):
    dept, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, samples.csv(), filename="use-of-force-roster-2025.csv")
    people = [f.user() for _ in range(40)]  # enough rows for a second page
    rel = services.create_release(staff, req.id, [rec.id], recipients=[p.email for p in people])
    f.commit()
    downloader = rel.grants[0]
    for _ in range(2):
        client.get(f"/api/v1/grants/{downloader.id}/download", headers={**f.token_for(requester), "User-Agent": UA})
    f.login(client, f.user(Role.admin).email)
    r = client.get(f"/staff/files/{rec.sha256}.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert f'recipients-{rec.sha256[:12]}.pdf' in r.headers["Content-Disposition"]
    pages = _text(r.data)
    assert len(pages) >= 2
    for n, page in enumerate(pages, 1):
        assert f"page {n} of {len(pages)}" in page
        assert "Recipient" in page and "Browser" in page  # the table's header on every page
    whole = " ".join(pages)
    flat = re.sub(r"\s+", " ", whole)
    assert "use-of-force-roster-2025.csv" in whole and rec.sha256 in whole
    assert UA in flat, "the browser string is cut or broken inside a word"
    assert requester.email in whole and all(p.email in flat for p in people)
    assert "41 recipients" in flat and "2 downloads" in flat
    assert not re.search(r"\d{4}-\d\d-\d\dT", whole)  # times in words, never ISO with microseconds
