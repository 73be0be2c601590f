"""The org-unit tree through the HTTP API: any depth, moving subtrees (paths and depths follow,
cycles and moving the root are refused), archiving a subtree, restoring it, and listing a
subtree with ``under=``."""

from __future__ import annotations

import pytest


@pytest.fixture
def tree(seed, api):  # type: ignore[no-untyped-def]
    """A tenant with an admin client; ``make(name, parent, kind)`` creates units via the API."""
    t = seed.tenant("acme")
    _, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    client = api(token)
    base = f"tenants/{t.id}/org-units"

    class Tree:
        tenant = t
        root = t.root
        c = client
        units = base

        @staticmethod
        def make(name: str, parent: str, kind: str = "other") -> dict:
            r = client.post(base, {"parent_id": parent, "name": name, "kind": kind})
            assert r.status_code == 201, r.get_json()
            return r.get_json()

        @staticmethod
        def get(unit_id: str) -> dict:
            r = client.get(f"{base}/{unit_id}")
            assert r.status_code == 200, r.get_json()
            return r.get_json()

        @staticmethod
        def listing(**params: str) -> list[dict]:
            r = client.get(base, query_string=params)
            assert r.status_code == 200, r.get_json()
            return r.get_json()["items"]

    return Tree


def _names(items: list[dict]) -> set[str]:
    return {u["name"] for u in items}


def test_units_nest_to_any_depth_with_path_and_depth(tree):
    region = tree.make("EMEA", tree.root.id, "region")
    brand = tree.make("Acme Coffee", region["id"], "brand")
    franchise = tree.make("Acme Coffee Dubai", brand["id"], "franchise")
    shop = tree.make("Dubai Mall kiosk", franchise["id"], "team")

    assert region["depth"] == 1 and region["parent_id"] == tree.root.id and region["kind"] == "region"
    assert brand["depth"] == 2 and brand["parent_id"] == region["id"]
    assert franchise["depth"] == 3 and franchise["kind"] == "franchise"
    assert shop["depth"] == 4
    assert shop["path"] == [tree.root.id, region["id"], brand["id"], franchise["id"], shop["id"]]
    assert tree.get(franchise["id"])["path"] == [tree.root.id, region["id"], brand["id"], franchise["id"]]
    assert not franchise["archived"]


def test_unknown_kind_and_missing_parent_are_refused(tree):
    r = tree.c.post(tree.units, {"parent_id": tree.root.id, "name": "X", "kind": "galaxy"})
    assert r.status_code == 422
    r = tree.c.post(tree.units, {"parent_id": "unit_" + "a" * 26, "name": "X"})
    assert r.status_code == 404


def test_moving_a_subtree_moves_every_descendant(tree):
    emea = tree.make("EMEA", tree.root.id, "region")
    apac = tree.make("APAC", tree.root.id, "region")
    brand = tree.make("Acme Coffee", emea["id"], "brand")
    franchise = tree.make("Acme Coffee Dubai", brand["id"], "franchise")
    team = tree.make("Dubai social team", franchise["id"], "team")
    bystander = tree.make("Acme Tea", emea["id"], "brand")

    r = tree.c.post(f"{tree.units}/{brand['id']}/move", {"parent_id": apac["id"]})
    assert r.status_code == 200, r.get_json()
    moved = r.get_json()
    assert moved["parent_id"] == apac["id"]
    assert moved["path"] == [tree.root.id, apac["id"], brand["id"]] and moved["depth"] == 2

    f = tree.get(franchise["id"])
    assert f["path"] == [tree.root.id, apac["id"], brand["id"], franchise["id"]] and f["depth"] == 3
    assert f["parent_id"] == brand["id"]
    t = tree.get(team["id"])
    assert t["path"] == [tree.root.id, apac["id"], brand["id"], franchise["id"], team["id"]] and t["depth"] == 4
    b = tree.get(bystander["id"])  # the old parent's other children stay where they were
    assert b["path"] == [tree.root.id, emea["id"], bystander["id"]]

    assert _names(tree.listing(under=apac["id"])) == {"APAC", "Acme Coffee", "Acme Coffee Dubai", "Dubai social team"}
    assert _names(tree.listing(under=emea["id"])) == {"EMEA", "Acme Tea"}


def test_moving_a_subtree_up_and_down_changes_depths(tree):
    a = tree.make("A", tree.root.id)
    b = tree.make("B", a["id"])
    c = tree.make("C", b["id"])
    d = tree.make("D", c["id"])
    # C (with D) moves to the top level: both rise by two levels.
    assert tree.c.post(f"{tree.units}/{c['id']}/move", {"parent_id": tree.root.id}).status_code == 200
    assert tree.get(c["id"])["depth"] == 1
    assert tree.get(d["id"])["path"] == [tree.root.id, c["id"], d["id"]] and tree.get(d["id"])["depth"] == 2
    # A (with B) moves under D: both sink by three levels.
    assert tree.c.post(f"{tree.units}/{a['id']}/move", {"parent_id": d["id"]}).status_code == 200
    assert tree.get(b["id"])["path"] == [tree.root.id, c["id"], d["id"], a["id"], b["id"]]
    assert tree.get(b["id"])["depth"] == 4


def test_moving_under_itself_or_a_descendant_is_a_conflict_and_changes_nothing(tree):
    brand = tree.make("Brand", tree.root.id, "brand")
    franchise = tree.make("Franchise", brand["id"], "franchise")
    team = tree.make("Team", franchise["id"], "team")
    before = {u["id"]: (u["path"], u["depth"], u["parent_id"]) for u in tree.listing()}

    for target in (brand, franchise, team):
        r = tree.c.post(f"{tree.units}/{brand['id']}/move", {"parent_id": target["id"]})
        assert r.status_code == 409, (target["name"], r.get_json())
    r = tree.c.post(f"{tree.units}/{franchise['id']}/move", {"parent_id": team["id"]})
    assert r.status_code == 409

    after = {u["id"]: (u["path"], u["depth"], u["parent_id"]) for u in tree.listing()}
    assert after == before


def test_the_root_cannot_be_moved_or_archived(tree):
    brand = tree.make("Brand", tree.root.id, "brand")
    r = tree.c.post(f"{tree.units}/{tree.root.id}/move", {"parent_id": brand["id"]})
    assert r.status_code == 409
    r = tree.c.post(f"{tree.units}/{tree.root.id}/archive")
    assert r.status_code == 409
    root = tree.get(tree.root.id)
    assert root["parent_id"] is None and root["depth"] == 0 and root["path"] == [tree.root.id]
    assert not root["archived"]


def test_archiving_a_unit_archives_its_subtree_and_hides_it(tree):
    coffee = tree.make("Acme Coffee", tree.root.id, "brand")
    dubai = tree.make("Acme Coffee Dubai", coffee["id"], "franchise")
    kiosk = tree.make("Kiosk", dubai["id"], "team")
    tea = tree.make("Acme Tea", tree.root.id, "brand")

    r = tree.c.post(f"{tree.units}/{coffee['id']}/archive")
    assert r.status_code == 200 and r.get_json()["archived"] is True

    assert _names(tree.listing()) == {"Acme", "Acme Tea"}
    everything = {u["name"]: u for u in tree.listing(include_archived="true")}
    assert set(everything) == {"Acme", "Acme Coffee", "Acme Coffee Dubai", "Kiosk", "Acme Tea"}
    for name in ("Acme Coffee", "Acme Coffee Dubai", "Kiosk"):
        assert everything[name]["archived"] is True and everything[name]["archived_at"]
    assert everything["Acme Tea"]["archived"] is False
    assert tree.get(kiosk["id"])["archived"] is True  # still addressable directly
    assert tree.get(tea["id"])["archived"] is False


def test_no_child_under_an_archived_unit_and_no_move_into_one(tree):
    coffee = tree.make("Acme Coffee", tree.root.id, "brand")
    dubai = tree.make("Acme Coffee Dubai", coffee["id"], "franchise")
    tea = tree.make("Acme Tea", tree.root.id, "brand")
    assert tree.c.post(f"{tree.units}/{coffee['id']}/archive").status_code == 200

    for parent in (coffee, dubai):  # archived directly, or as part of the subtree
        r = tree.c.post(tree.units, {"parent_id": parent["id"], "name": "New"})
        assert r.status_code == 409, r.get_json()
    r = tree.c.post(f"{tree.units}/{tea['id']}/move", {"parent_id": dubai["id"]})
    assert r.status_code == 409
    assert "New" not in _names(tree.listing(include_archived="true"))
    assert tree.get(tea["id"])["parent_id"] == tree.root.id


def test_restore_brings_the_subtree_back(tree):
    coffee = tree.make("Acme Coffee", tree.root.id, "brand")
    dubai = tree.make("Acme Coffee Dubai", coffee["id"], "franchise")
    assert tree.c.post(f"{tree.units}/{coffee['id']}/archive").status_code == 200

    # A descendant cannot come back while its parent stays archived.
    assert tree.c.post(f"{tree.units}/{dubai['id']}/restore").status_code == 409
    assert tree.get(dubai["id"])["archived"] is True

    r = tree.c.post(f"{tree.units}/{coffee['id']}/restore")
    assert r.status_code == 200 and r.get_json()["archived"] is False
    assert _names(tree.listing()) == {"Acme", "Acme Coffee", "Acme Coffee Dubai"}
    assert tree.get(dubai["id"])["archived_at"] is None
    assert tree.make("Dubai Mall", dubai["id"])["depth"] == 3


def test_listing_under_a_unit_is_exactly_its_subtree(tree):
    emea = tree.make("EMEA", tree.root.id, "region")
    coffee = tree.make("Acme Coffee", emea["id"], "brand")
    tree.make("Acme Coffee Dubai", coffee["id"], "franchise")
    tree.make("Acme Tea", emea["id"], "brand")
    amer = tree.make("AMER", tree.root.id, "region")
    tree.make("Acme Cola", amer["id"], "brand")

    assert _names(tree.listing(under=coffee["id"])) == {"Acme Coffee", "Acme Coffee Dubai"}
    assert _names(tree.listing(under=emea["id"])) == {"EMEA", "Acme Coffee", "Acme Coffee Dubai", "Acme Tea"}
    assert _names(tree.listing(under=amer["id"])) == {"AMER", "Acme Cola"}
    assert len(tree.listing(under=tree.root.id)) == 7
    assert _names(tree.listing(parent_id=emea["id"])) == {"Acme Coffee", "Acme Tea"}
    # Listings are ordered top-down (by depth).
    depths = [u["depth"] for u in tree.listing(under=emea["id"])]
    assert depths == sorted(depths)
    # An unknown unit is not found rather than an empty list.
    assert tree.c.get(tree.units, query_string={"under": "unit_" + "b" * 26}).status_code == 404


def test_listing_paginates_without_repeats(tree):
    for i in range(7):
        tree.make(f"Brand {i}", tree.root.id, "brand")
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        body = tree.c.get(tree.units, query_string=params).get_json()
        seen += [u["id"] for u in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert pages == 3 and len(seen) == 8 and len(set(seen)) == 8


def test_other_tenants_units_are_invisible(tree, seed, api):
    brand = tree.make("Acme Coffee", tree.root.id, "brand")
    other = seed.tenant("globex")
    _, token = seed.user(other, "admin@globex.test", [("tenant_admin", "root")])
    outsider = api(token)
    assert outsider.get(f"tenants/{tree.tenant.id}/org-units/{brand['id']}").status_code == 404
    assert outsider.get(f"tenants/{other.id}/org-units/{brand['id']}").status_code == 404
    r = outsider.post(f"tenants/{other.id}/org-units", {"parent_id": brand["id"], "name": "Hijack"})
    assert r.status_code == 404
    r = tree.c.post(f"{tree.units}/{brand['id']}/move", {"parent_id": other.root.id})
    assert r.status_code == 404
