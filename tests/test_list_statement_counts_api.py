"""Every list endpoint issues a fixed number of SQL statements whatever the page size (a page
of one and a page of many cost the same), over a tenant with a dozen more of everything."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from publishing_support import world_fixture  # noqa: F401  (the publishing world)
from test_list_statement_counts import counted, still_clock  # noqa: F401  (time stands still)

N = 12


def _fill(seed: Any, api: Any, world: Any) -> dict[str, str]:
    """N more of everything the lists below show; the paths of those lists."""
    t, admin = world.tenant, world.admin
    for i in range(N):
        seed.user(t, f"person{i}@acme.test", [("viewer", "coffee")])
        r = admin.post(f"tenants/{t.id}/org-units", {"parent_id": t.units["coffee"].id, "name": f"Shop {i}"})
        assert r.status_code == 201, r.get_json()
        r = admin.post(f"tenants/{t.id}/assets", {"org_unit_id": t.units["coffee"].id, "kind": "snippet",
                                                   "name": f"Sign-off {i}", "text": f"Thanks {i}"})
        assert r.status_code == 201, r.get_json()
        r = admin.post(f"tenants/{t.id}/social-accounts", {"org_unit_id": t.units["coffee"].id, "network": "fake",
                                                            "handle": f"shop{i}"})
        assert r.status_code == 201, r.get_json()
        world.scheduled("fake_coffee", "fake_dubai", at=datetime(2026, 2, 10, 9, i, tzinfo=UTC), text=f"Post {i}")
    return {"users": f"tenants/{t.id}/users", "org-units": f"tenants/{t.id}/org-units",
            "assets": f"tenants/{t.id}/assets", "social-accounts": f"tenants/{t.id}/social-accounts",
            "audit-events": f"tenants/{t.id}/audit-events",
            "calendar": f"tenants/{t.id}/calendar?from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z",
            "calendar by post": f"tenants/{t.id}/calendar?from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z"
                                "&group=post"}


def test_every_list_costs_the_same_statements_for_a_page_of_one_and_a_page_of_many(world, seed, api,
                                                                                     herald_runtime):
    lists = _fill(seed, api, world)
    admin = world.admin
    assert world.run_jobs() == 0  # background jobs (event dispatch) finished: only the requests are counted
    costly = {}
    for name, path in lists.items():
        sep = "&" if "?" in path else "?"
        admin.get(f"{path}{sep}limit=1")  # warm
        with counted(herald_runtime) as one:
            small = admin.get(f"{path}{sep}limit=1")
        with counted(herald_runtime) as many:
            big = admin.get(f"{path}{sep}limit={N}")
        assert small.status_code == big.status_code == 200, (name, big.get_json())
        assert len(small.get_json()["items"]) == 1 and len(big.get_json()["items"]) == N, name
        if len(many) != len(one):
            costly[name] = (len(one), len(many))
    assert not costly, f"lists whose statements grow with the page (page of 1, page of {N}): {costly}"
