"""The whole story in a real browser: a requester files, staff release, the requester downloads,
an admin revokes and recalls, the requester certifies deletion, the admin attributes a leaked copy.

Every page on the way is checked with axe-core: no serious or critical violation.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pypdf
import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.disclosures.models import Delivery, Grant
from portal.extensions import db
from portal.records.models import Record
from tests import factories as f
from tests.disclosures import samples

pytestmark = pytest.mark.timeout(300)


def _mail_link(mailbox, address: str, path_prefix: str, base: str) -> str:
    body = mailbox.last_body(address)
    found = re.search(re.escape(base) + r"(" + re.escape(path_prefix) + r"[^\s\"'<>]+)", body)
    assert found, f"no {path_prefix} link in the mail to {address}: {body[:500]}"
    return found.group(1)


def test_the_whole_story(ctx, live, actors, a11y, mailbox, tmp_path):
    dept = f.department("police")
    staff = f.user(Role.staff, dept=dept, email="clerk@city.example")
    admin = f.user(Role.admin, email="counsel@city.example")

    # -- an admin keeps a protected list: names that must never leave without a second look ---
    counsel = actors("admin")
    counsel.log_in(admin.email, f.PASSWORD)
    counsel.goto("/admin/protected-lists")
    counsel.page.get_by_label("List name").fill("Undercover assignments")
    counsel.page.get_by_role("button", name="Create list").click()
    counsel.page.wait_for_load_state()
    counsel.page.get_by_label(re.compile("^Terms, one per line")).fill("Dana Whitfield\nBadge 4471")
    counsel.page.get_by_role("button", name="Add", exact=True).click()
    counsel.page.wait_for_load_state()
    a11y(counsel.page)
    counsel.shot("00-protected-list")

    # -- a member of the public registers, confirms the address and files a request ---------
    requester = actors("requester")
    requester.goto("/")
    requester.shot("01-home")
    requester.goto("/register")
    page = requester.page
    page.get_by_label("Your name").fill("Rosa Reporter")
    page.get_by_label("E-mail address").fill("rosa@news.example")
    page.get_by_label("Password (at least 10 characters)").fill(f.PASSWORD)
    page.get_by_label("Repeat the password").fill(f.PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    page.wait_for_load_state()
    a11y(page)
    requester.goto(_mail_link(mailbox, "rosa@news.example", "/verify/", live))
    requester.log_in("rosa@news.example", f.PASSWORD)

    requester.goto("/requests/new")
    page.get_by_label("Police").check()
    page.get_by_label("A short title").fill("Use-of-force reports 2025")
    page.get_by_label(re.compile("The records you want")).fill("All use-of-force reports filed in 2025, with the officers' names.")
    requester.shot("02-file-a-request")
    page.get_by_role("button", name="File the request").click()
    page.wait_for_load_state()
    a11y(page)
    tracking = re.search(r"\d{4}-\d+", page.inner_text("main"))
    assert tracking, page.inner_text("main")[:500]
    tracking = tracking.group(0)
    requester.goto("/my/requests")
    assert "Use-of-force reports 2025" in page.inner_text("main")
    requester.shot("03-my-requests")

    # -- staff acknowledge, upload and release ----------------------------------------------
    clerk = actors("staff")
    clerk.log_in(staff.email, f.PASSWORD)
    clerk.goto("/staff/requests")
    clerk.shot("04-staff-queue")
    clerk.page.get_by_role("row", name=re.compile("Use-of-force reports 2025")).get_by_role("link", name=tracking).click()
    clerk.page.wait_for_load_state()
    a11y(clerk.page)
    clerk.page.get_by_role("button", name="Acknowledge").click()
    clerk.page.wait_for_load_state()
    assert "Acknowledge" in clerk.page.inner_text("main")
    clerk.shot("05-staff-request")
    clerk.page.get_by_role("link", name="Responsive records and releases").click()
    clerk.page.wait_for_load_state()
    a11y(clerk.page)
    report = tmp_path / "use-of-force-2025.pdf"
    report.write_bytes(samples.pdf(pages=3))
    roster = tmp_path / "officers-involved.csv"
    roster.write_bytes(b"last,first,unit\r\nMorales,Ann,Patrol\r\nWhitfield,Dana,Vice\r\n")
    clerk.page.locator("input[type=file]").set_input_files([str(report), str(roster)])
    clerk.page.get_by_role("button", name="Upload").click()
    clerk.page.get_by_label("Release officers-involved.csv").wait_for()
    clerk.page.get_by_label("Release use-of-force-2025.pdf").check()
    clerk.page.get_by_label("Release officers-involved.csv").check()
    clerk.shot("06-staff-records")
    clerk.page.get_by_role("button", name="Preview release").click()
    clerk.page.wait_for_load_state()
    a11y(clerk.page)
    preview = clerk.page.inner_text("main")
    assert "Rosa Reporter" in preview or "rosa@news.example" in preview
    assert "Whitfield" in preview, "the preview shows the screening result of each file"
    clerk.shot("07-release-preview")
    # The screen holds the release: the roster names an officer on the protected list.
    clerk.goto(f"/staff/requests/{db.session.scalar(sa.select(Record.request_id))}/records")
    clerk.page.get_by_label("Release use-of-force-2025.pdf").check()
    clerk.page.get_by_label("Release officers-involved.csv").check()
    clerk.page.get_by_role("button", name="Release", exact=True).click()
    clerk.page.wait_for_load_state()
    a11y(clerk.page)
    held = clerk.page.inner_text("main")
    assert "Nothing has been released" in held and "Whitfield" in held
    assert "a second staff member of the department or an administrator must approve" in held
    clerk.shot("08-held-release")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Grant)) == 0
    assert not mailbox.to("rosa@news.example") or "released" not in mailbox.last_body("rosa@news.example").lower()
    clerk.page.get_by_label(re.compile("^Why")).fill("The roster names an officer on an undercover assignment; it is withheld.")
    clerk.page.get_by_role("button", name=re.compile("Dismiss")).click()
    clerk.page.wait_for_load_state()
    clerk.goto(f"/staff/requests/{db.session.scalar(sa.select(Record.request_id))}/records")
    clerk.page.get_by_label("Release use-of-force-2025.pdf").check()
    clerk.page.get_by_role("button", name="Release", exact=True).click()
    clerk.page.wait_for_load_state()
    a11y(clerk.page)
    assert "Released 1 record" in clerk.page.inner_text("main")

    # -- the requester downloads their own marked copy ---------------------------------------
    requester.goto("/me/files")
    requester.shot("09-your-files")
    code = page.locator("table code").first.inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="use-of-force-2025.pdf").click()
    download = info.value
    copy = tmp_path / "downloaded.pdf"
    download.save_as(str(copy))
    data = copy.read_bytes()
    assert data.startswith(b"%PDF") and data != report.read_bytes()
    text = "".join(p.extract_text() or "" for p in pypdf.PdfReader(copy).pages)
    assert code in text, "the copy carries the requester's disclosure code"
    db.session.expire_all()
    delivery = db.session.scalar(sa.select(Delivery))
    assert delivery is not None and delivery.completed
    import hashlib
    assert delivery.sha256 == hashlib.sha256(data).hexdigest(), "the log names the exact bytes received"
    requester.goto("/me/files")
    assert " from 127.0.0.1" in page.inner_text("main")

    # -- an admin finds who has the file, recalls it ----------------------------------------
    sha = db.session.scalar(sa.select(Record).where(Record.filename == "use-of-force-2025.pdf")).sha256
    counsel.goto(f"/staff/files/{sha}")
    assert "rosa@news.example" in counsel.page.inner_text("main")
    counsel.shot("10-who-has-this-file")
    counsel.goto("/admin/clawbacks")
    counsel.page.get_by_label(re.compile("Files released in error")).fill(sha)
    counsel.page.get_by_label(re.compile("Why they are being recalled")).fill(
        "The reports name officers on undercover assignments.")
    counsel.page.get_by_label("Respond by").fill((date.today() + timedelta(days=14)).isoformat())
    counsel.page.get_by_role("button", name="Revoke and notify").click()
    counsel.page.wait_for_load_state()
    a11y(counsel.page)
    counsel.shot("11-clawback-campaign")
    db.session.expire_all()
    assert db.session.scalar(sa.select(Grant.revoked_at)) is not None
    assert mailbox.to("rosa@news.example")

    # -- the requester sees the withdrawal and certifies deletion --------------------------
    requester.goto("/me/files")
    assert "Withdrawn" in page.inner_text("main")
    requester.goto("/me/notices")
    page.get_by_role("main").get_by_role("link", name=re.compile("use-of-force-2025.pdf")).click()
    page.wait_for_load_state()
    a11y(page)
    requester.shot("12-clawback-notice")
    page.get_by_role("radio", name=re.compile("I certify")).check()
    page.get_by_label(re.compile("Your attestation or statement")).fill("I deleted every copy on 28 November.")
    page.get_by_role("button", name="Send my answer").click()
    page.wait_for_load_state()
    assert re.search("certified", page.inner_text("main"), re.I)

    # -- the admin sees the campaign complete and attributes a leaked copy -----------------
    counsel.goto("/admin/clawbacks")
    assert "complete" in counsel.page.inner_text("main")
    counsel.page.get_by_role("link", name=re.compile(r"\d{1,2} \w{3} \d{4}")).first.click()
    counsel.page.wait_for_load_state()
    a11y(counsel.page)
    assert "I deleted every copy" in counsel.page.inner_text("main")
    counsel.goto("/admin/attribute")
    counsel.page.locator("input[type=file]").set_input_files(str(copy))
    counsel.page.get_by_role("button", name="Attribute").click()
    counsel.page.wait_for_load_state()
    a11y(counsel.page)
    counsel.shot("13-attribution")
    result = counsel.page.inner_text("main")
    assert "rosa@news.example" in result and code in result

    assert not a11y.found, "accessibility violations:\n" + "\n".join(a11y.found)


def test_the_accessibility_check_catches_a_real_violation(chromium, a11y):
    """The journey's check is only worth something if it fails on a bad page."""
    page = chromium.new_page()
    page.set_content('<!doctype html><html lang="en"><title>t</title><main><form>'
                     '<input type="text" name="q"><button></button></form>'
                     '<p style="color:#bbb;background:#fff">faint</p></main></html>')
    a11y(page)
    page.close()
    assert any("label" in v for v in a11y.found) and any("color-contrast" in v for v in a11y.found)
