"""The Requests section of shared/API.md, as written."""
import pytest

from portal.auth import services as accounts
from portal.auth.models import Role
from portal.extensions import db
from tests import factories as f


def bearer(user):
    _, secret = accounts.create_token(user, user, "t")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def people(ctx):
    dept = f.department("police", law="cpra")
    other = f.department("works")
    p = {"dept": dept, "requester": f.user(), "other": f.user(), "staff": f.user(Role.staff, dept=dept),
         "far_staff": f.user(Role.staff, dept=other), "admin": f.user(Role.admin)}
    return p | {f"h_{k}": bearer(v) for k, v in list(p.items()) if k != "dept"}


def test_file_read_list_and_events(client, people, mailbox):
    p = people
    r = client.post("/api/v1/requests", headers=p["h_requester"],
                    json={"department": "police", "title": "Use of force reports",
                          "description": "All use of force reports for 2025."})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert set(body) >= {"id", "tracking_number", "title", "description", "department", "status",
                         "requester", "received_at", "due_date", "events"}
    assert body["department"] == "police" and body["status"] == "received"
    assert body["requester"] == {"id": p["requester"].id, "name": p["requester"].name}
    assert body["received_at"].endswith("Z") and len(body["due_date"]) == 10
    assert body["events"] == [{"id": body["events"][0]["id"], "kind": "filed", "at": body["events"][0]["at"],
                               "body": "Request received.", "public": True}]
    assert body["tracking_number"] in mailbox.last_body(p["requester"].email)
    rid = body["id"]

    def post(who, payload):
        return client.post(f"/api/v1/requests/{rid}/events", headers=p[f"h_{who}"], json=payload)

    ack = post("staff", {"kind": "acknowledge", "body": "We are on it."})
    assert ack.status_code == 201 and ack.get_json()["kind"] == "acknowledge" and ack.get_json()["public"]
    assert "We are on it." in mailbox.last_body(p["requester"].email)
    note = post("staff", {"kind": "note", "body": "Ask records unit."})
    assert note.status_code == 201 and note.get_json()["public"] is False
    ext = post("staff", {"kind": "extend", "days": 14})
    assert ext.status_code == 201 and "Cal. Gov. Code 7922.535(b)" in ext.get_json()["body"]
    assert post("staff", {"kind": "extend", "days": 1, "body": "More"}).status_code == 409  # CPRA: 14 in all
    assert post("staff", {"kind": "message", "body": "Nearly done."}).status_code == 201
    assert post("requester", {"kind": "acknowledge"}).status_code == 403
    assert post("requester", {"kind": "message", "body": "Thanks"}).status_code == 201
    assert post("far_staff", {"kind": "note", "body": "x"}).status_code == 404

    mine = client.get(f"/api/v1/requests/{rid}", headers=p["h_requester"]).get_json()
    assert [e["kind"] for e in mine["events"]] == ["filed", "acknowledge", "extend", "message", "message"]
    assert mine["status"] == "extended"
    staff_view = client.get(f"/api/v1/requests/{rid}", headers=p["h_staff"]).get_json()
    assert "note" in [e["kind"] for e in staff_view["events"]]
    for who in ("other", "far_staff"):
        assert client.get(f"/api/v1/requests/{rid}", headers=p[f"h_{who}"]).status_code == 404
    assert client.get("/api/v1/requests/99999", headers=p["h_requester"]).status_code == 404

    assert post("staff", {"kind": "close", "outcome": "denied"}).status_code == 400  # no exemption
    closed = post("staff", {"kind": "close", "outcome": "denied", "exemptions": ["7927.700"],
                            "body": "Personnel files."})
    assert closed.status_code == 201 and "7927.700" in closed.get_json()["body"]

    listing = client.get("/api/v1/requests?status=denied&department=police&q=force&page=1",
                         headers=p["h_staff"])
    assert listing.status_code == 200
    data = listing.get_json()
    assert data["total"] == 1 and data["page"] == 1 and data["items"][0]["id"] == rid
    assert client.get("/api/v1/requests", headers=p["h_far_staff"]).get_json()["total"] == 0
    assert client.get("/api/v1/requests", headers=p["h_admin"]).get_json()["total"] == 1
    assert client.get("/api/v1/requests", headers=p["h_requester"]).status_code == 403


BAD_FILINGS = [
    ("not json", "title"),
    ([1, 2], "body"),
    ({"department": "police", "title": 5, "description": "x"}, "title"),
    ({"department": "police", "title": "t" * 201, "description": "x"}, "title"),
    ({"department": "police", "title": "t", "description": "d" * 20001}, "description"),
    ({"department": "nowhere", "title": "", "description": "x"}, "department"),
    ({"department": ["police"], "title": "t", "description": "x"}, "department"),
    ({"department": "police", "title": "t", "description": "x", "date_from": "2025-13-01"}, "date_from"),
    ({"department": "police", "title": "t", "description": "x", "preferred_format": "carrier pigeon"},
     "preferred_format"),
]


def test_bad_input_is_400_with_fields_never_500(client, people):
    h = people["h_requester"]
    for payload, field in BAD_FILINGS:
        if payload == "not json":
            r = client.post("/api/v1/requests", headers=h, data="{nope", content_type="application/json")
            assert r.status_code == 400
            continue
        r = client.post("/api/v1/requests", headers=h, json=payload)
        assert r.status_code == 400, (payload, r.get_json())
        assert field in r.get_json()["error"].get("fields", {}) or field == "body", (payload, r.get_json())
    rid = client.post("/api/v1/requests", headers=h, json={"department": "police", "title": "t",
                                                            "description": "d"}).get_json()["id"]
    hs = people["h_staff"]
    for payload in [{"kind": "dance"}, {"kind": ["note"]}, {"kind": "extend", "days": "ten", "body": "x"},
                    {"kind": "extend", "days": True, "body": "x"}, {"kind": "note", "body": 3},
                    {"kind": "note", "body": "x" * 20001}, {"kind": "close", "outcome": 7},
                    {"kind": "close", "outcome": "sunny"}, {"kind": "message", "body": ""}]:
        r = client.post(f"/api/v1/requests/{rid}/events", headers=hs, json=payload)
        assert r.status_code == 400, (payload, r.get_json())
    for query in ["status=sleeping", "page=abc", "page=0", "q=" + "x" * 201, "due=later"]:
        assert client.get(f"/api/v1/requests?{query}", headers=hs).status_code == 400, query
    assert client.get("/api/v1/requests/abc", headers=hs).status_code == 404


def test_unconfirmed_address_cannot_file(client, ctx):
    f.department("police")
    u = f.user(verified=False)
    r = client.post("/api/v1/requests", headers=bearer(u),
                    json={"department": "police", "title": "t", "description": "d"})
    assert r.status_code == 403
