"""Schemas of sessions, second factors, sign-in policy, tokens, group mappings and links."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from herald.api.schemas.common import Id, Name
from herald.api.schemas.people import Email
from herald.auth.scopes import SCOPES

Scopes = lambda **kw: fields.List(fields.String(validate=validate.OneOf(list(SCOPES))),  # noqa: E731
                                  validate=validate.Length(min=1, max=len(SCOPES)), **kw)
Password = lambda **kw: fields.String(validate=validate.Length(min=12, max=200), load_only=True, **kw)  # noqa: E731


class SessionCreate(Schema):
    tenant = fields.String(required=True, validate=validate.Length(min=1, max=63))
    email = Email(required=True)
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)
    totp_code = fields.String(load_default=None, validate=validate.Length(max=40), load_only=True)


class SessionOut(Schema):
    id = fields.String()
    user_id = fields.String()
    tenant_id = fields.String(allow_none=True)
    via = fields.String()
    address = fields.String(allow_none=True)
    created_at = fields.DateTime()
    last_seen_at = fields.DateTime()
    expires_at = fields.DateTime()
    current = fields.Boolean()


class SessionIssued(SessionOut):
    csrf_token = fields.String()


class EndedCount(Schema):
    ended = fields.Integer()


class TotpEnrolment(Schema):
    secret = fields.String()
    otpauth_uri = fields.String()


class TotpCode(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40), load_only=True)


class RecoveryCodes(Schema):
    recovery_codes = fields.List(fields.String())


class IdentityPolicyIn(Schema):
    sso_enforced = fields.Boolean(load_default=False)
    break_glass_user_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=20))


class IdentityPolicyOut(Schema):
    sso_enforced = fields.Boolean()
    break_glass_user_ids = fields.List(fields.String())


class ScopedTokenCreate(Schema):
    name = Name(required=True, kind="token")
    expires_in_days = fields.Integer(validate=validate.Range(min=1, max=3650), load_default=None)
    scopes = Scopes(load_default=None)


class ScopedTokenOut(Schema):
    id = fields.String()
    name = fields.String()
    kind = fields.String()
    scopes = fields.List(fields.String(), allow_none=True)
    user_id = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)
    last_used_address = fields.String(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class ScopedTokenIssued(ScopedTokenOut):
    token = fields.String()


class PasswordTokenIssued(ScopedTokenIssued):
    tenant_id = fields.String(metadata={"description": "The signed-in person's tenant: the `<tenant_id>` of "
                                                       "the `/tenants/<tenant_id>/…` endpoints"})


class ServiceTokenCreate(Schema):
    name = Name(required=True, kind="token")
    scopes = Scopes(load_default=lambda: ["read"])
    expires_in_days = fields.Integer(validate=validate.Range(min=1, max=3650), load_default=None)


class ScopeOut(Schema):
    key = fields.String()
    description = fields.String()
    permissions = fields.List(fields.String())


class GroupMapping(Schema):
    group = fields.String(required=True, validate=validate.Length(min=1, max=500))
    role = fields.String(required=True, validate=validate.Length(min=1, max=64))
    org_unit_id = Id(required=True)


class InvitationCreate(Schema):
    email = Email(required=True)
    display_name = Name(required=True, kind="person")


class InvitationOut(Schema):
    id = fields.String()
    user_id = fields.String()
    expires_at = fields.DateTime()
    emailed = fields.Boolean(metadata={"description": "Whether an e-mail notifier enabled for the tenant was "
                                                      "asked to send the link; when false, pass the link on"})
    url = fields.String(metadata={"description": "The single-use invitation link (for whoever invited, who holds "
                                                 "users.manage)"})


class InvitationAccept(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)
    password = Password(required=True)


class PasswordResetRequest(Schema):
    tenant = fields.String(required=True, validate=validate.Length(min=1, max=63))
    email = Email(required=True)


class PasswordResetComplete(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)
    password = Password(required=True)
