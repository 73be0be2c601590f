"""The OpenAPI document is generated from the same schemas the endpoints validate with."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from herald.api.endpoint import ENDPOINTS
from herald.api.schemas.names import NAME_LIMITS


def test_openapi_document_is_valid_openapi_3_1(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    doc = resp.get_json()
    validate(doc)
    assert doc["openapi"] == "3.1.0"


def test_openapi_lists_every_endpoint_with_its_schemas(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for ep in ENDPOINTS:
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", ep.rule)
        op = doc["paths"][path][ep.method.lower()]
        if ep.body is not None:
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/" + ep.body.__name__)
    create = doc["components"]["schemas"]["UnitCreate"]
    assert create["additionalProperties"] is False  # unknown fields are rejected, and documented so
    assert set(create["required"]) == {"parent_id", "name"}
    assert create["properties"]["name"]["maxLength"] == NAME_LIMITS["unit"]
