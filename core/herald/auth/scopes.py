"""API token scopes, each a fixed set of permissions from the catalogue.

A scoped token acts with the permissions its user (or service principal) holds *and* its scopes
allow — never more than either. The one permission check (:func:`herald.authz.can`) applies the
cap, so no endpoint can forget it."""

from __future__ import annotations

from herald.authz.catalogue import PERMISSIONS

_READ = frozenset(p for p in PERMISSIONS if p.endswith(".view")) | {"inbox.read"}

SCOPES: dict[str, frozenset[str]] = {
    "read": _READ,
    "write": _READ | {"posts.create", "posts.edit", "media.manage"},
    # the engagement inbox: read, answer and assign conversations (configuring it is "admin")
    "inbox": frozenset({"inbox.read", "inbox.reply", "inbox.assign", "units.view", "accounts.view"}),
    "publish": _READ | {"posts.schedule", "posts.publish"},
    "approve": _READ | {"posts.review", "posts.legal_review", "posts.approve"},
    "admin": frozenset(PERMISSIONS),
    # SCIM provisioning: users only. The /scim/v2 endpoints also demand this scope by name.
    "scim": frozenset({"users.view", "users.manage"}),
}

SCOPE_DESCRIPTIONS: dict[str, str] = {
    "read": "See everything the owner may see",
    "write": "Create and edit posts and content library assets",
    "inbox": "Read, answer and assign inbox conversations",
    "publish": "Schedule and publish approved posts",
    "approve": "Decide on review and approval steps",
    "admin": "Everything the owner may do",
    "scim": "Provision and deprovision users over SCIM 2.0",
}


def permission_cap(scopes: list[str] | tuple[str, ...] | None) -> frozenset[str] | None:
    """The permissions ``scopes`` allow; None (no cap) for a token without scopes."""
    if scopes is None:
        return None
    allowed: set[str] = set()
    for scope in scopes:
        allowed |= SCOPES.get(scope, frozenset())
    return frozenset(allowed)
