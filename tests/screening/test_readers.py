"""Every hiding place of every file type, on crafted files; hostile files give a finding."""
import pytest

from portal.screening.detectors import Builtins
from portal.screening.matcher import Matcher
from portal.screening.engine import Policy, screen_file
from portal.screening.readers import Limits
from tests.screening import samples

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
HOLDS = frozenset("hidden_sheet very_hidden_sheet hidden_rows hidden_columns comments external_links "
                  "tracked_changes gps pdf_revisions text_under_box embedded_file javascript unreadable "
                  "too_large".split())
POLICY = Policy(Matcher([("Jane Roe", "Undercover"), ("Badge 4471", "Undercover")]), Builtins(),
                Limits(), HOLDS)


def _screen(data, content_type, policy=POLICY):
    return screen_file(data, content_type, policy)


def _protected(result):
    return sorted((m["where"], m["text"]) for m in result["matches"] if m["kind"] == "protected")


def _kinds(result):
    return {f["kind"]: f for f in result["findings"]}


# -- PDF --------------------------------------------------------------------------------------------

def test_pdf_text_under_a_black_box_is_found_and_matched():
    result = _screen(samples.pdf(["Incident report"], boxed="Officer Jane Roe"), PDF)
    assert result["flagged"]
    assert _kinds(result)["text_under_box"]["where"] == "page 1"
    assert "Jane Roe" in _kinds(result)["text_under_box"]["detail"]
    assert _protected(result) == [("page 1", "Jane Roe")]


def test_pdf_text_under_a_white_box_is_not_a_failed_redaction():
    result = _screen(samples.pdf(["Incident report"], boxed="Routine", box_gray=1.0), PDF)
    assert "text_under_box" not in _kinds(result) and not result["flagged"]


def test_pdf_term_only_in_an_earlier_revision():
    result = _screen(samples.pdf_revised("Officer Jane Roe", "Officer [withheld]"), PDF)
    assert "pdf_revisions" in _kinds(result)
    assert _protected(result) == [("revision 1, page 1 (since removed)", "Jane Roe")]


def test_pdf_annotations_javascript_and_embedded_files_recursively():
    inner = samples.xlsx(hidden="Badge 4471")
    data = samples.pdf_with_extras(comment="ask Jane Roe", javascript="app.alert('hi')",
                                   attachment=("roster.xlsx", inner))
    result = _screen(data, PDF)
    kinds = _kinds(result)
    assert {"comments", "javascript", "embedded_file"} <= set(kinds)
    assert ("annotation on page 1", "Jane Roe") in _protected(result)
    nested = [f for f in result["findings"] if f["kind"] == "hidden_sheet"]
    assert nested and nested[0]["where"].startswith("embedded file roster.xlsx")
    assert any(m["text"] == "Badge 4471" and "roster.xlsx" in m["where"] for m in result["matches"])


def test_a_plain_pdf_is_clean():
    result = _screen(samples.pdf(["Budget memo for 2025"]), PDF)
    assert result == {**result, "flagged": False, "matches": [], "findings": []}


# -- spreadsheets ---------------------------------------------------------------------------------------

def test_xlsx_hidden_and_very_hidden_sheets_are_read():
    result = _screen(samples.xlsx(hidden="Jane Roe", very_hidden="Badge 4471"), XLSX)
    kinds = _kinds(result)
    assert {"hidden_sheet", "very_hidden_sheet"} <= set(kinds)
    assert _protected(result) == [("hidden sheet!A1", "Jane Roe"), ("veryHidden sheet!A1", "Badge 4471")]


def test_xlsx_name_split_across_columns_in_either_order():
    rows = [["first", "last"], ["Jane", "Roe"], ["Roe", "Jane"], ["Bo", "Chen"]]
    result = _screen(samples.xlsx(rows=rows), XLSX)
    assert _protected(result) == [("Public!A2", "Jane | Roe"), ("Public!A3", "Roe | Jane")]


def test_xlsx_hidden_rows_columns_comments_names_and_links():
    data = samples.xlsx(hidden_row=2, hidden_col="C", comment=("B2", "Jane Roe is undercover"),
                        defined_name="Badge 4471", external_link=True)
    result = _screen(data, XLSX)
    kinds = _kinds(result)
    assert kinds["hidden_rows"]["detail"] == "rows 2"
    assert kinds["hidden_columns"]["detail"] == "columns C"
    assert kinds["comments"]["where"] == "Public!B2"
    assert "undercover-roster.xlsx" in kinds["external_links"]["detail"]
    assert "defined_names" in kinds
    assert ("comment at Public!B2", "Jane Roe") in _protected(result)
    assert ("defined name secret_name", "Badge 4471") in _protected(result)


def test_csv_cells_and_date_of_birth_column():
    data = b"name,DOB,unit\r\nJane,1981-04-12,Patrol\r\nBo Chen,1990-01-01,Traffic\r\n"
    result = _screen(data, "text/csv")
    dobs = [(m["where"], m["text"]) for m in result["matches"] if m["kind"] == "dob"]
    assert dobs == [("row 2, column B", "1981-04-12"), ("row 3, column B", "1990-01-01")]


def test_plain_text_builtins():
    result = _screen(b"Contact: jane.roe@yahoo.com, SSN 123-45-6789", "text/plain")
    # The address also spells a protected name: punctuation never hides a term.
    assert {m["kind"] for m in result["matches"]} == {"personal_email", "ssn", "protected"}


# -- documents --------------------------------------------------------------------------------------

def test_docx_header_comments_and_tracked_changes():
    data = samples.docx(header="Prepared for Jane Roe", comment="Badge 4471 confirmed",
                        deleted="Officer Jane Roe", inserted="An officer")
    result = _screen(data, DOCX)
    kinds = _kinds(result)
    assert "comments" in kinds and "tracked_changes" in kinds
    assert "Officer Jane Roe" in kinds["tracked_changes"]["detail"]
    assert _protected(result) == [("body (deleted text, tracked change)", "Jane Roe"),
                                  ("comments", "Badge 4471"), ("header1", "Jane Roe")]


# -- images -------------------------------------------------------------------------------------------

def test_photo_gps_exif_and_xmp():
    data = samples.jpeg(artist="Jane Roe", xmp='<x:xmpmeta xmlns:x="adobe:ns:meta/"><d>Badge 4471</d></x:xmpmeta>')
    result = _screen(data, "image/jpeg")
    kinds = _kinds(result)
    assert kinds["gps"]["detail"] == "34.05200, -118.24278" and kinds["gps"]["holds"]
    assert {"exif", "xmp"} <= set(kinds)
    assert _protected(result) == [("EXIF", "Jane Roe"), ("XMP", "Badge 4471")]


def test_png_text_chunks():
    assert _protected(_screen(samples.png_with_text("Jane Roe"), "image/png")) == [("image text fields and comments", "Jane Roe")]


# -- hostile files ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, content_type, words", [
    (samples.zip_bomb_xlsx(), XLSX, "zip bomb"),
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", PDF, "PDF"),
    (b"PK\x03\x04broken", DOCX, "package"),
    (b"\xff\xd8\xff\xe1 truncated", "image/jpeg", "image"),
    # a PNG header claiming 200,000 x 200,000 pixels: Pillow's DecompressionBombError was a 500
    (samples.png_header(200_000, 200_000), "image/png", "too many pixels"),
])
def test_hostile_or_broken_files_give_an_unreadable_finding(data, content_type, words):
    result = _screen(data, content_type)
    [finding] = result["findings"]
    assert finding["kind"] == "unreadable" and words in finding["detail"] and result["flagged"]


def test_too_large_is_a_finding_not_a_hang():
    policy = Policy(None, Builtins(), Limits(max_bytes=1000), HOLDS)
    result = _screen(b"x" * 5000, "text/plain", policy)
    assert result["findings"][0]["kind"] == "too_large" and result["flagged"]


def test_embedding_depth_is_bounded():
    data = samples.pdf(["x"])
    for i in range(5):
        data = samples.pdf_with_extras(attachment=(f"level{i}.pdf", data))
    result = _screen(data, PDF)
    assert any(f["kind"] == "unreadable" and "levels deep" in f["detail"] for f in result["findings"])


def test_a_workbook_too_large_to_load_is_a_finding():
    policy = Policy(None, Builtins(), Limits(max_sheet_xml=100), HOLDS)
    [finding] = _screen(samples.xlsx(), XLSX, policy)["findings"]
    assert finding["kind"] == "unreadable" and "bytes of XML" in finding["detail"]
