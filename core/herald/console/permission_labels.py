"""The permission catalogue and the token scopes in the person's language, grouped for forms.
The codes stay the catalogue's own (``herald.authz.catalogue``); only their descriptions are
translated here, and a code missing here is shown with the catalogue's English description."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from herald.auth.scopes import SCOPE_DESCRIPTIONS, SCOPES
from herald.authz.catalogue import BUILTIN_ROLES, PERMISSIONS

GROUPS = {
    "tenant": _l("Organisation settings"), "units": _l("Units"), "accounts": _l("Social accounts"),
    "users": _l("People"), "grants": _l("Grants"), "roles": _l("Roles"), "plugins": _l("Plugins"),
    "audit": _l("Audit log"), "workflows": _l("Workflows"), "posts": _l("Posts"), "media": _l("Content library"),
    "analytics": _l("Analytics"), "inbox": _l("Inbox"),
    "listening": _l("Listening"),
}

DESCRIPTIONS = {
    "tenant.view": _l("See the tenant's settings"),
    "tenant.manage": _l("Change the tenant's settings"),
    "units.view": _l("See org units"),
    "units.manage": _l("Create, rename, move and archive org units"),
    "accounts.view": _l("See social accounts"),
    "accounts.manage": _l("Attach, change and archive social accounts"),
    "users.view": _l("See users"),
    "users.manage": _l("Invite, change and disable users"),
    "grants.view": _l("See role grants"),
    "grants.manage": _l("Grant and revoke roles (never beyond one's own permissions)"),
    "roles.manage": _l("Define custom roles"),
    "plugins.view": _l("See which plugins are enabled"),
    "plugins.manage": _l("Enable, disable and configure plugins"),
    "audit.view": _l("Read and verify the audit log"),
    "workflows.manage": _l("Define approval workflows and style-guide rules"),
    "posts.view": _l("See posts"),
    "posts.create": _l("Create posts"),
    "posts.edit": _l("Edit posts"),
    "posts.review": _l("Decide on editorial and design review steps"),
    "posts.legal_review": _l("Decide on legal review steps"),
    "posts.approve": _l("Decide on management approval steps"),
    "posts.schedule": _l("Schedule approved posts"),
    "posts.publish": _l("Publish approved posts"),
    "media.view": _l("See the content library"),
    "media.manage": _l("Add, change and retire content library assets"),
    "analytics.view": _l("See reports and dashboards"),
    "inbox.read": _l("See inbox conversations, their authors and timelines"),
    "inbox.reply": _l("Reply, add notes, tag and change the status of inbox conversations"),
    "inbox.assign": _l("Assign inbox conversations to teams and people"),
    "inbox.admin": _l("Define teams, SLA policies, routing rules and saved replies; erase authors' data"),
    "listening.read": _l("See listening queries, their hits and reports"),
    "listening.admin": _l("Create, change, run and delete listening queries"),
}

ROLE_NAMES = {
    "tenant_admin": _l("Tenant administrator"), "manager": _l("Manager"), "publisher": _l("Publisher"),
    "legal_reviewer": _l("Legal reviewer"), "editor": _l("Editor"), "designer": _l("Designer"),
    "creator": _l("Creator"), "agent": _l("Inbox agent"), "analyst": _l("Analyst"), "viewer": _l("Viewer"),
}

ROLE_DESCRIPTIONS = {
    "tenant_admin": _l("Everything in the organisation, its settings and plugins included"),
    "manager": _l("Runs units: people's roles, workflows, social accounts, final approval, publishing and the inbox"),
    "publisher": _l("Schedules and publishes approved posts"),
    "legal_reviewer": _l("Decides on legal review steps"),
    "editor": _l("Writes and edits posts, decides on editorial review, manages the content library"),
    "designer": _l("Edits posts, decides on design review, manages the content library"),
    "creator": _l("Writes and edits posts"),
    "agent": _l("Reads and answers inbox conversations"),
    "analyst": _l("Sees reports, dashboards and the inbox"),
    "viewer": _l("Sees posts, units, accounts and the content library"),
}

SCOPE_LABELS = {
    "read": _l("See everything the owner may see"),
    "write": _l("Create and edit posts and content library assets"),
    "inbox": _l("Read, answer and assign inbox conversations"),
    "publish": _l("Schedule and publish approved posts"),
    "approve": _l("Decide on review and approval steps"),
    "admin": _l("Everything the owner may do"),
    "scim": _l("Provision and deprovision users over SCIM 2.0"),
}


def permission_label(code: str) -> str:
    found = DESCRIPTIONS.get(code)
    return str(found) if found is not None else PERMISSIONS.get(code, code)


def role_name(role: dict[str, object] | str) -> str:
    """A built-in role's translated name; a custom role's own. ``role`` is a role as
    ``people.service.all_roles`` lists it, or a role key (a grant's): a key that is not built in
    is shown as it is."""
    if isinstance(role, str):
        return str(ROLE_NAMES[role]) if role in ROLE_NAMES and role in BUILTIN_ROLES else role
    key = str(role["key"])
    if role.get("builtin") and key in ROLE_NAMES and key in BUILTIN_ROLES:
        return str(ROLE_NAMES[key])
    return str(role.get("name") or key)


def role_description(role: dict[str, object]) -> str:
    """A built-in role's translated description; a custom role's own (maybe empty)."""
    key = str(role["key"])
    if role.get("builtin") and key in ROLE_DESCRIPTIONS and key in BUILTIN_ROLES:
        return str(ROLE_DESCRIPTIONS[key])
    return str(role.get("description") or "")


def grouped_permissions() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """[(group code, group label, [(permission, label)])] in catalogue order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code in PERMISSIONS:
        groups.setdefault(code.split(".", 1)[0], []).append((code, permission_label(code)))
    return [(g, str(GROUPS.get(g, g)), perms) for g, perms in groups.items()]


def scopes() -> list[tuple[str, str]]:
    return [(key, str(SCOPE_LABELS.get(key, SCOPE_DESCRIPTIONS.get(key, key)))) for key in SCOPES]
