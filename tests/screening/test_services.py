"""Protected-terms API, stored results per file and list revision, filenames."""
import sqlalchemy as sa

from portal.auth.models import Role
from portal.extensions import db
from portal.screening import lists, services
from portal.screening.models import ListsRevision, ProtectedTerm, ScreeningResult
from tests import factories as f
from tests.disclosures import samples


def test_protected_terms_api(client, ctx):
    admin, staff = f.user(Role.admin), f.user(Role.staff)
    r = client.post("/api/v1/protected-terms", json={"list": "Undercover", "terms": ["Jane Roe", "JANE  ROE", "4471"]},
                    headers=f.token_for(admin))
    assert r.status_code == 201
    body = r.get_json()
    assert body["list"]["name"] == "Undercover" and body["added"] == 2 and body["list"]["terms"] == 2
    again = client.post("/api/v1/protected-terms", json={"list": "Undercover", "terms": ["Bo Chen"]},
                        headers=f.token_for(admin))
    assert again.status_code == 201 and again.get_json()["list"]["terms"] == 3
    assert client.post("/api/v1/protected-terms", json={"list": "x", "terms": ["y"]},
                       headers=f.token_for(staff)).status_code == 403
    for bad, field in [({"terms": ["a"]}, "list"), ({"list": "x"}, "terms"), ({"list": "x", "terms": [1]}, "terms"),
                       ({"list": "x", "terms": []}, "terms"), ({"list": "x", "terms": ["..."]}, "terms")]:
        r = client.post("/api/v1/protected-terms", json=bad, headers=f.token_for(admin))
        assert r.status_code == 400 and field in r.get_json()["error"]["fields"], bad
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProtectedTerm)) == 3


def test_results_are_stored_per_file_and_list_revision(ctx):
    admin = f.user(Role.admin)
    _, staff, _, req = f.scenario()
    rec = f.upload(staff, req, samples.csv(), filename="roster.csv")
    assert not services.screen_record(rec).flagged
    services.screen_record(rec)
    f.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScreeningResult)) == 1
    lists.add_terms(admin, "Undercover", ["Bo Chen"])
    f.commit()
    screen = services.screen_record(rec)
    assert screen.flagged and screen.matches[0]["where"] == "line 3, column A"
    f.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScreeningResult)) == 2


def test_another_servers_change_is_seen_through_the_revision_token(ctx):
    admin = f.user(Role.admin)
    _, staff, _, req = f.scenario()
    rec = f.upload(staff, req, samples.csv(), filename="roster.csv")
    services.screen_record(rec)  # compiles and caches the matcher for the current token
    f.commit()
    # Another server adds a term: only the database changes, never this process's cache.
    plist = lists.create_list(admin, "Undercover")
    db.session.add(ProtectedTerm(list_id=plist.id, term="Cy Ode", normalised="cy ode", added_by_id=admin.id))
    db.session.get(ListsRevision, 1).token = "changed-elsewhere"
    f.commit()
    assert services.screen_record(rec).matches[0]["term"] == "Cy Ode"


def test_filename_is_screened(ctx):
    admin = f.user(Role.admin)
    lists.add_terms(admin, "Undercover", ["Jane Roe"])
    _, staff, _, req = f.scenario()
    rec = f.upload(staff, req, samples.text(), filename="interview-jane_roe.txt")
    screen = services.screen_record(rec)
    assert [(m["where"], m["text"]) for m in screen.matches] == [("filename", "jane_roe")]
