"""Schemas of users, roles, grants and tokens."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from herald.api.schemas.common import Id, ListQuery, Locale, Name, TimeZone

Email = lambda **kw: fields.Email(validate=validate.Length(max=320), **kw)  # noqa: E731
RoleKey = validate.Regexp(r"^[a-z][a-z0-9_]{1,63}$",
                          error="Lowercase letters, digits and underscores; 2–64 characters.")


class UserOut(Schema):
    id = fields.String()
    email = fields.String()
    display_name = fields.String()
    status = fields.String()
    kind = fields.String()
    locale = fields.String(allow_none=True)
    time_zone = fields.String(allow_none=True)
    created_at = fields.DateTime()


class MeOut(UserOut):
    tenant_id = fields.String(allow_none=True)
    is_operator = fields.Boolean()


class UserCreate(Schema):
    email = Email(required=True)
    display_name = Name(required=True, kind="person")
    locale = Locale()
    time_zone = TimeZone()
    password = fields.String(validate=validate.Length(min=12, max=200), load_only=True)


class UserUpdate(Schema):
    email = Email()
    display_name = Name(kind="person")
    locale = Locale(allow_none=True)
    time_zone = TimeZone(allow_none=True)
    status = fields.String(validate=validate.OneOf(["active", "disabled"]))


class UserListQuery(ListQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(["active", "disabled"]))
    email = fields.String(load_default=None, validate=validate.Length(max=320))


class RoleOut(Schema):
    key = fields.String()
    name = fields.String()
    description = fields.String()
    permissions = fields.List(fields.String())
    builtin = fields.Boolean()


class RoleCreate(Schema):
    key = fields.String(required=True, validate=RoleKey)
    name = Name(required=True, kind="role")
    description = fields.String(load_default="", validate=validate.Length(max=1000))
    permissions = fields.List(fields.String(validate=validate.Length(max=64)), required=True,
                              validate=validate.Length(min=1, max=100))


class RoleUpdate(Schema):
    name = Name(kind="role")
    description = fields.String(validate=validate.Length(max=1000))
    permissions = fields.List(fields.String(validate=validate.Length(max=64)), validate=validate.Length(min=1, max=100))


class GrantOut(Schema):
    id = fields.String()
    user_id = fields.String()
    role_key = fields.String()
    org_unit_id = fields.String()
    granted_by = fields.String(allow_none=True)
    created_at = fields.DateTime()


class GrantCreate(Schema):
    user_id = Id(required=True)
    role_key = fields.String(required=True, validate=validate.Length(min=1, max=64))
    org_unit_id = Id(required=True)


class GrantListQuery(ListQuery):
    user_id = Id(load_default=None)
    org_unit_id = Id(load_default=None)


class PasswordLogin(Schema):
    tenant = fields.String(required=True, validate=validate.Length(min=1, max=63))
    email = Email(required=True)
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)
    token_name = Name(load_default="sign-in", kind="token")
    expires_in_days = fields.Integer(validate=validate.Range(min=1, max=90), load_default=30)
    totp_code = fields.String(load_default=None, validate=validate.Length(max=40), load_only=True)


class PermissionOut(Schema):
    key = fields.String()
    description = fields.String()
