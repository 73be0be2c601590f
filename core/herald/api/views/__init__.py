"""View modules; importing them registers their endpoints on the blueprint."""

from herald.api.views import (
    accounts,
    audit,
    me,
    meta,
    people,
    plugins,
    posts,
    publishing,
    tenants,
    units,
    workflows,
)

__all__ = ["accounts", "audit", "me", "meta", "people", "plugins", "posts", "publishing", "tenants", "units",
           "workflows"]
