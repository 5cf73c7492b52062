"""Issue 23's pages, walked by each role on a phone and on a desktop: every page passes axe-core (no
serious or critical violation) and never scrolls sideways; releasing and revoking are done with
the keyboard alone."""
from __future__ import annotations

from datetime import timedelta

import pytest

from portal.auth.models import Role
from portal.clawback import campaigns
from portal.core.models import utcnow
from portal.extensions import db
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.screening.cast import released_and_held

pytestmark = pytest.mark.timeout(300)
VIEWPORTS = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 900}}


def _world():
    admin, staff, second, requester, req, roster, memo, rel = released_and_held()
    campaigns.open_campaign(admin, sha256s=[memo.sha256], reason="Names a witness",
                            respond_by=(utcnow() + timedelta(days=14)).date())
    f.commit()
    return admin, staff, requester, req, memo, rel


def _walk(chromium, live, a11y, viewport: str, email: str, paths: list[str], shots: dict | None = None) -> None:
    """Log in as `email` and visit `paths`; with PORTAL_SCREENSHOTS, keep the desktop pages named in
    `shots` (path -> file name) for docs/screenshots."""
    phone = viewport == "phone"
    context = chromium.new_context(base_url=live, viewport=VIEWPORTS[viewport], is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/login")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(f.PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status < 400, f"GET {path} -> {response and response.status}"
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a {viewport}"
            a11y(page)
            if SCREENSHOTS and viewport == "desktop" and path in (shots or {}):
                page.screenshot(path=f"{SCREENSHOTS}/{shots[path]}.png", full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_each_role_walks_its_pages(ctx, live, chromium, a11y, viewport):
    admin, staff, requester, req, memo, rel = _world()
    _walk(chromium, live, a11y, viewport, requester.email,
          ["/my/requests", f"/requests/{req.id}", f"/requests/{req.id}/withdraw", "/me/notices",
           "/privacy", "/accessibility"], shots={"/my/requests": "21-my-requests-steps"})
    _walk(chromium, live, a11y, viewport, staff.email,
          ["/staff", f"/requests/{req.id}", f"/staff/requests/{req.id}/records", f"/staff/files/{memo.sha256}",
           f"/staff/releases/{rel.id}/revoke", "/staff/metrics/disclosures"],
          shots={"/staff": "22-staff-workspace", f"/requests/{req.id}": "23-request-workspace",
                 f"/staff/releases/{rel.id}/revoke": "24-revoke-confirmation",
                 "/staff/metrics/disclosures": "25-disclosure-metrics"})
    _walk(chromium, live, a11y, viewport, admin.email,
          ["/admin/overview", "/admin/audit/", f"/admin/clawbacks?sha256={memo.sha256}",
           f"/staff/files/{memo.sha256}/revoke", f"/admin/users/{requester.id}",
           f"/staff/recipients/{requester.id}/revoke", "/staff/metrics/disclosures"],
          shots={"/admin/overview": "26-admin-overview", "/admin/audit/": "27-audit-log"})
    assert not a11y.found, "\n".join(a11y.found)


def _tab_to(page, test: str, limit: int = 120) -> dict:
    """Press Tab until the focused element satisfies `test` (a JS predicate over `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        found = page.evaluate(f"""() => {{ const el = document.activeElement;
            return ({test}) ? {{tag: el.tagName, text: (el.innerText || el.value || '').trim(),
                               outline: getComputedStyle(el).outlineStyle}} : null; }}""")
        if found:
            assert found["outline"] != "none", f"focus is invisible on {found}"
            return found
    pytest.fail(f"never reached with Tab: {test}")


def test_staff_release_and_revoke_with_the_keyboard_alone(ctx, live, actors, a11y, mailbox):
    from portal.disclosures.models import Grant
    from tests.disclosures import samples
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, samples.text(), filename="minutes.txt")
    clerk = actors("staff")
    clerk.log_in(staff.email, f.PASSWORD)
    page = clerk.page
    clerk.goto(f"/staff/requests/{req.id}/records")
    _tab_to(page, f"el.id === 'rec-{rec.id}'")
    page.keyboard.press("Space")
    _tab_to(page, "el.tagName === 'BUTTON' && el.innerText.trim() === 'Release'")
    with page.expect_navigation():  # Enter starts a navigation: wait for it, not for the page we are on
        page.keyboard.press("Enter")
    assert "Released 1 record(s)" in page.inner_text("main")
    db.session.expire_all()
    assert db.session.scalar(db.select(Grant).where(Grant.record_id == rec.id)) is not None

    clerk.goto(f"/staff/files/{rec.sha256}")
    _tab_to(page, "el.tagName === 'A' && el.innerText.trim() === 'Revoke everywhere…'")
    with page.expect_navigation():  # Enter starts a navigation: wait for it, not for the page we are on
        page.keyboard.press("Enter")
    assert "1 download link stops working at once" in page.inner_text("main")
    a11y(page)
    _tab_to(page, "el.name === 'reason'")
    page.keyboard.type("Released to the wrong request")
    _tab_to(page, "el.tagName === 'BUTTON' && el.classList.contains('danger')")
    with page.expect_navigation():  # Enter starts a navigation: wait for it, not for the page we are on
        page.keyboard.press("Enter")
    assert "1 download link(s) revoked" in page.inner_text("main")
    db.session.expire_all()
    assert db.session.scalar(db.select(Grant.revoked_at).where(Grant.record_id == rec.id)) is not None
    assert "Released to the wrong request" in mailbox.last_body(requester.email)
    assert not a11y.found, "\n".join(a11y.found)


def test_the_audit_log_fits_a_desktop_screen(ctx, live, actors):
    from portal import audit
    admin = f.user(Role.admin)
    audit.record(admin, "grant.revoke", "file:" + "ab" * 32,  # what made the page 4,493 px wide
                 {"scope": "file", "reason": "wrong " * 80, "grants": list(range(400)), "sha256s": ["cd" * 32] * 6})
    f.commit()
    clerk = actors("admin")
    clerk.log_in(admin.email, f.PASSWORD)
    clerk.goto("/admin/audit/")
    width = clerk.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1280, f"the audit log is {width}px wide at 1280px"
