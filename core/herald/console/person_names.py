"""People as the console names them: their display name, or their e-mail address when they have
none (decisions, comments, versions and the edit lease alike)."""

from __future__ import annotations

from sqlalchemy import select

from herald.api.context import db
from herald.console.blueprint import tenant
from herald.people.models import User


def person_name(user: User) -> str:
    """A person's display name, or their e-mail address when they have none."""
    return user.display_name or user.email


def people_names(ids: set[str] | set[str | None]) -> dict[str, str]:
    """Each person of this tenant by id, named as :func:`person_name` does, in one query."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {u.id: person_name(u) for u in db().scalars(
        select(User).where(User.id.in_(wanted), User.tenant_id == tenant().id))}
