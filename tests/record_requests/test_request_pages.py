"""The request pages, driven as a browser without JavaScript would."""
import re

from portal.auth.models import Role, User
from portal.extensions import db
from portal.record_requests.models import RecordRequest, Status
from tests import factories as f
from tests.conftest import csrf_of


def _link(body: str, path: str) -> str:
    found = re.search(rf"http://portal\.test(/{path}/\S+)", body)
    assert found, body
    return found.group(1)


def _reload(req):
    db.session.expire_all()
    return db.session.get(RecordRequest, req.id)


def assert_plain_page(html: str):
    """Works without JavaScript, obeys the CSP (no style attributes), and labels every field."""
    assert "<script" not in html and "style=" not in html
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for tag in re.findall(r'<(?:input|select|textarea)[^>]*>', html):
        field_id = re.search(r'id="([^"]+)"', tag)
        if field_id and 'type="submit"' not in tag:
            assert f'for="{field_id.group(1)}"' in html, tag


FILING = {"department": "police", "title": "Body camera policy",
          "description": "The current body camera policy and its training materials.",
          "preferred_format": "electronic"}


def test_filing_without_an_account_by_magic_link(client, ctx, mailbox):
    f.department("police", law="foil")
    r = f.post_form(client, "/requests/new", "/requests/new",
                    FILING | {"name": "Pat Public", "email": "Pat@Example.org", "submit": "File the request"})
    assert r.status_code == 200 and "Check your e-mail" in r.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(RecordRequest)) == 0
    link = _link(mailbox.last_body("pat@example.org"), "requests/confirm")

    # Opening the link (as a mail scanner or a link preview does) files nothing and signs nobody in.
    preview = client.get(link)
    assert preview.status_code == 200 and "Body camera policy" in preview.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(RecordRequest)) == 0
    assert client.get("/my/requests").status_code == 302

    page = client.post(link, data={"csrf_token": csrf_of(client, link)})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Your request is filed" in html
    assert_plain_page(html)
    req = db.session.scalar(db.select(RecordRequest))
    assert req.tracking_number in html and re.fullmatch(r"\d{4}-\d{6}", req.tracking_number)
    user = db.session.get(User, req.requester_id)
    assert user.email == "pat@example.org" and user.password_hash is None and user.email_verified_at
    assert "Acknowledgment due by" in html  # FOIL: the first deadline is the acknowledgment
    assert req.tracking_number in mailbox.last_body("pat@example.org")
    assert client.get("/my/requests").status_code == 200  # signed in by confirming
    assert client.get(link).status_code == 200            # a second use files nothing more
    assert db.session.scalar(db.select(db.func.count()).select_from(RecordRequest)) == 1
    assert client.get("/requests/confirm/forged").status_code == 400
    assert client.post("/requests/confirm/forged", data={"csrf_token": csrf_of(client, "/requests/new")}).status_code == 400


def test_a_used_confirmation_link_signs_nobody_in(app, ctx, mailbox):
    f.department("police")
    first = app.test_client()
    f.post_form(first, "/requests/new", "/requests/new",
                FILING | {"name": "Pat Public", "email": "pat@example.org", "submit": "File the request"})
    link = _link(mailbox.last_body("pat@example.org"), "requests/confirm")
    assert first.post(link, data={"csrf_token": csrf_of(first, link)}).status_code == 200
    assert first.get("/my/requests").status_code == 200

    someone_else = app.test_client()  # whoever later sees the link, in a forwarded mail or a log
    assert "Your request is filed" in someone_else.get(link).get_data(as_text=True)
    assert someone_else.post(link, data={"csrf_token": csrf_of(someone_else, "/requests/new")}).status_code == 200
    assert someone_else.get("/my/requests").status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(RecordRequest)) == 1


def test_confirming_needs_the_pages_csrf_token(client, ctx, mailbox):
    f.department("police")
    f.post_form(client, "/requests/new", "/requests/new",
                FILING | {"name": "Pat Public", "email": "pat@example.org", "submit": "File the request"})
    link = _link(mailbox.last_body("pat@example.org"), "requests/confirm")
    assert client.post(link).status_code == 400  # a forged cross-site post files nothing
    assert db.session.scalar(db.select(db.func.count()).select_from(RecordRequest)) == 0


def test_filing_with_an_account_checks_for_similar_requests(client, ctx, mailbox):
    dept = f.department("police")
    old = f.request(dept=dept, title="Body camera policy 2019",
                    description="Body camera policy documents and training.", status=Status.fulfilled)
    unverified = f.user(verified=False)
    f.login(client, unverified.email)
    r = f.post_form(client, "/requests/new", "/requests/new", FILING | {"submit": "File"})
    assert r.status_code == 403 and "confirm your e-mail" in r.get_data(as_text=True)
    f.post_form(client, "/account", "/logout", {})
    u = f.user()
    f.login(client, u.email)
    check = f.post_form(client, "/requests/new", "/requests/new", FILING | {"check": "Check"})
    assert check.status_code == 200 and old.tracking_number in check.get_data(as_text=True)
    r = f.post_form(client, "/requests/new", "/requests/new", FILING | {"submit": "File"})
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Your request is filed" in page and old.tracking_number in page
    assert "received" in mailbox.last_body(u.email)
    bad = f.post_form(client, "/requests/new", "/requests/new",
                      FILING | {"date_from": "2025-05-01", "date_to": "2025-01-01", "submit": "File"})
    assert bad.status_code == 400 and "before its start" in bad.get_data(as_text=True)


def test_lifecycle_through_the_pages(app, ctx, mailbox):
    dept = f.department("police", law="cpra")
    staff, requester, other = f.user(Role.staff, dept=dept), f.user(), f.user()
    req = f.request(requester=requester, dept=dept)
    sc, rc, oc = app.test_client(), app.test_client(), app.test_client()
    for c, u in ((sc, staff), (rc, requester), (oc, other)):
        f.login(c, u.email)
    url = f"/requests/{req.id}"

    def act(c, action, data):
        return f.post_form(c, url, f"{url}/do/{action}", {f"{action}-{k}": v for k, v in data.items()})

    assert oc.get(url).status_code == 404
    assert_plain_page(sc.get(url).get_data(as_text=True))
    assert sc.post(f"{url}/do/message", data={"message-body": "no token"}).status_code == 400
    assert act(sc, "note", {"body": "Check with records unit"}).status_code == 302
    assert act(sc, "assign", {"assignee": str(staff.id)}).status_code == 302
    assert act(sc, "acknowledge", {"body": ""}).status_code == 302
    assert act(sc, "clarify", {"body": "Which precinct do you mean?"}).status_code == 302
    assert "Which precinct" in mailbox.last_body(requester.email)
    page = rc.get(url).get_data(as_text=True)
    assert "Which precinct" in page and "Check with records unit" not in page and "clock is paused" in page
    assert_plain_page(page)
    assert act(rc, "message", {"body": "The 5th precinct."}).status_code == 302
    assert _reload(req).status == Status.in_progress
    assert "5th precinct" in mailbox.last_body(staff.email)  # the assignee hears of the answer
    assert act(sc, "fee_estimate", {"amount": "abc"}).status_code == 400
    assert act(sc, "fee_estimate", {"amount": "12.50", "note": "50 pages"}).status_code == 302
    assert "12.50" in rc.get(url).get_data(as_text=True)
    assert act(rc, "fee_accept", {"body": ""}).status_code == 302
    assert act(rc, "acknowledge", {"body": ""}).status_code == 403
    r = act(sc, "close", {"outcome": "denied", "body": "Withheld."})
    assert r.status_code == 400 and "at least one exemption" in r.get_data(as_text=True)
    assert act(sc, "close", {"outcome": "denied", "exemptions": "7927.700", "body": "Withheld."}).status_code == 302
    req = _reload(req)
    assert req.status == Status.denied and req.exemptions == ["7927.700"]
    assert "7927.700" in mailbox.last_body(requester.email)

    log = app.test_client()
    html = log.get("/log").get_data(as_text=True)
    assert req.tracking_number in html
    entry = log.get(f"/log/{req.tracking_number}").get_data(as_text=True)
    assert requester.name not in entry and requester.email not in entry and "5th precinct" not in entry
    assert act(sc, "visibility", {"reason": "Ongoing investigation"}).status_code == 302  # unchecked
    assert log.get(f"/log/{req.tracking_number}").status_code == 404
    assert act(rc, "message", {"body": "Why?"}).status_code == 409  # closed: file anew or ask to reopen
    assert act(sc, "reopen", {"body": "Appeal granted."}).status_code == 302
    assert act(rc, "withdraw", {"body": ""}).status_code == 302
    assert _reload(req).status == Status.withdrawn


def test_pages_need_the_right_role(client, ctx):
    requester = f.user()
    assert client.get("/staff/requests").status_code == 302
    f.login(client, requester.email)
    for url in ["/staff/requests", "/staff/metrics", "/staff/metrics.csv", "/admin/closures"]:
        assert client.get(url).status_code == 403, url
    for url in ["/requests/new", "/my/requests", "/log"]:
        r = client.get(url)
        assert r.status_code == 200, url
        assert_plain_page(r.get_data(as_text=True))


def test_due_dates_read_at_a_glance(client, ctx):
    from datetime import timedelta

    from portal.record_requests import clock
    requester = f.user()
    soon, late = f.request(requester, title="Soon"), f.request(requester, title="Late")
    soon.due_date, late.due_date = clock.today() + timedelta(days=2), clock.today() - timedelta(days=3)
    db.session.commit()
    f.login(client, requester.email)
    page = client.get("/my/requests").get_data(as_text=True)
    row = {t: page[page.index(f"<td>{t}</td>"):].split("</tr>")[0] for t in ("Soon", "Late")}
    assert "(in 2 days)" in row["Soon"] and "due-near" in row["Soon"]
    assert "(3 days late)" in row["Late"] and "due-over" in row["Late"]
    assert 'class="status status-received"' in row["Soon"]


def test_filing_without_a_department_says_so_in_words(client, ctx):
    from tests.conftest import csrf_of
    f.department("parks")
    f.login(client, f.user().email)
    r = client.post("/requests/new", data={"title": "Park permits", "description": "All of 2025.",
                                           "preferred_format": "any", "submit": "1",
                                           "csrf_token": csrf_of(client, "/requests/new")})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "Choose a department." in html
    assert ">unknown<" not in html and "unknown" not in html.split('class="err"', 1)[-1][:200]


def test_the_requesters_withdraw_box_is_labelled_for_the_requester(client, ctx):
    _, _, requester, req = f.scenario()
    f.login(client, requester.email)
    html = client.get(f"/requests/{req.id}").get_data(as_text=True) + \
        client.get(f"/requests/{req.id}/withdraw").get_data(as_text=True)
    assert "Why the request is withdrawn (optional" in html
    assert "Message to the requester" not in html
