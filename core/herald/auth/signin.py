"""Local sign-in with email and password: throttling, SSO enforcement with break-glass
administrators, and the TOTP second factor. Every refusal is audited with its precise reason;
the person is told only what cannot help an attacker."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from babel.dates import format_timedelta
from flask import has_request_context
from flask_babel import get_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from herald import audit
from herald.auth import throttle, totp
from herald.auth.directory import TenantDirectory
from herald.auth.policy import get_policy
from herald.errors import HeraldError, Unauthorized
from herald.people.models import User
from herald.runtime import Runtime
from herald.tenancy.models import Tenant

GENERIC = "Those credentials are not valid for this tenant."


class SecondFactorRequired(Unauthorized):
    title = "Second factor required"
    slug = "second-factor-required"


class SsoRequired(Unauthorized):
    title = "Single sign-on required"
    slug = "sso-required"


class TooManyAttempts(HeraldError):
    status = 429
    title = "Too many sign-in attempts"
    slug = "too-many-attempts"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


def wait_in_words(seconds: int) -> str:
    """How long ``seconds`` is, in the request's language ("4 minutes", "٤ دقائق"): whole
    minutes rounded up from a minute on, so that nobody is told to come back too early."""
    locale = str(get_locale() or "en") if has_request_context() else "en"
    if seconds < 60:
        span, unit = timedelta(seconds=max(1, seconds)), "second"
    elif seconds < 3600:
        span, unit = timedelta(minutes=math.ceil(seconds / 60)), "minute"
    else:
        span, unit = timedelta(hours=math.ceil(seconds / 3600)), "hour"
    return format_timedelta(span, granularity=unit, threshold=1_000_000, locale=locale)


def locked_out_message(seconds: int) -> str:
    """The refusal a throttled sign-in gets, with the wait in the person's language."""
    return gettext("Too many failed sign-ins; try again in %(wait)s.", wait=wait_in_words(seconds))


@dataclass(frozen=True)
class SignedIn:
    user: User
    tenant: Tenant
    break_glass: bool
    second_factor: str | None


def _refuse(session: Session, tenant_id: str, user_id: str | None, reason: str, context: dict[str, object],
            error: HeraldError) -> HeraldError:
    audit.record(session, None, "auth.sign_in_refused", "user", user_id, tenant_id=tenant_id,
                 context={"reason": reason, **context})
    session.commit()  # the refusal is recorded although the caller's request fails
    return error


def password_sign_in(session: Session, rt: Runtime, tenant_slug: str, email: str, password: str,
                     totp_code: str | None, address: str | None) -> SignedIn:
    """The user these credentials sign in, or a refusal (committed to the audit log first)."""
    settings = rt.settings
    email = email.strip().lower()
    tenant = session.execute(select(Tenant).where(Tenant.slug == tenant_slug)).scalar_one_or_none()
    if tenant is None or tenant.status != "active":
        raise Unauthorized(GENERIC)
    ctx: dict[str, object] = {"email": email, "address": address}
    waited = throttle.retry_after(session, settings, tenant.id, email, address)
    if waited is not None:
        wait, scope = waited
        raise _refuse(session, tenant.id, None, f"throttled_{scope}", {**ctx, "retry_after": wait},
                      TooManyAttempts(locked_out_message(wait), wait))
    provider = rt.plugins.for_tenant(session, tenant.id).instance("herald_auth_providers", "local")
    if provider is None:
        raise _refuse(session, tenant.id, None, "local_sign_in_disabled", ctx, Unauthorized(GENERIC))
    identity = provider.authenticate({"email": email, "password": password},  # type: ignore[attr-defined]
                                     TenantDirectory(session, tenant.id))
    user = session.get(User, identity.user_id) if identity is not None else None
    if user is None or user.kind != "person":
        throttle.record_failure(session, settings, tenant.id, email, address)
        raise _refuse(session, tenant.id, None, "bad_credentials", ctx, Unauthorized(GENERIC))
    policy = get_policy(session, tenant.id)
    break_glass = policy.sso_enforced and user.id in (policy.break_glass_user_ids or [])
    if policy.sso_enforced and not break_glass:
        raise _refuse(session, tenant.id, user.id, "sso_enforced", ctx,
                      SsoRequired("This tenant signs in with single sign-on; use your organisation's sign-in."))
    second: str | None = None
    if totp.required(session, user.id):
        if not totp_code:
            # The password was right: no failure is counted, the client asks for the code.
            raise SecondFactorRequired("Enter the code from your authenticator app (totp_code).")
        second = totp.verify(session, rt.box, user.id, totp_code)
        if second is None:
            throttle.record_failure(session, settings, tenant.id, email, address)
            raise _refuse(session, tenant.id, user.id, "bad_second_factor", ctx, Unauthorized(GENERIC))
    throttle.clear_account(session, tenant.id, email)
    if break_glass:
        audit.record(session, None, "auth.break_glass_sign_in", "user", user.id, tenant_id=tenant.id,
                     context=ctx)
    return SignedIn(user, tenant, break_glass, second)
