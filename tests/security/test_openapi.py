"""/api/v1/openapi.json describes every /api/v1 route, no more, and is a valid OpenAPI 3.1 document."""
from __future__ import annotations

import re

from openapi_spec_validator import validate


def _api_rules(app) -> set[tuple[str, str]]:
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1"):])
            out |= {(m.lower(), path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return out


def test_document_is_served_without_a_token_and_validates(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    doc = r.get_json()
    assert doc["openapi"].startswith("3.")
    validate(doc)  # raises with the first problem


def test_every_api_route_is_described_and_nothing_else(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    described = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    routes = _api_rules(app)
    assert sorted(routes - described) == [], "routes missing from the document"
    assert sorted(described - routes) == [], "the document describes routes that do not exist"


def test_every_operation_documents_the_error_shape(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, ops in doc["paths"].items():
        if path == "/openapi.json":
            continue
        for method, op in ops.items():
            assert {"400", "401", "403", "404"} <= set(op["responses"]), (method, path)
            schema = op["responses"]["404"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}
    assert doc["components"]["schemas"]["Error"]["required"] == ["error"]
