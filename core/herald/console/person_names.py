"""People as the console names them: their display name, or their e-mail address when they have
none (decisions, comments, versions and the edit lease alike)."""

from __future__ import annotations

from sqlalchemy import select

from herald.api.context import db
from herald.console.blueprint import tenant
from herald.people.models import User


def people_names(ids: set[str]) -> dict[str, str]:
    """Each person's display name (their e-mail address when they have none), by id."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u.display_name or u.email for u in db().scalars(
        select(User).where(User.id.in_(ids), User.tenant_id == tenant().id))}
