"""The user directory auth providers see: one tenant's users, nothing else."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.auth.provider import DirectoryUser
from herald.people.models import User


class TenantDirectory:
    def __init__(self, session: Session, tenant_id: str) -> None:
        self.session, self.tenant_id = session, tenant_id

    def by_email(self, email: str) -> DirectoryUser | None:
        user = self.session.execute(
            select(User).where(User.tenant_id == self.tenant_id, User.email == email.strip().lower())
        ).scalar_one_or_none()
        if user is None:
            return None
        return DirectoryUser(id=user.id, email=user.email, active=user.active, password_hash=user.password_hash)

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        user = self.session.get(User, user_id)
        if user is not None and user.tenant_id == self.tenant_id:
            user.password_hash = password_hash
