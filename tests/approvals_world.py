"""A tenant set up for approval tests: a brand tree, a test network, accounts (one labelled
regulated) and one person per role. Shared by the approval tests and the property test."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from herald.plugins import Capabilities, NetworkConnector, hookimpl


class ReviewNet(NetworkConnector):
    key = "reviewnet"
    display_name = "Review network"
    capabilities = Capabilities(max_text_length=500)


class ReviewNetPlugin:
    HERALD_HOOK_API = "1.0"

    @staticmethod
    @hookimpl
    def herald_network_connectors():  # type: ignore[no-untyped-def]
        return [ReviewNet]


THREE_STEPS = [
    {"name": "Editorial review", "kind": "human_review", "deciders": {"role": "editor"}},
    {"name": "Legal", "kind": "human_review", "deciders": {"role": "legal_reviewer"}},
    {"name": "Manager sign-off", "kind": "human_review", "deciders": {"role": "manager"}},
]

PEOPLE = {
    "creator": [("creator", "coffee")],
    "creator2": [("creator", "coffee")],
    "editor": [("editor", "coffee")],
    "editor2": [("editor", "coffee")],
    "legal": [("legal_reviewer", "root")],
    "manager": [("manager", "root")],
    "manager2": [("manager", "coffee")],
    "tea_editor": [("editor", "tea")],
    "viewer": [("viewer", "coffee")],
}


@dataclass
class World:
    tenant: Any
    admin: Any
    accounts: dict[str, str]
    clients: dict[str, Any] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def tid(self) -> str:
        return self.tenant.id

    def unit(self, name: str) -> str:
        return self.tenant.units[name].id

    def content(self, text: str = "Fresh coffee today", account: str = "coffee", **extra: Any) -> dict[str, Any]:
        return {"title": "Launch", "targets": [self.accounts[account]], "variants": [{"text": text}], **extra}

    def create(self, who: str = "creator", unit: str = "coffee", **content: Any) -> dict[str, Any]:
        r = self.clients[who].post(f"tenants/{self.tid}/posts",
                                   {"org_unit_id": self.unit(unit), "content": self.content(**content)})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def workflow(self, steps: list[dict[str, Any]], unit: str = "root", key: str | None = None,
                 **extra: Any) -> None:
        path = f"tenants/{self.tid}/org-units/{self.unit(unit)}/" + (f"workflows/{key}" if key else "workflow")
        r = self.admin.request("PUT", path, json={"name": f"{key or 'default'} workflow", "steps": steps, **extra})
        assert r.status_code == 200, r.get_json()

    def submit(self, post_id: str, who: str = "creator") -> Any:
        return self.clients[who].post(f"tenants/{self.tid}/posts/{post_id}/submit", {})

    def decide(self, post_id: str, who: str, decision: str = "approve", comment: str = "") -> Any:
        return self.clients[who].post(f"tenants/{self.tid}/posts/{post_id}/decisions",
                                      {"decision": decision, "comment": comment})

    def post(self, post_id: str, who: str = "admin") -> dict[str, Any]:
        client = self.admin if who == "admin" else self.clients[who]
        return client.get(f"tenants/{self.tid}/posts/{post_id}").get_json()

    def approval(self, post_id: str) -> dict[str, Any]:
        return self.admin.get(f"tenants/{self.tid}/posts/{post_id}/approval").get_json()

    def edit(self, post_id: str, who: str, text: str) -> Any:
        base = self.post(post_id)["current_version"]
        r = self.clients[who].request("PUT", f"tenants/{self.tid}/posts/{post_id}/content",
                                      json={"base_version": base, "content": self.content(text)})
        self.clients[who].delete(f"tenants/{self.tid}/posts/{post_id}/lease")
        return r


def build_world(seed: Any, api: Any, register_plugin: Any | None, slug: str = "acme") -> World:
    """The tenant ``slug``; registers the test network unless ``register_plugin`` is None
    (already registered)."""
    if register_plugin is not None:
        register_plugin(ReviewNetPlugin(), "reviewnet")
    t = seed.tenant(slug, {"coffee": None, "dubai": "coffee", "tea": None})
    admin_user, admin_token = seed.user(t, f"admin@{slug}.test", [("tenant_admin", "root")])
    admin = api(admin_token)
    assert admin.patch(f"tenants/{t.id}/plugins/reviewnet", {"enabled": True}).status_code == 200
    accounts = {}
    for name, unit, labels in (("coffee", "coffee", []), ("pharma", "coffee", ["regulated"]), ("tea", "tea", [])):
        r = admin.post(f"tenants/{t.id}/social-accounts",
                       {"org_unit_id": t.units[unit].id, "network": "reviewnet", "handle": f"acme_{name}",
                        "labels": labels})
        assert r.status_code == 201, r.get_json()
        accounts[name] = r.get_json()["id"]
    world = World(t, admin, accounts)
    world.ids["admin"] = admin_user.id
    for name, grants in PEOPLE.items():
        user, token = seed.user(t, f"{name}@{slug}.test", grants)
        world.clients[name] = api(token)
        world.ids[name] = user.id
    return world
