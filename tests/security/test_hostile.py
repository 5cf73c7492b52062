"""The hostile-input corpus (tests/data/make_hostile.py) driven through upload -> screening ->
release -> download -> attribution over the API: each file ends in a clear 4xx whose message names
the problem, or in a clean acceptance; never a 500, never an orphan blob or row."""
from __future__ import annotations

import io
import json
import unicodedata

import pytest

from portal.auth.models import Role
from tests import factories as f
from tests.security.orphans import assert_no_orphans

# What each file meets: the stage that refuses it and the status, or "accepted" (released,
# downloaded as a marked copy and attributed to its recipient). "held" is a screening hold (409).
EXPECTED = {
    "truncated.pdf": ("release", 409),   # qpdf repairs it; the screen cannot read it: held
    "malformed.pdf": ("upload", 422),
    "header_only.pdf": ("upload", 422),
    "encrypted_user_password.pdf": ("upload", 422),
    "encrypted_owner_only.pdf": ("accepted", 200),  # no password to open: read and marked
    "javascript.pdf": ("release", 409),
    "launch_action.pdf": ("upload", 422),
    "many_pages.pdf": ("upload", 422),
    "deep_nesting.pdf": ("upload", 422),
    "pdf_zip_polyglot.pdf": ("accepted", 200),
    "html_posing_as.pdf": ("accepted", 200),
    "pixel_bomb_header.png": ("upload", 422),
    "pixel_bomb_real.png": ("upload", 422),
    "jpeg_zip_polyglot.jpg": ("accepted", 200),
    "exe_declared_png.png": ("upload", 415),
    "empty.png": ("upload", 400),
    "truncated.jpg": ("upload", 422),
    "script.svg": ("accepted", 200),
    "zip_bomb.xlsx": ("upload", 422),
    "zip_bomb.docx": ("upload", 422),
    "many_entries.xlsx": ("upload", 422),
    "nested.zip": ("upload", 422),
    "billion_laughs.docx": ("upload", 422),
    "xxe.docx": ("upload", 422),
    "padded_laughs.docx": ("upload", 422),
    "traversal_entries.zip": ("upload", 422),
    "truncated.xlsx": ("upload", 422),
    "legacy_encrypted_office.docx": ("upload", 415),
    "name_traversal.txt": ("accepted", 200),
    "name_control_chars.txt": ("accepted", 200),
    "name_rtl_override.txt": ("accepted", 200),
    "name_very_long.txt": ("accepted", 200),
    "name_nul.txt": ("accepted", 200),
    "name_fullwidth.txt": ("accepted", 200),
    "name_only_dots.txt": ("accepted", 200),
    "formula_cells.csv": ("accepted", 200),
    "oversized.json": ("json", 413),
    "deeply_nested.json": ("json", 400),
    "wrong_type.json": ("json", 400),
}


def _manifest(hostile_dir) -> dict:
    return json.loads((hostile_dir / "manifest.json").read_text())["files"]


def test_corpus_is_complete_and_every_file_has_an_expected_outcome(hostile_dir):
    files = _manifest(hostile_dir)
    assert len(files) >= 30
    assert set(files) == set(EXPECTED)


def _clear_error(r, status):
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:500])
    error = r.get_json()["error"]
    assert error["code"] and len(error["message"]) > 15, error
    return error


def _drive(client, hostile_dir, name, meta) -> tuple[str, int, dict]:
    """Send one corpus file down the pipeline; (stage reached, status, details)."""
    data = (hostile_dir / name).read_bytes()
    dept, staff, requester, req = f.scenario()
    admin = f.user(Role.admin)
    staff_h, req_h, admin_h = f.token_for(staff), f.token_for(requester), f.token_for(admin)
    if meta["kind"] == "json":
        r = client.post("/api/v1/requests", data=data, headers={**req_h, "Content-Type": meta["declared"]
                                                                 if meta["declared"] != "application/octet-stream"
                                                                 else "application/json"})
        assert r.status_code < 500
        return "json", r.status_code, r.get_json()
    r = client.post(f"/api/v1/requests/{req.id}/records", headers=staff_h, content_type="multipart/form-data",
                    data={"file": (io.BytesIO(data), meta["name"], meta["declared"])})
    assert r.status_code < 500, r.get_data(as_text=True)[:500]
    # the found file itself may be attributed whatever happened to its upload
    a = client.post("/api/v1/attributions", headers=admin_h, content_type="multipart/form-data",
                    data={"file": (io.BytesIO(data), "found.bin")})
    assert a.status_code < 500, a.get_data(as_text=True)[:500]
    if r.status_code != 201:
        return "upload", r.status_code, r.get_json()
    record = r.get_json()
    r = client.post(f"/api/v1/requests/{req.id}/releases", headers=staff_h, json={"record_ids": [record["id"]]})
    assert r.status_code < 500, r.get_data(as_text=True)[:500]
    if r.status_code != 201:
        return "release", r.status_code, r.get_json()
    grant = r.get_json()["grants"][0]
    r = client.get(f"/api/v1/grants/{grant['id']}/download", headers=req_h)
    assert r.status_code < 500, r.get_data(as_text=True)[:500]
    if r.status_code != 200:
        return "download", r.status_code, r.get_json()
    copy = r.get_data()
    a = client.post("/api/v1/attributions", headers=admin_h, content_type="multipart/form-data",
                    data={"file": (io.BytesIO(copy), "found.bin")})
    assert a.status_code == 200, a.get_data(as_text=True)[:500]
    assert [m["grant_id"] for m in a.get_json()["matches"]] == [grant["id"]]
    return "accepted", 200, {"record": record, "disposition": r.headers["Content-Disposition"], "copy": copy}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file(client, ctx, hostile_dir, name):
    meta = _manifest(hostile_dir)[name]
    stage, status, detail = _drive(client, hostile_dir, name, meta)
    assert (stage, status) == EXPECTED[name], (stage, status, detail if stage != "accepted" else "")
    if 400 <= status < 500:
        assert detail["error"]["code"] and len(detail["error"]["message"]) > 15, detail
    if stage == "accepted":
        _check_accepted(name, detail)
    assert_no_orphans()


def _check_accepted(name: str, detail: dict) -> None:
    shown = detail["record"]["filename"]
    assert shown == unicodedata.normalize("NFKC", shown) and 1 <= len(shown) <= 255
    assert "/" not in shown and not shown.startswith(".")
    assert not any(unicodedata.category(c).startswith("C") for c in shown), repr(shown)
    header = detail["disposition"]
    assert header.startswith("attachment;") and not any(ord(c) < 32 or ord(c) > 126 for c in header), header
    if name == "name_fullwidth.txt":
        assert shown == "memo.txt"
    if name == "name_traversal.txt":
        assert shown == "passwd"
    if name == "formula_cells.csv":  # a released record stays faithful: its formulas are not rewritten
        copy = detail["copy"]
        if copy.startswith(b"PK"):  # too short to carry marks: the original inside a receipt ZIP
            import zipfile
            archive = zipfile.ZipFile(io.BytesIO(copy))
            [copy] = [archive.read(n) for n in archive.namelist() if n.endswith(".csv")]
        text = copy.decode()
        for cell in ('=HYPERLINK(""http://evil.test"",""x"")', "+1+1", "-2+3", "@SUM(A1:A2)"):
            assert cell in text and "'" + cell not in text, cell
