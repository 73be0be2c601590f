"""Posts: per-network and per-language variants validated by the connectors, every save a
version with a field-level diff, one editor at a time, and no lost updates."""

from __future__ import annotations

import pytest

from herald.content.service import LEASE_TTL


@pytest.fixture
def brand(seed, api, herald_runtime):  # type: ignore[no-untyped-def]
    for name in ("network_x", "network_instagram"):
        if name not in herald_runtime.plugins.infos:
            pytest.skip("network plugins not installed")
    t = seed.tenant("acme", {"coffee": None, "dubai": "coffee", "tea": None})
    _, admin_token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    admin = api(admin_token)
    admin.patch(f"tenants/{t.id}/plugins/network_x", {"enabled": True, "settings": {"client_id": "cid"}})
    admin.patch(f"tenants/{t.id}/plugins/network_instagram",
                {"enabled": True, "settings": {"app_id": "a", "app_secret": "s"}})

    def account(unit: str, network: str, handle: str) -> str:
        r = admin.post(f"tenants/{t.id}/social-accounts",
                       {"org_unit_id": t.units[unit].id, "network": network, "handle": handle})
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    accts = {"x_coffee": account("coffee", "x", "acmecoffee"),
             "ig_coffee": account("coffee", "instagram", "acme.coffee"),
             "x_dubai": account("dubai", "x", "acmedubai"), "x_tea": account("tea", "x", "acmetea")}
    users = {}
    for name, grants in {"editor": [("editor", "coffee")], "designer": [("designer", "coffee")],
                         "manager": [("manager", "root")], "viewer": [("viewer", "coffee")],
                         "creator_dubai": [("creator", "dubai")]}.items():
        _, token = seed.user(t, f"{name}@acme.test", grants)
        users[name] = api(token)
    return t, accts, users, admin


IMAGE = {"kind": "image", "url": "https://cdn.example.com/a.jpg"}


def _content(accts, *targets, en="Fresh coffee ☕", ar="قهوة طازجة ☕"):  # type: ignore[no-untyped-def]
    return {"targets": [accts[t] for t in targets], "title": "Launch",
            "variants": [{"network": "x", "language": "en", "text": en},
                         {"network": "x", "language": "ar", "text": ar},
                         {"network": "instagram", "language": "en", "text": en, "media": [IMAGE]}]}


def test_a_post_for_two_networks_in_english_and_arabic_starts_at_version_1(brand):
    t, accts, users, _ = brand
    r = users["editor"].post(f"tenants/{t.id}/posts", {"org_unit_id": t.units["coffee"].id,
                                                        "content": _content(accts, "x_coffee", "ig_coffee")})
    assert r.status_code == 201, r.get_json()
    post = r.get_json()
    assert post["current_version"] == 1 and post["status"] == "draft"
    assert post["content"]["variants"][1]["text"] == "قهوة طازجة ☕"


def test_every_problem_is_reported_at_once_by_the_connectors(brand):
    t, accts, users, _ = brand
    content = _content(accts, "x_coffee", "ig_coffee", "x_tea", en="a" * 281)
    content["variants"][2]["media"] = []
    r = users["editor"].post(f"tenants/{t.id}/posts", {"org_unit_id": t.units["coffee"].id, "content": content})
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert "280" in errors["variants[0].text"][0]            # X counts 281 > 280
    assert "variants[2].media" in errors                      # Instagram needs media
    assert "variants[2].text" not in errors                   # 281 chars is fine on Instagram
    assert "targets[2]" in errors                             # tea is not under coffee (editor can't see it)


def test_a_parent_publishes_on_behalf_of_a_child_but_not_the_reverse(brand):
    t, accts, _, admin = brand
    ok = admin.post(f"tenants/{t.id}/posts", {"org_unit_id": t.units["coffee"].id,
                                              "content": _content(accts, "x_dubai")})
    assert ok.status_code == 201, ok.get_json()
    up = admin.post(f"tenants/{t.id}/posts", {"org_unit_id": t.units["dubai"].id,
                                              "content": _content(accts, "x_coffee")})
    assert up.status_code == 422 and "outside this post's unit" in up.get_json()["errors"]["targets[0]"][0]


def test_people_act_only_within_their_role(brand):
    t, accts, users, _ = brand
    body = {"org_unit_id": t.units["coffee"].id, "content": _content(accts, "x_coffee")}
    assert users["viewer"].post(f"tenants/{t.id}/posts", body).status_code == 403
    assert users["creator_dubai"].post(f"tenants/{t.id}/posts", body).status_code == 404  # cannot see coffee
    post = users["editor"].post(f"tenants/{t.id}/posts", body).get_json()
    save = {"base_version": 1, "content": _content(accts, "x_coffee", en="changed")}
    assert users["viewer"].request("PUT", f"tenants/{t.id}/posts/{post['id']}/content", json=save).status_code == 403
    assert users["creator_dubai"].get(f"tenants/{t.id}/posts/{post['id']}").status_code == 404


def _save(client, t, post_id, base, content):  # type: ignore[no-untyped-def]
    return client.request("PUT", f"tenants/{t.id}/posts/{post_id}/content",
                          json={"base_version": base, "content": content})


def test_a_stale_save_is_refused_so_no_update_is_lost(brand):
    t, accts, users, _ = brand
    editor = users["editor"]
    post = editor.post(f"tenants/{t.id}/posts", {"org_unit_id": t.units["coffee"].id,
                                                 "content": _content(accts, "x_coffee")}).get_json()
    assert _save(editor, t, post["id"], 1, _content(accts, "x_coffee", en="second")).status_code == 200
    stale = _save(editor, t, post["id"], 1, _content(accts, "x_coffee", en="based on v1"))
    assert stale.status_code == 409 and stale.get_json()["current_version"] == 2
    assert editor.get(f"tenants/{t.id}/posts/{post['id']}").get_json()["content"]["variants"][0]["text"] == "second"


def test_one_editor_at_a_time_and_a_manager_can_break_the_lease(brand, herald_runtime):
    t, accts, users, _ = brand
    editor, designer, manager = users["editor"], users["designer"], users["manager"]
    post = editor.post(f"tenants/{t.id}/posts", {"org_unit_id": t.units["coffee"].id,
                                                 "content": _content(accts, "x_coffee")}).get_json()
    assert editor.post(f"tenants/{t.id}/posts/{post['id']}/lease").status_code == 200
    blocked = _save(designer, t, post["id"], 1, _content(accts, "x_coffee", en="designer's"))
    assert blocked.status_code == 409 and "editor@acme.test" in blocked.get_json()["detail"]
    assert designer.post(f"tenants/{t.id}/posts/{post['id']}/lease/break").status_code == 403  # not a manager
    assert manager.post(f"tenants/{t.id}/posts/{post['id']}/lease/break").status_code == 200
    assert _save(designer, t, post["id"], 1, _content(accts, "x_coffee", en="designer's")).status_code == 200
    audit = manager.get(f"tenants/{t.id}/audit-events", query_string={"action": "post.lease_broken"}).get_json()
    assert audit["items"][0]["object_id"] == post["id"]


def test_an_expired_lease_frees_the_post(brand):
    from datetime import timedelta

    from herald.clock import set_clock, utcnow

    t, accts, users, _ = brand
    post = users["editor"].post(f"tenants/{t.id}/posts", {"org_unit_id": t.units["coffee"].id,
                                                          "content": _content(accts, "x_coffee")}).get_json()
    users["editor"].post(f"tenants/{t.id}/posts/{post['id']}/lease")
    later = utcnow() + LEASE_TTL + timedelta(seconds=1)
    set_clock(lambda: later)
    try:
        assert _save(users["designer"], t, post["id"], 1, _content(accts, "x_coffee", en="mine")).status_code == 200
    finally:
        set_clock(None)


def test_versions_record_who_changed_what_and_can_be_compared_and_restored(brand):
    t, accts, users, _ = brand
    editor = users["editor"]
    post = editor.post(f"tenants/{t.id}/posts", {"org_unit_id": t.units["coffee"].id,
                                                 "content": _content(accts, "x_coffee")}).get_json()
    _save(editor, t, post["id"], 1, _content(accts, "x_coffee", ar="قهوة عربية"))
    versions = editor.get(f"tenants/{t.id}/posts/{post['id']}/versions").get_json()["items"]
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["changes"] == [{"field": "variants[x/ar].text", "before": "قهوة طازجة ☕",
                                       "after": "قهوة عربية"}]
    cmp = editor.get(f"tenants/{t.id}/posts/{post['id']}/compare", query_string={"from": "1", "to": "2"}).get_json()
    assert [c["field"] for c in cmp["changes"]] == ["variants[x/ar].text"]
    restored = editor.post(f"tenants/{t.id}/posts/{post['id']}/versions/1/restore", {"base_version": 2})
    assert restored.status_code == 200 and restored.get_json()["current_version"] == 3
    v3 = editor.get(f"tenants/{t.id}/posts/{post['id']}/versions/3").get_json()
    v1 = editor.get(f"tenants/{t.id}/posts/{post['id']}/versions/1").get_json()
    assert v3["content"] == v1["content"] and v3["restored_from"] == 1
    assert editor.get(f"tenants/{t.id}/posts/{post['id']}/versions/9").status_code == 404


def test_comments_mention_colleagues_who_can_see_the_post_and_notify_them(brand, herald_runtime, run_jobs):
    from sqlalchemy import select

    from herald.notifications.models import InAppNotification

    t, accts, users, _ = brand
    editor = users["editor"]
    post = editor.post(f"tenants/{t.id}/posts", {"org_unit_id": t.units["coffee"].id,
                                                 "content": _content(accts, "x_coffee")}).get_json()
    designer_id = users["designer"].get("me").get_json()["id"]
    outsider_id = users["creator_dubai"].get("me").get_json()["id"]  # cannot see coffee's posts
    refused = editor.post(f"tenants/{t.id}/posts/{post['id']}/comments",
                          {"body": "look", "mentions": [outsider_id]})
    assert refused.status_code == 422 and "mentions[0]" in refused.get_json()["errors"]
    ok = editor.post(f"tenants/{t.id}/posts/{post['id']}/comments",
                     {"body": "Can you check the Arabic line?", "version": 1, "mentions": [designer_id]})
    assert ok.status_code == 201, ok.get_json()
    assert run_jobs() == 0
    with herald_runtime.db.transaction() as s:
        kinds = s.scalars(select(InAppNotification.kind).where(InAppNotification.recipient_id == designer_id)).all()
    assert kinds == ["post.mentioned"]
    listed = users["designer"].get(f"tenants/{t.id}/posts/{post['id']}/comments").get_json()["items"]
    assert [c["body"] for c in listed] == ["Can you check the Arabic line?"]


def test_the_history_tells_the_whole_story_in_order(brand):
    t, accts, users, _ = brand
    editor, manager = users["editor"], users["manager"]
    post = editor.post(f"tenants/{t.id}/posts", {"org_unit_id": t.units["coffee"].id,
                                                 "content": _content(accts, "x_coffee")}).get_json()
    _save(editor, t, post["id"], 1, _content(accts, "x_coffee", en="v2"))
    manager.post(f"tenants/{t.id}/posts/{post['id']}/lease/break")
    editor.post(f"tenants/{t.id}/posts/{post['id']}/comments", {"body": "done"})
    story = manager.get(f"tenants/{t.id}/posts/{post['id']}/history").get_json()["items"]
    assert [e["action"] for e in story] == ["post.created", "post.edited", "post.lease_broken", "post.commented"]


def test_post_listings_follow_the_tree_and_the_viewer_s_reach(brand):
    t, accts, users, admin = brand
    body = {"org_unit_id": t.units["coffee"].id, "content": _content(accts, "x_coffee")}
    on_coffee = admin.post(f"tenants/{t.id}/posts", body).get_json()["id"]
    on_dubai = admin.post(f"tenants/{t.id}/posts", {"org_unit_id": t.units["dubai"].id,
                                                    "content": _content(accts, "x_dubai")}).get_json()["id"]

    def ids(client, **query):  # type: ignore[no-untyped-def]
        r = client.get(f"tenants/{t.id}/posts", query_string=query)
        assert r.status_code == 200, r.get_json()
        return {p["id"] for p in r.get_json()["items"]}

    coffee = t.units["coffee"].id
    assert ids(admin, org_unit_id=coffee) == {on_coffee, on_dubai}
    assert ids(admin, org_unit_id=coffee, descendants="false") == {on_coffee}
    assert ids(users["creator_dubai"]) == {on_dubai}  # sees its franchise, not the brand above
