"""TOTP second factor (RFC 6238, 30-second steps, 6 digits) with single-use recovery codes.

The shared secret is sealed with the instance's encryption keys; recovery codes are stored as
SHA-256 digests (they are long random strings, so a fast digest is enough). A code is accepted
one step either side of now, and never twice (the last used step is remembered)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from herald import audit
from herald.auth.models import TotpFactor
from herald.authz.actor import Actor
from herald.clock import utcnow
from herald.errors import Conflict, NotFound, ValidationFailed
from herald.people.models import User
from herald.plugin_host.crypto import SecretBox

ISSUER = "Herald"
RECOVERY_CODES = 10


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def _secret(box: SecretBox, factor: TotpFactor) -> str:
    return str(box.open(factor.secret)["secret"])


def _locked(session: Session, user_id: str) -> TotpFactor | None:
    """The user's factor, re-read under a row lock: concurrent confirmations, sign-ins and
    disables of one factor take turns (a code is then used once even by racing requests)."""
    return session.get(TotpFactor, user_id, with_for_update=True, populate_existing=True)


def required(session: Session, user_id: str) -> bool:
    factor = session.get(TotpFactor, user_id)
    return factor is not None and factor.confirmed_at is not None


def enrol(session: Session, box: SecretBox, actor: Actor, user: User) -> tuple[str, str]:
    """Start (or restart) enrolment: (base32 secret, otpauth:// URI). Not in force until confirmed."""
    # Lock the person's row first: there may be no factor row yet to lock, and two enrolments
    # at once would otherwise both insert one. They take turns, each a restart of the other.
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    factor = _locked(session, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise Conflict("A second factor is already active; disable it first.")
    secret = pyotp.random_base32()
    if factor is None:
        factor = TotpFactor(user_id=user.id, secret="")
        session.add(factor)
    factor.secret, factor.recovery_hashes, factor.last_step = box.seal({"secret": secret}), [], None
    session.flush()
    audit.record(session, actor, "totp.enrolment_started", "user", user.id, tenant_id=user.tenant_id)
    return secret, pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _check_code(box: SecretBox, factor: TotpFactor, code: str) -> int | None:
    """The step ``code`` is valid for (not yet used), or None."""
    code = code.strip()
    if not (code.isascii() and code.isdigit() and len(code) == 6):  # isdigit alone admits other scripts' digits
        return None
    totp = pyotp.TOTP(_secret(box, factor))
    now_step = totp.timecode(utcnow())
    for step in (now_step - 1, now_step, now_step + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and (factor.last_step is None or step > factor.last_step):
            return step
    return None


def confirm(session: Session, box: SecretBox, actor: Actor, user: User, code: str) -> list[str]:
    """Put the factor in force with a first valid code; returns the recovery codes (shown once)."""
    factor = _locked(session, user.id)
    if factor is None:
        raise NotFound("No second factor is being enrolled; start with POST /me/totp.")
    if factor.confirmed_at is not None:
        raise Conflict("The second factor is already active.")
    step = _check_code(box, factor, code)
    if step is None:
        raise ValidationFailed("The code is not valid.", {"code": ["Not the current code of this secret."]})
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    factor.confirmed_at, factor.last_step = utcnow(), step
    factor.recovery_hashes = [_digest(c) for c in codes]
    session.flush()
    audit.record(session, actor, "totp.enabled", "user", user.id, tenant_id=user.tenant_id)
    return codes


def verify(session: Session, box: SecretBox, user_id: str, code: str) -> str | None:
    """"totp" or "recovery_code" if ``code`` passes (a recovery code is used up), else None."""
    factor = _locked(session, user_id)
    if factor is None or factor.confirmed_at is None or not code:
        return None
    step = _check_code(box, factor, code)
    if step is not None:
        factor.last_step = step
        return "totp"
    digest = _digest(code)
    remaining = [h for h in factor.recovery_hashes if not hmac.compare_digest(h, digest)]
    if len(remaining) < len(factor.recovery_hashes):
        factor.recovery_hashes = remaining
        return "recovery_code"
    return None


def disable(session: Session, box: SecretBox, actor: Actor, user: User, code: str) -> None:
    """Remove the factor; needs a current code or a recovery code."""
    factor = _locked(session, user.id)
    if factor is None:
        raise NotFound("No second factor is set up.")
    if factor.confirmed_at is not None and verify(session, box, user.id, code) is None:
        raise ValidationFailed("The code is not valid.", {"code": ["Not a current code or an unused recovery code."]})
    session.delete(factor)
    session.flush()
    audit.record(session, actor, "totp.disabled", "user", user.id, tenant_id=user.tenant_id)
