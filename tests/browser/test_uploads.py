"""Several files at once, with a progress bar while they go up."""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.records.models import Record
from tests import factories as f

pytestmark = pytest.mark.timeout(180)


def test_staff_see_the_progress_of_several_files_going_up(ctx, live, actors, tmp_path):
    _, staff, _, req = f.scenario()
    clerk = actors("staff")
    clerk.log_in(staff.email, f.PASSWORD)
    clerk.goto(f"/staff/requests/{req.id}/records")
    page = clerk.page
    files = []
    for n, size in ((1, 600_000), (2, 400_000)):
        path = tmp_path / f"scan-{n}.txt"
        path.write_bytes(b"Inspection log line\n" * (size // 20) + os.urandom(8).hex().encode())
        files.append(str(path))
    # A slow uplink, so the bar has time to move (Chrome DevTools network emulation).
    cdp = clerk.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions",
             {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 250_000})
    page.locator("input[type=file]").set_input_files(files)
    page.get_by_role("button", name="Upload").click()
    status = page.locator("#upload-progress [data-status]")
    page.wait_for_function(
        "() => { const p = document.querySelector('#upload-progress progress');"
        " return p && p.value > 0 && p.value < 100; }")
    assert "scan-1.txt" in page.locator("#upload-progress").inner_text()
    assert "Sent" in status.inner_text()
    page.wait_for_url(f"**/staff/requests/{req.id}/records", wait_until="load")
    page.get_by_label("Release scan-2.txt").wait_for()
    db.session.expire_all()
    assert sorted(db.session.scalars(sa.select(Record.filename))) == ["scan-1.txt", "scan-2.txt"]


def test_a_refused_upload_shows_the_portals_message(ctx, live, actors, tmp_path):
    _, staff, _, req = f.scenario()
    clerk = actors("staff")
    clerk.log_in(staff.email, f.PASSWORD)
    clerk.goto(f"/staff/requests/{req.id}/records")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    clerk.page.locator("input[type=file]").set_input_files(str(empty))
    clerk.page.get_by_role("button", name="Upload").click()
    clerk.page.locator(".alert").wait_for()
    assert "empty" in clerk.page.locator(".alert").inner_text().lower()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Record)) == 0
