"""View modules; importing them registers their endpoints on the blueprint."""

from herald.api.views import (
    accounts,
    approvals,
    audit,
    identity,
    inbox,
    library,
    me,
    meta,
    people,
    plugins,
    posts,
    publishing,
    sessions,
    tenants,
    units,
    workflows,
)

__all__ = [
    "accounts",
    "approvals",
    "audit",
    "identity",
    "inbox",
    "library",
    "me",
    "meta",
    "people",
    "plugins",
    "posts",
    "publishing",
    "sessions",
    "tenants",
    "units",
    "workflows",
]
