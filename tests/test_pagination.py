"""Every list pages with ?limit and an opaque ?cursor: walking the pages yields each item once."""

from __future__ import annotations

import pytest


def _walk(client, path: str, limit: int) -> list[dict]:  # type: ignore[no-untyped-def]
    items, cursor, pages = [], None, 0
    while True:
        query = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
        r = client.get(path, query_string=query)
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        assert len(body["items"]) <= limit
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            return items
        assert pages < 100


@pytest.fixture
def admin(seed, api):  # type: ignore[no-untyped-def]
    t = seed.tenant("acme", {f"brand{i}": None for i in range(5)})
    _, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    for i in range(3):
        seed.user(t, f"editor{i}@acme.test", [("editor", f"brand{i}")])
    return t, api(token)


@pytest.mark.parametrize(("path", "key", "limit"), [
    ("org-units", "id", 2), ("users", "id", 1), ("grants", "id", 1), ("roles", "key", 4),
    ("plugins", "name", 3), ("audit-events", "id", 3),
])
def test_walking_the_pages_of_a_tenant_list_yields_each_item_once(admin, path, key, limit):
    t, client = admin
    client.post(f"tenants/{t.id}/roles", {"key": "auditor", "name": "Auditor", "permissions": ["audit.view"]})
    everything = client.get(f"tenants/{t.id}/{path}", query_string={"limit": "200"}).get_json()["items"]
    walked = _walk(client, f"tenants/{t.id}/{path}", limit)
    assert [i[key] for i in walked] == [i[key] for i in everything]
    assert len(everything) > limit  # more than one page was walked


def test_instance_wide_lists_page_too(admin):
    _, client = admin
    assert len(_walk(client, "permissions", 5)) == len(client.get("permissions", query_string={"limit": "200"})
                                                       .get_json()["items"]) > 5
    assert len(_walk(client, "plugins", 2)) >= 4
