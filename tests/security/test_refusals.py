"""A refused actor changes nothing (these requests commit: no dry run), and the bugs the matrix and the
fuzzer found stay fixed."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.extensions import db

HUGE = "7038745758050864081141"


def _fresh(app, model, ident):
    with app.app_context():
        return db.session.get(model, ident)


def test_refused_actors_change_nothing(world_app, world, actors):
    from portal.auth.models import ApiToken
    from portal.disclosures.models import Grant, Release
    from portal.record_requests.models import AgencyClosure
    from portal.records.models import Record
    from portal.screening.models import Hold, HoldStatus, ProtectedList
    ids = world.ids
    reason = {"reason": "not mine to revoke"}
    for name in ("owner", "other", "ostaff"):
        assert actors[name].web("POST", f"/staff/grants/{ids['grant_id']}/revoke", data=reason, dry=False).status_code in (403, 404)
        assert actors[name].api("POST", f"/api/v1/grants/{ids['grant_id']}/revoke", json=reason, dry=False).status_code == 404
        assert actors[name].api("POST", f"/api/v1/releases/{ids['release_id']}/revoke", json=reason, dry=False).status_code == 404
    assert _fresh(world_app, Grant, ids["grant_id"]).revoked_at is None
    with world_app.app_context():
        assert all(g.revoked_at is None for g in db.session.get(Release, ids["release_id"]).grants)

    assert actors["ostaff"].web("POST", f"/staff/holds/{ids['hold_id']}/dismiss", data=reason, dry=False).status_code == 404
    assert actors["ostaff"].api("POST", f"/api/v1/holds/{ids['hold_id']}/approve", json=reason, dry=False).status_code == 404
    assert _fresh(world_app, Hold, ids["hold_id"]).status == HoldStatus.open

    with world_app.app_context():
        records_before = db.session.scalar(sa.select(sa.func.count()).select_from(Record))
    assert actors["ostaff"].web("POST", f"/staff/records/{ids['record_id']}/clean", dry=False).status_code == 404
    with world_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Record)) == records_before

    for name in ("owner", "staff", "ostaff"):
        assert actors[name].web("POST", f"/admin/protected-lists/{ids['list_id']}/delete", dry=False).status_code == 403
        assert actors[name].web("POST", f"/admin/closures/{ids['closure_id']}/delete", dry=False).status_code == 403
    assert _fresh(world_app, ProtectedList, ids["list_id"]) is not None
    assert _fresh(world_app, AgencyClosure, ids["closure_id"]) is not None

    assert actors["other"].web("POST", f"/account/tokens/{ids['token_id']}/revoke", dry=False).status_code == 404
    assert _fresh(world_app, ApiToken, ids["token_id"]).revoked_at is None
    assert actors["owner"].api("GET", "/api/v1/me").status_code == 200


@pytest.mark.parametrize("url", [f"/api/v1/clawbacks/{HUGE}", f"/api/v1/requests/{HUGE}", "/api/v1/requests/999999999999",
                                 f"/api/v1/grants/{HUGE}/download", "/api/v1/holds/2147483648"])
def test_an_id_beyond_the_column_is_404_not_500(actors, url):
    r = actors["admin"].api("GET", url)
    assert r.status_code == 404 and r.get_json()["error"]["code"] in ("not_found", "not found")


def test_audit_after_beyond_the_column_is_a_400(actors):
    r = actors["admin"].api("GET", f"/api/v1/audit?after={HUGE}")
    assert r.status_code == 400 and r.get_json()["error"]["fields"]["after"] == "range"
    assert actors["admin"].api("GET", "/api/v1/audit?after=2147483647").get_json() == []


@pytest.mark.parametrize("url", [f"/requests/{HUGE}", f"/staff/holds/{HUGE}", f"/me/files/{HUGE}/download"])
def test_a_page_with_an_id_beyond_the_column_is_404(actors, url):
    assert actors["admin"].web("GET", url).status_code == 404


def test_ids_beyond_the_column_in_bodies_are_unknown_not_500(world, actors):
    ids, admin = world.ids, actors["admin"]
    r = admin.api("POST", f"/api/v1/requests/{ids['request_id']}/releases", json={"record_ids": [int(HUGE)]})
    assert r.status_code == 400 and r.get_json()["error"]["fields"] == {"record_ids": "unknown"}
    r = admin.api("POST", f"/api/v1/clawbacks/{ids['campaign_id']}/rerelease", json={"record_id": int(HUGE)})
    assert r.status_code == 404
    r = admin.web("POST", f"/staff/requests/{ids['request_id']}/releases", data={"record_ids": [HUGE]})
    assert r.status_code == 400
    r = admin.web("POST", f"/requests/{ids['request_id']}/do/assign", data={"assignee": HUGE})
    assert r.status_code < 500
    r = admin.web("POST", "/staff/requests/assign", data={"ids": [HUGE], "assignee": HUGE})
    assert r.status_code == 400


def test_bulk_assign_without_an_assignee_is_a_clear_400(world_app, world, actors):
    from portal.record_requests.models import RecordRequest
    r = actors["staff"].web("POST", "/staff/requests/assign", data={"ids": [str(world.ids["request_id"])]}, dry=False)
    assert r.status_code in (302, 400)  # assigned to nobody, or refused with a message; never a 500
    r = actors["staff"].web("POST", "/staff/requests/assign", dry=False)
    assert r.status_code == 400 and "Nobody" in r.get_data(as_text=True)
    assert _fresh(world_app, RecordRequest, world.ids["request_id"]) is not None
