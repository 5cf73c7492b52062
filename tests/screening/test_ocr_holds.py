"""Issue 20: OCR and faces through the release: scanned pages and photos are read before anything
leaves; long OCR holds the release ("screening in progress") and the worker clears or keeps it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.disclosures.models import Grant, Release
from portal.disclosures.services import create_release
from portal.extensions import db
from portal.jobs.services import run_one
from portal import worker  # noqa: F401  (registers the job handlers, as `flask worker` does)
from portal.screening import lists
from portal.screening.holds import ScreeningHold
from portal.screening.models import Hold, HoldStatus
from tests import factories as f
from tests.screening import pictures

NAME = "Quintessa Marlowe-Vance"


def _cast():
    admin = f.user(Role.admin)
    lists.add_terms(admin, "Undercover", [NAME])
    dept, staff, requester, req = f.scenario()
    f.commit()
    return staff, req


def _held(staff, req, rec_ids) -> Hold:
    with pytest.raises(ScreeningHold) as held:
        create_release(staff, req.id, rec_ids)
    f.commit()
    return db.session.get(Hold, held.value.hold_id)


def _work():
    from portal.jobs.models import Job
    while run_one():
        pass
    db.session.expire_all()
    errors = [j.error for j in db.session.scalars(sa.select(Job)) if j.error]
    assert not errors, errors


def test_a_scanned_pdf_is_held_while_read_and_the_worker_names_page_17(ctx, backend):
    if backend["kind"] == "postgres":
        pytest.skip("20 pages of OCR once is enough: the hold and the job run on PostgreSQL in the next test")
    staff, req = _cast()
    pages = [pictures.filler(4, seed=n) for n in range(20)]
    pages[16] = ["Duty roster for the night shift", f"Officer {NAME}", "Unit 7, north district"]
    rec = f.upload(staff, req, pictures.scanned_pdf(pages), "scan.pdf")
    hold = _held(staff, req, [rec.id])
    assert [m["kind"] for m in hold.matches] == ["screening_in_progress"]
    _work()
    hold = db.session.get(Hold, hold.id)
    assert hold.status == HoldStatus.open     # a name was found: a second person must look
    found = [m for m in hold.matches if m["kind"] == "protected"]
    assert found and all(m["where"].startswith("page 17 (OCR), box ") for m in found)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Release)) == 0


def test_a_hold_that_only_waited_for_the_screen_clears_by_itself(ctx):
    staff, req = _cast()
    pages = [pictures.filler(2, seed=n) for n in range(5)]     # one page over the inline budget
    rec = f.upload(staff, req, pictures.scanned_pdf(pages, dpi=150), "minutes.pdf")
    hold = _held(staff, req, [rec.id])
    _work()
    hold = db.session.get(Hold, hold.id)
    assert hold.status == HoldStatus.cleared and hold.release_id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Grant)) == 1


def test_a_photo_of_a_name_plate_is_held(ctx):
    staff, req = _cast()
    rec = f.upload(staff, req, pictures.name_plate(NAME), "door.jpg")
    hold = _held(staff, req, [rec.id])
    found = [m for m in hold.matches if m["kind"] == "protected"]
    assert found and found[0]["where"].startswith("picture (OCR), box ")


def test_ocr_that_cannot_run_holds_with_a_reason(ctx, monkeypatch):
    staff, req = _cast()
    monkeypatch.setenv("PATH", "/nonexistent")     # no tesseract: OCR fails for real
    rec = f.upload(staff, req, pictures.name_plate("Plain Words"), "door.jpg")
    hold = _held(staff, req, [rec.id])
    [item] = hold.matches
    assert item["kind"] == "ocr_failed" and item["detail"]


@pytest.mark.parametrize("photos, held", [(30, True), (5, False)])
def test_many_face_photos_to_a_requester_are_held(ctx, app, photos, held):
    app.config["SCREENING_OCR"] = False     # faces alone: OCR has its own tests
    staff, req = _cast()
    ids = [f.upload(staff, req, data, f"officer-{n}.jpg").id for n, data in enumerate(pictures.face_photos(photos))]
    if not held:
        assert create_release(staff, req.id, ids).id
        return
    hold = _held(staff, req, ids)
    [item] = hold.matches
    assert item["kind"] == "faces" and len(item["face_record_ids"]) > 20
    return hold


def test_the_hold_page_shows_the_faces_and_a_contact_sheet(ctx, app, client):
    app.config["SCREENING_OCR"] = False
    staff, req = _cast()
    second = f.user(Role.staff, dept=req.department)
    f.commit()
    ids = [f.upload(staff, req, data, f"officer-{n}.jpg").id for n, data in enumerate(pictures.face_photos(22))]
    hold = _held(staff, req, ids)
    f.login(client, second.email)
    page = client.get(f"/staff/holds/{hold.id}").get_data(as_text=True)
    assert "Photos showing faces" in page and "22 photos show faces" in page
    sheet = client.get(f"/staff/holds/{hold.id}/faces.png")
    assert sheet.status_code == 200 and sheet.mimetype == "image/png" and sheet.data[:4] == b"\x89PNG"
    from PIL import Image
    import io
    assert Image.open(io.BytesIO(sheet.data)).width > 96 * 10


def test_the_hold_page_says_the_worker_is_reading(ctx, client):
    staff, req = _cast()
    second = f.user(Role.staff, dept=req.department)
    f.commit()
    pages = [pictures.filler(2, seed=n) for n in range(5)]
    rec = f.upload(staff, req, pictures.scanned_pdf(pages, dpi=150), "minutes.pdf")
    hold = _held(staff, req, [rec.id])
    f.login(client, second.email)
    page = client.get(f"/staff/holds/{hold.id}").get_data(as_text=True)
    assert "Screening in progress" in page and "Queued; attempt 1 of 3." in page
