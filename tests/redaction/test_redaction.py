"""Redaction in the app: drafts, apply into a redacted replacement, the release gate, the log, the API."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.auth.models import Role
from portal.core.errors import Conflict, Invalid, NotFound
from portal.disclosures.services import create_release
from portal.extensions import db
from portal.redaction import log, services
from portal.redaction.models import Redaction, RedactionRun
from portal.records.models import Disposition, Record
from tests import factories as f
from tests.redaction import samples
from tests.redaction.test_engine import MEMO, pdfium_text, pdfminer_text, pdftotext


def _memo(staff, req):
    return f.upload(staff, req, samples.text_pdf(MEMO), "memo.pdf")


@pytest.fixture
def patterns_not_screened(app):
    """The memo keeps an SSN and a phone number that these tests do not redact on purpose; with the
    built-in detectors on, the pre-release screen would (rightly) hold every release of it."""
    app.config.update(SCREENING_SSN=False, SCREENING_PHONE=False, SCREENING_DOB=False,
                      SCREENING_PERSONAL_EMAIL=False)


def test_drafts_block_release_until_applied_and_verified(ctx, patterns_not_screened):
    _, staff, requester, req = f.scenario()
    rec = _memo(staff, req)
    services.add(staff, rec.id, [{"kind": "term", "term": "john smith", "citation": "b6"},
                                 {"kind": "box", "page": 2, "x": 60, "y": 60, "width": 100, "height": 30,
                                  "citation": "b7c"}])
    f.commit()
    with pytest.raises(services.RedactionPending) as err:
        create_release(staff, req.id, [rec.id])
    assert err.value.status == 409 and err.value.code == "redaction_pending"
    db.session.rollback()

    run = services.apply(staff, rec.id)
    f.commit()
    assert run.verified, run.problems
    out = run.output
    assert out.replaces_id == rec.id and out.filename == "memo-redacted.pdf"
    assert db.session.get(Record, rec.id).disposition == Disposition.withhold
    data = services.read(out)
    for text in (pdftotext(data), pdfminer_text(data), pdfium_text(data)):
        assert "john" not in text.lower() and "JOHN" not in text and "memo about" in text.lower()
    release = create_release(staff, req.id, [out.id])
    f.commit()
    assert [r.id for r in release.records] == [out.id]
    with pytest.raises(Conflict):  # the original is withheld now
        create_release(staff, req.id, [rec.id])


def test_unverified_output_cannot_be_released(ctx, patterns_not_screened):
    _, staff, _, req = f.scenario()
    rec = _memo(staff, req)
    services.add(staff, rec.id, [{"kind": "term", "term": "weather", "citation": "b6"}])
    run = services.apply(staff, rec.id)
    run.verified, run.report = False, '{"problems": ["Redaction 1 (term) is still readable by pdftotext."]}'
    f.commit()
    with pytest.raises(services.RedactionUnverified) as err:
        create_release(staff, req.id, [run.output_record_id])
    assert "still readable" in err.value.message and err.value.code == "redaction_unverified"
    db.session.rollback()
    assert services.verify(staff, run.output_record_id).verified  # checking again clears it
    f.commit()
    create_release(staff, req.id, [run.output_record_id])


def test_the_log_matches_what_was_done(ctx):
    _, staff, requester, req = f.scenario()
    other = f.user(Role.staff, dept=req.department)
    rec = _memo(staff, req)
    made = services.add(staff, rec.id, [{"kind": "term", "term": "John Smith", "citation": "b6"},
                                        {"kind": "pattern", "pattern": "ssn", "citation": "b6"},
                                        {"kind": "page", "page": 2, "citation": "b7c"},
                                        {"kind": "box", "page": 1, "x": 10, "y": 10, "width": 5,
                                         "height": 5, "citation": "b5"}])
    services.withdraw(staff, made[3].id)
    run = services.apply(other, rec.id)
    f.commit()
    rows = log.entries(staff, run.output_record_id)
    assert [(r.kind, r.status.value, r.citation, r.matches) for r in rows] == [
        ("term", "applied", "b6", 3), ("pattern", "applied", "b6", 1), ("page", "applied", "b7c", 1),
        ("box", "withdrawn", "b5", None)]
    entry = log.entry_json(rows[0])
    assert entry["created_by"]["id"] == staff.id and entry["approved_by"]["id"] == other.id
    assert entry["term"] == "John Smith" and entry["output_record_id"] == run.output_record_id
    exported = list(csv.DictReader(io.StringIO(log.as_csv(rows))))
    assert [e["kind"] for e in exported] == ["term", "pattern", "page", "box"]
    assert exported[2]["page"] == "2" and exported[3]["box"] == "10.0 10.0 5.0 5.0"
    # The requester learns how much, and under what, never what.
    summary = log.summary_text(log.summaries([run.output_record_id])[run.output_record_id])
    assert summary == "4 redactions under exemption b6; 1 redaction under exemption b7c"
    # Every step is audited, without the redacted term.
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.subject == f"record:{rec.id}").order_by(AuditEntry.id)).all()
    assert actions.count("redaction.draft") == 4 and "redaction.withdraw" in actions
    assert "redaction.apply" in actions
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.data.contains("John Smith")))


def test_formula_cells_in_the_exported_log_are_escaped(ctx):
    _, staff, _, req = f.scenario()
    rec = _memo(staff, req)
    services.add(staff, rec.id, [{"kind": "term", "term": "=HYPERLINK(1)", "citation": "b6"}])
    exported = log.as_csv(log.entries(staff, rec.id))
    assert "'=HYPERLINK(1)" in exported


def test_spreadsheet_with_a_hidden_sheet(ctx):
    import openpyxl
    _, staff, _, req = f.scenario()
    rec = f.upload(staff, req, samples.workbook(), "roster.xlsx")
    services.add(staff, rec.id, [{"kind": "column", "column": "Badge", "citation": "b6"}])
    run = services.apply(staff, rec.id)
    f.commit()
    assert run.verified, run.problems
    wb = openpyxl.load_workbook(io.BytesIO(services.read(run.output)))
    assert wb.sheetnames == ["Roster"]


@pytest.mark.parametrize("item, field", [
    ({"kind": "box", "page": 1, "x": 500, "y": 700, "width": 200, "height": 200, "citation": "b6"}, "box"),
    ({"kind": "box", "page": 9, "x": 1, "y": 1, "width": 2, "height": 2, "citation": "b6"}, "page"),
    ({"kind": "box", "page": 1, "x": 1, "y": 1, "width": -2, "height": 2, "citation": "b6"}, "width"),
    ({"kind": "term", "term": "x", "citation": "not-a-law"}, "citation"),
    ({"kind": "pattern", "pattern": "dna", "citation": "b6"}, "pattern"),
    ({"kind": "column", "column": "A", "citation": "b6"}, "kind"),
])
def test_bad_redactions_are_refused_and_nothing_is_saved(ctx, item, field):
    _, staff, _, req = f.scenario()
    rec = _memo(staff, req)
    with pytest.raises(Invalid) as err:
        services.add(staff, rec.id, [item])
    assert field in err.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Redaction)) == 0


def test_api(app, client, patterns_not_screened):
    with app.app_context():
        _, staff, requester, req = f.scenario()
        outsider = f.user(Role.staff)
        rec = _memo(staff, req)
        auth, other, public = f.token_for(staff), f.token_for(outsider), f.token_for(requester)
        rec_id, req_id = rec.id, req.id
    base = f"/api/v1/records/{rec_id}"
    pages = client.get(f"{base}/pages", headers=auth).get_json()
    assert pages["pages"][0] == {"number": 1, "width": 612.0, "height": 792.0}
    r = client.post(f"{base}/redactions", headers=auth, json={"redactions": [
        {"kind": "term", "term": "John Smith", "citation": "b6"},
        {"kind": "box", "page": 1, "x": 72, "y": 100, "width": 100, "height": 20, "citation": "b6"}]})
    assert r.status_code == 201, r.get_json()
    assert [d["status"] for d in r.get_json()["redactions"]] == ["draft", "draft"]
    r = client.post(f"/api/v1/requests/{req_id}/releases", headers=auth, json={"record_ids": [rec_id]})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "redaction_pending"
    # Bad input: clear 4xx.
    r = client.post(f"{base}/redactions", headers=auth, json={"kind": "box", "page": 1, "x": 600, "y": 10,
                                                              "width": 50, "height": 5, "citation": "b6"})
    assert r.status_code == 400 and "box" in r.get_json()["error"]["fields"]
    assert client.post("/api/v1/records/999999/redactions", headers=auth,
                       json={"kind": "term", "term": "x", "citation": "b6"}).status_code == 404
    assert client.post(f"{base}/redactions", headers=public,
                       json={"kind": "term", "term": "x", "citation": "b6"}).status_code == 403
    assert client.post(f"{base}/redactions/apply", headers=other).status_code == 404
    assert client.get(f"{base}/redaction-log", headers=public).status_code == 403
    r = client.post(f"{base}/redactions/apply", headers=auth)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["run"]["verified"] is True and body["record"]["filename"] == "memo-redacted.pdf"
    out_id = body["record"]["id"]
    assert client.post(f"{base}/redactions/apply", headers=auth).status_code == 409  # nothing left
    assert client.post(f"/api/v1/records/{out_id}/verify", headers=auth).get_json()["verified"] is True
    assert client.post(f"{base}/verify", headers=auth).status_code == 400
    logged = client.get(f"/api/v1/records/{out_id}/redaction-log", headers=auth).get_json()
    assert [e["kind"] for e in logged] == ["term", "box"] and logged[0]["matches"] == 3
    exported = client.get(f"/api/v1/records/{out_id}/redaction-log?format=csv", headers=auth)
    assert exported.mimetype == "text/csv" and "John Smith" in exported.get_data(as_text=True)
    r = client.post(f"/api/v1/requests/{req_id}/releases", headers=auth, json={"record_ids": [out_id]})
    assert r.status_code == 201
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RedactionRun)) == 1


def test_pages_for_staff_and_the_requester_summary(app, client, patterns_not_screened):
    with app.app_context():
        _, staff, requester, req = f.scenario()
        rec = _memo(staff, req)
        rec_id, req_id, staff_email, requester_email = rec.id, req.id, staff.email, requester.email
    f.login(client, staff_email)
    page = client.get(f"/staff/records/{rec_id}/redact")
    assert page.status_code == 200 and b"redaction.js" in page.data and b"<script>" not in page.data
    png = client.get(f"/staff/records/{rec_id}/redact/preview/1.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    assert client.get(f"/staff/records/{rec_id}/redact/preview/7.png").status_code == 422
    url = f"/staff/records/{rec_id}/redact"
    r = f.post_form(client, url, f"/staff/records/{rec_id}/redactions",
                    {"kind": "term", "term": "John Smith", "citation": "b6", "as_boxes": "1"})
    assert r.status_code == 302
    r = f.post_form(client, url, f"/staff/records/{rec_id}/redactions",
                    {"kind": "box", "page": "1", "x": "700", "y": "1", "width": "5", "height": "5",
                     "citation": "b6"})
    assert r.status_code == 400 and b"outside the page" in r.data
    r = f.post_form(client, url, f"/staff/records/{rec_id}/redact/apply", {})
    assert r.status_code == 302
    with app.app_context():
        out = db.session.scalar(sa.select(Record).where(Record.replaces_id == rec_id))
        assert [red.kind for red in db.session.scalars(sa.select(Redaction))] == ["box"] * 3
        create_release(out.uploaded_by, req_id, [out.id])
        f.commit()
        out_id = out.id
    log_csv = client.get(f"/staff/records/{out_id}/redaction-log.csv")
    assert log_csv.status_code == 200 and log_csv.data.count(b"\r\n") == 4
    reader = app.test_client()
    f.login(reader, requester_email)
    files = reader.get("/me/files").get_data(as_text=True)
    assert "3 redactions under exemption b6" in files and "John" not in files
    assert reader.get(f"/staff/records/{rec_id}/redact").status_code == 403


def test_redacting_what_the_screen_found_lets_the_release_through(ctx):
    """Screening and redaction together: the SSN holds the original; its redacted copy is released."""
    from portal.screening.holds import ScreeningHold
    _, staff, _, req = f.scenario()
    rec = _memo(staff, req)
    f.commit()
    with pytest.raises(ScreeningHold) as held:
        create_release(staff, req.id, [rec.id])
    assert {m["kind"] for m in held.value.extra["matches"]} >= {"ssn"}
    db.session.rollback()
    services.add(staff, rec.id, [{"kind": "pattern", "pattern": "ssn", "citation": "b6"},
                                 {"kind": "pattern", "pattern": "phone", "citation": "b6"}])
    run = services.apply(staff, rec.id)
    f.commit()
    assert run.verified, run.problems
    release = create_release(staff, req.id, [run.output.id])
    f.commit()
    assert [r.id for r in release.records] == [run.output.id]


def test_protected_list_terms_and_dates_of_birth_are_redacted_in_any_spelling(ctx):
    """The "protected" pattern redacts what the screen's lists match (any case, accents, name order)."""
    from portal.screening import lists
    admin = f.user(Role.admin)
    lists.add_terms(admin, "Undercover assignments", ["Dana Whitfield"])
    _, staff, _, req = f.scenario()
    rec = f.upload(staff, req, samples.text_pdf([["Roster of the vice unit.", "WHITFIELD, Dana (badge 4471)",
                                                  "DOB: 04/12/1981", "Morales, Ann is on patrol."]]), "roster.pdf")
    services.add(staff, rec.id, [{"kind": "pattern", "pattern": "protected", "citation": "b7c"},
                                 {"kind": "pattern", "pattern": "dob", "citation": "b6"}])
    run = services.apply(staff, rec.id)
    f.commit()
    assert run.verified, run.problems
    data = services.read(run.output)
    for text in (pdftotext(data), pdfminer_text(data), pdfium_text(data)):
        assert "whitfield" not in text.lower() and "1981" not in text
        assert "Morales" in text and "vice unit" in text
    assert sorted(r.matches for r in db.session.scalars(sa.select(Redaction))) == [1, 1]
