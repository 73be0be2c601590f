"""Local sign-in with an email address and an argon2-hashed password."""

from __future__ import annotations

from collections.abc import Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from herald.plugins import AuthProvider, DirectoryUser, Identity, UserDirectory, hookimpl

HERALD_HOOK_API = "1.0"

_hasher = PasswordHasher()
# Verified when the user does not exist, so both paths cost one argon2 verification.
_DUMMY_HASH = _hasher.hash("herald-no-such-user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


class LocalPasswordProvider(AuthProvider):
    key = "local"
    display_name = "Email and password"

    def authenticate(self, credentials: Mapping[str, str], directory: UserDirectory) -> Identity | None:
        email = (credentials.get("email") or "").strip().lower()
        password = credentials.get("password") or ""
        user: DirectoryUser | None = directory.by_email(email) if email else None
        stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if user is None or not user.active or not user.password_hash:
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            directory.set_password_hash(user.id, _hasher.hash(password))
        return Identity(user_id=user.id, provider=self.key)


@hookimpl(trylast=True)
def herald_auth_providers() -> list[type[AuthProvider]]:
    return [LocalPasswordProvider]
