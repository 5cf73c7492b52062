"""Browser fixtures: the portal served on loopback by a real HTTP server, driven by Debian's Chromium.

Chromium comes from Debian (`apt-get install chromium`, done by .ci/run); Playwright only drives
it, so nothing is downloaded. Each actor gets its own browser context (its own cookies).
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

from tests.conftest import unavailable

CHROMIUM = os.environ.get("PORTAL_TEST_CHROMIUM", "/usr/bin/chromium")
# Flags that keep Chromium quiet on a machine without internet (no background connections).
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
SCREENSHOTS = os.environ.get("PORTAL_SCREENSHOTS")  # a folder: the journey saves its key pages there


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        unavailable(f"Playwright is not installed: {exc}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live(app):
    """The app served by werkzeug's threaded server on a free loopback port; yields its base URL."""
    from werkzeug.serving import make_server

    app.config["BASE_URL"] = "http://placeholder"  # replaced below once the port is known
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base  # links in e-mails point at this server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join(10)


class Actor:
    """One person in their own browser context, with helpers for what every page needs."""

    def __init__(self, browser, base: str, name: str, checker):
        self.context = browser.new_context(base_url=base, accept_downloads=True, viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.name, self.base, self.check = name, base, checker

    def goto(self, path: str):
        response = self.page.goto(path)
        assert response is not None and response.status < 400, f"{self.name}: GET {path} -> {response and response.status}"
        self.check(self.page)
        return response

    def log_in(self, email: str, password: str):
        self.goto("/login")
        self.page.get_by_label("E-mail address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name=re.compile("Log in", re.I)).click()
        self.page.wait_for_load_state()
        assert "/login" not in self.page.url, f"{self.name} could not log in: {self.page.inner_text('main')[:300]}"

    def shot(self, name: str) -> None:
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def a11y():
    """Runs axe-core on a page; collects serious and critical violations with the page's URL."""
    from axe_playwright_python.sync_playwright import Axe

    axe, found = Axe(), []

    def check(page) -> None:
        result = axe.run(page)
        for violation in result.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in violation["nodes"]][:3]
                found.append(f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']} {targets}")

    check.found = found
    return check


@pytest.fixture
def actors(chromium, live, a11y):
    made = []

    def make(name: str) -> Actor:
        actor = Actor(chromium, live, name, a11y)
        made.append(actor)
        return actor

    yield make
    for actor in made:
        actor.context.close()
