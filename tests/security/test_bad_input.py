"""Bad input answered with a clear 4xx, never a 500 (issue 21, items 6-9), on both backends."""
import sqlite3
import threading

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.extensions import db
from tests import factories as f

NUL, SURROGATE, HUGE = "\u0000", "\ud800", str(2 ** 63)


@pytest.fixture
def people(ctx):
    dept, staff, requester, req = f.scenario()
    admin = f.user(Role.admin)
    return {"dept": dept, "staff": staff, "requester": requester, "req": req, "admin": admin,
            "staff_h": f.token_for(staff), "admin_h": f.token_for(admin), "req_h": f.token_for(requester)}


@pytest.mark.parametrize("who, url", [
    ("staff", "/staff/requests?department=a{}b"),
    ("staff", "/staff/requests?q=a{}b"),
    (None, "/log?q=a{}b"),
    ("admin", "/admin/users?q=a{}b"),
    ("admin", "/admin/audit/?actor=a{}b"),
    ("requester", "/my/requests?x{}=1"),
])
def test_nul_in_a_query_parameter_is_a_400(client, people, who, url):
    if who:
        f.login(client, people[who].email)
    resp = client.get(url.format("%00"))
    assert resp.status_code == 400


@pytest.mark.parametrize("text", [NUL, SURROGATE])
def test_nul_or_lone_surrogate_in_a_json_title_is_a_400_and_files_nothing(client, people, text):
    from portal.record_requests.models import RecordRequest
    before = db.session.scalar(sa.select(sa.func.count(RecordRequest.id)))
    resp = client.post("/api/v1/requests", headers=people["req_h"],
                       json={"department": people["dept"].slug, "title": f"Budget {text}", "description": "x"})
    assert resp.status_code == 400
    assert resp.get_json()["error"]["fields"] == {"body": "invalid characters"}
    assert db.session.scalar(sa.select(sa.func.count(RecordRequest.id))) == before


def test_nul_in_a_form_field_is_a_400(client, people):
    f.login(client, people["requester"].email)
    resp = f.post_form(client, "/requests/new", "/requests/new",
                       {"department": people["dept"].slug, "title": f"a{NUL}b", "description": "x"})
    assert resp.status_code == 400


@pytest.mark.parametrize("who, url, field", [
    ("staff", "/staff/requests?assignee=" + HUGE, "assignee"),
    ("staff", "/staff/requests?page=" + HUGE, "page"),
    ("requester", "/my/requests?before=" + HUGE, "before"),
    ("admin", "/admin/audit/?before=" + HUGE, "before"),
    ("admin", "/admin/users?page=" + HUGE, "page"),
    ("staff", "/api/v1/requests?assignee=" + HUGE, "assignee"),
])
def test_integer_beyond_the_column_in_a_query_string_is_a_400(client, people, who, url, field):
    if url.startswith("/api/"):
        resp = client.get(url, headers=people[f"{who}_h"])
        assert resp.status_code == 400
        assert field in resp.get_json()["error"]["fields"]
        return
    f.login(client, people[who].email)
    assert client.get(url).status_code == 400


def test_cr_lf_in_the_language_return_address_is_a_400(client):
    resp = client.get("/language/es?next=/log%0d%0aSet-Cookie:%20x=1")
    assert resp.status_code == 400
    assert "Set-Cookie" not in resp.headers
    assert client.get("/language/es?next=/log").status_code == 302


def test_a_session_page_while_sqlite_is_locked_is_a_503(app, client, people):
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("SQLite's database-wide lock")
    f.login(client, people["requester"].email)
    # Wait 0.2 s for a lock instead of 30, so the test is quick; the lock itself is real.
    sa.event.listen(db.engine, "connect", lambda conn, _: conn.execute("PRAGMA busy_timeout = 200"))
    db.engine.dispose()
    locker = sqlite3.connect(db.engine.url.database, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        resp = client.get("/my/requests")
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] == "5"
    assert client.get("/my/requests").status_code == 200


def _concurrently(app, n, prepare, call):
    clients = [app.test_client() for _ in range(n)]
    prepared = [prepare(c) for c in clients]
    results, barrier = [], threading.Barrier(n)

    def run(c, p):
        barrier.wait()
        results.append(call(c, p))

    threads = [threading.Thread(target=run, args=(c, p)) for c, p in zip(clients, prepared)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_twenty_concurrent_revokes_of_one_release_one_succeeds_the_rest_409(app, people):
    from portal import audit
    from portal.disclosures.services import create_release
    rec = f.upload(people["staff"], people["req"], b"memo text", "memo.txt")
    release = create_release(people["staff"], people["req"].id, [rec.id])
    f.commit()
    headers, url = people["staff_h"], f"/api/v1/releases/{release.id}/revoke"
    results = _concurrently(app, 20, lambda c: None,
                            lambda c, _: c.post(url, headers=headers, json={"reason": "leak"}).status_code)
    assert sorted(results) == [200] + [409] * 19
    db.session.expire_all()
    assert audit.verify()[1] is None


def test_forty_simultaneous_wrong_passwords_get_at_most_five_evaluated(app, people):
    from portal.audit.models import AuditEntry
    from tests.conftest import csrf_of
    email = people["requester"].email
    results = _concurrently(app, 40, lambda c: csrf_of(c, "/login"),
                            lambda c, token: c.post("/login", data={"email": email, "password": "wrong guess",
                                                                    "csrf_token": token}).status_code)
    evaluated = db.session.scalar(sa.select(sa.func.count(AuditEntry.id))
                                  .where(AuditEntry.action == "auth.login_failed"))
    assert evaluated <= 5
    assert sorted(set(results)) == [401, 429] and results.count(401) == evaluated


def test_revoking_a_file_as_a_requester_answers_alike_for_held_and_unknown_hashes(client, people):
    rec = f.upload(people["staff"], people["req"], b"held file", "held.txt")
    answers = [client.post(f"/api/v1/files/{sha}/revoke", headers=people["req_h"], json={"reason": "x"})
               for sha in (rec.blob.sha256, "0" * 64)]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].get_json() == answers[1].get_json()
