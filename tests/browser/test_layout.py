"""A layout that works on a phone, and a request page that prints cleanly."""
from __future__ import annotations

import pytest

from tests import factories as f

pytestmark = pytest.mark.timeout(120)


def test_public_pages_fit_a_phone_screen(ctx, live, chromium, a11y):
    _, _, requester, req = f.scenario()
    context = chromium.new_context(base_url=live, viewport={"width": 375, "height": 740}, is_mobile=True,
                                   has_touch=True)
    page = context.new_page()
    try:
        for path in ["/", "/requests/new", "/log", "/library", "/login", "/register"]:
            page.goto(path)
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
            a11y(page)
        page.goto("/login")
        page.get_by_label("E-mail address").fill(requester.email)
        page.get_by_label("Password").fill(f.PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        for path in ["/my/requests", f"/requests/{req.id}", "/me/files", "/me/notices", "/account"]:
            page.goto(path)
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
            a11y(page)
    finally:
        context.close()
    assert not a11y.found, "\n".join(a11y.found)


def test_the_request_page_prints_without_forms_or_navigation(ctx, live, actors):
    _, staff, _, req = f.scenario()
    clerk = actors("staff")
    clerk.log_in(staff.email, f.PASSWORD)
    clerk.goto(f"/requests/{req.id}")
    page = clerk.page
    assert page.locator("form.action").first.is_visible()
    page.emulate_media(media="print")
    assert not page.locator("form.action").first.is_visible()
    assert not page.locator("nav").first.is_visible()
    assert page.locator(".timeline").is_visible() and page.locator("h1").is_visible()
    assert f"/requests/{req.id}" in page.locator(".print-only").inner_text()
    assert req.tracking_number in page.locator("h1").inner_text()
    pdf = page.pdf()  # Chromium's own print path works on the page
    assert pdf.startswith(b"%PDF")


def test_a_visitor_switches_the_public_pages_to_spanish(ctx, live, actors, a11y):
    f.department("parks")
    visitor = actors("visitor")
    visitor.goto("/requests/new")
    page = visitor.page
    page.get_by_role("link", name="Español").click()
    page.wait_for_load_state()
    assert page.url.endswith("/requests/new"), "the switch returns to the same page"
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", level=1).inner_text() == "Presentar una solicitud de documentos"
    assert "Departamentos que conservan los documentos" in page.inner_text("main")
    a11y(page)
    visitor.shot("14-spanish-filing-form")
    visitor.goto("/log")
    assert "Registro público de solicitudes" in page.inner_text("h1")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert not a11y.found, "\n".join(a11y.found)
