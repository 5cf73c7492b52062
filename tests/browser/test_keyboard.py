"""The filing form works with the keyboard alone, and focus is always visible."""
from __future__ import annotations

import pytest

from tests import factories as f

pytestmark = pytest.mark.timeout(120)


def test_an_anonymous_visitor_files_a_request_with_the_keyboard_alone(ctx, live, actors, a11y, mailbox):
    f.department("parks")
    visitor = actors("visitor")
    visitor.goto("/requests/new")
    page = visitor.page
    values = {"name": "Kim Keyboard", "email": "kim@example.org", "department": "Parks",
              "title": "Tree inspections", "description": "Every tree inspection report of 2025."}
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const el = document.activeElement;
            const label = el.labels && el.labels.length ? el.labels[0].innerText.trim() : '';
            return {id: el.id, name: el.name || '', tag: el.tagName, type: el.type || '', label: label,
                    outline: getComputedStyle(el).outlineStyle};
        }""")
        assert focused["outline"] != "none", f"focus is invisible on {focused}"
        if focused["type"] == "checkbox" and focused["name"] == "department" and focused["label"] == values["department"]:
            page.keyboard.press("Space")  # a department is a checkbox: Space ticks it
            reached.add("department")
        elif focused["id"] in values and focused["id"] not in reached:
            reached.add(focused["id"])
            page.keyboard.type(values[focused["id"]])  # on a <select>, typing picks the option
        if focused["name"] == "submit":
            page.keyboard.press("Enter")
            break
    else:
        pytest.fail("the submit button was never reached with Tab")
    page.wait_for_load_state()
    assert reached == set(values), f"not reachable by keyboard: {set(values) - reached}"
    assert "Check your e-mail" in page.inner_text("main"), page.inner_text("main")[:400]
    assert mailbox.to("kim@example.org")
    a11y(page)
    assert not a11y.found, "\n".join(a11y.found)
