"""The fixed permission catalogue and the built-in roles made from it.

Tenants compose custom roles only from these permissions, so every check in the code base
names one of them. Add a permission here (and to docs/architecture.md) before using it."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "tenant.view": "See the tenant's settings",
    "tenant.manage": "Change the tenant's settings",
    "units.view": "See org units",
    "units.manage": "Create, rename, move and archive org units",
    "accounts.view": "See social accounts",
    "accounts.manage": "Attach, change and archive social accounts",
    "users.view": "See users",
    "users.manage": "Invite, change and disable users",
    "grants.view": "See role grants",
    "grants.manage": "Grant and revoke roles (never beyond one's own permissions)",
    "roles.manage": "Define custom roles",
    "plugins.view": "See which plugins are enabled",
    "plugins.manage": "Enable, disable and configure plugins",
    "audit.view": "Read and verify the audit log",
    "workflows.manage": "Define approval workflows and style-guide rules",
    "posts.view": "See posts",
    "posts.create": "Create posts",
    "posts.edit": "Edit posts",
    "posts.review": "Decide on editorial and design review steps",
    "posts.legal_review": "Decide on legal review steps",
    "posts.approve": "Decide on management approval steps",
    "posts.schedule": "Schedule approved posts",
    "posts.publish": "Publish approved posts",
    "media.view": "See the content library",
    "media.manage": "Add, change and retire content library assets",
    "analytics.view": "See reports and dashboards",
    "inbox.read": "See inbox conversations, their authors and timelines",
    "inbox.reply": "Reply, add notes, tag and change the status of inbox conversations",
    "inbox.assign": "Assign inbox conversations to teams and people",
    "inbox.admin": "Define teams, SLA policies, routing rules and saved replies; erase authors' data",
    "listening.read": "See listening queries, their hits and reports",
    "listening.admin": "Create, change, run and delete listening queries",
}

_VIEW = ("tenant.view", "units.view", "accounts.view", "posts.view", "media.view")

BUILTIN_ROLES: dict[str, dict[str, object]] = {
    "tenant_admin": {"name": "Tenant administrator", "permissions": tuple(PERMISSIONS)},
    "manager": {
        "name": "Manager",
        "permissions": (*_VIEW, "users.view", "grants.view", "grants.manage", "plugins.view",
                        "audit.view", "workflows.manage", "accounts.manage", "posts.create", "posts.edit",
                        "posts.review", "posts.approve", "posts.schedule", "posts.publish",
                        "media.manage", "analytics.view", "inbox.read", "inbox.reply", "inbox.assign",
                        "inbox.admin", "listening.read", "listening.admin"),
    },
    "publisher": {
        "name": "Publisher",
        "permissions": (*_VIEW, "posts.schedule", "posts.publish", "analytics.view"),
    },
    "legal_reviewer": {"name": "Legal reviewer", "permissions": (*_VIEW, "posts.legal_review")},
    "editor": {
        "name": "Editor",
        "permissions": (*_VIEW, "posts.create", "posts.edit", "posts.review", "media.manage"),
    },
    "designer": {"name": "Designer", "permissions": (*_VIEW, "posts.edit", "posts.review", "media.manage")},
    "creator": {"name": "Creator", "permissions": (*_VIEW, "posts.create", "posts.edit")},
    "agent": {"name": "Inbox agent", "permissions": (*_VIEW, "inbox.read", "inbox.reply")},
    "analyst": {"name": "Analyst", "permissions": (*_VIEW, "analytics.view", "inbox.read", "listening.read")},
    "viewer": {"name": "Viewer", "permissions": _VIEW},
}


def builtin_permissions(role_key: str) -> frozenset[str] | None:
    role = BUILTIN_ROLES.get(role_key)
    return frozenset(role["permissions"]) if role else None  # type: ignore[arg-type]
