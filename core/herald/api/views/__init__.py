"""View modules; importing them registers their endpoints on the blueprint."""

from herald.api.views import (
    accounts,
    approvals,
    audit,
    library,
    me,
    meta,
    people,
    plugins,
    posts,
    tenants,
    units,
    workflows,
)

__all__ = ["accounts", "approvals", "audit", "library", "me", "meta", "people", "plugins", "posts", "tenants", "units",
           "workflows"]
