"""Schemas of tenants, org units and social accounts."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from herald.api.schemas.common import Id, ListQuery, Locale, Name, TimeZone
from herald.tenancy.models import UNIT_KINDS


def _distinct(values: list[str]) -> None:
    if len({v.lower() for v in values}) != len(values):
        raise ValidationError("Name each language once.")


#: the account's audience languages, most preferred first
AudienceLanguages = lambda **kw: fields.List(  # noqa: E731
    Locale(), validate=[validate.Length(max=10), _distinct], metadata={
        "description": "Languages the account's audience reads (BCP 47), most preferred first: each post "
                       "publishes here its variant in the first of them it has; empty: the post's "
                       "any-language variant, else its first language"}, **kw)

Slug = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,62}$", error="Lowercase letters, digits and dashes; 2–63 characters.")


class TenantOut(Schema):
    id = fields.String()
    slug = fields.String()
    name = fields.String()
    status = fields.String()
    default_locale = fields.String()
    default_time_zone = fields.String()
    created_at = fields.DateTime()


class TenantCreate(Schema):
    slug = fields.String(required=True, validate=Slug)
    name = Name(required=True, kind="tenant")
    root_unit_name = Name(kind="unit")
    default_locale = Locale()
    default_time_zone = TimeZone()


class TenantUpdate(Schema):
    slug = fields.String(validate=Slug)
    name = Name(kind="tenant")
    status = fields.String(validate=validate.OneOf(["active", "suspended"]))
    default_locale = Locale()
    default_time_zone = TimeZone()


class UnitOut(Schema):
    id = fields.String()
    parent_id = fields.String(allow_none=True)
    name = fields.String()
    kind = fields.String()
    depth = fields.Integer()
    path = fields.Method("_path")
    time_zone = fields.String(allow_none=True)
    archived = fields.Method("_archived")
    archived_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()

    def _path(self, unit) -> list[str]:  # type: ignore[no-untyped-def]
        return unit.ancestor_ids

    def _archived(self, unit) -> bool:  # type: ignore[no-untyped-def]
        return unit.archived_at is not None


class UnitCreate(Schema):
    parent_id = Id(required=True)
    name = Name(required=True, kind="unit")
    kind = fields.String(load_default="other", validate=validate.OneOf(UNIT_KINDS))
    time_zone = TimeZone(allow_none=True)


class UnitUpdate(Schema):
    name = Name(kind="unit")
    kind = fields.String(validate=validate.OneOf(UNIT_KINDS))
    time_zone = TimeZone(allow_none=True)


class UnitMove(Schema):
    parent_id = Id(required=True)


class UnitListQuery(ListQuery):
    under = Id(load_default=None)
    parent_id = Id(load_default=None)
    include_archived = fields.Boolean(load_default=False)


class AccountOut(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    network = fields.String()
    handle = fields.String()
    display_name = fields.String()
    external_id = fields.String(allow_none=True)
    time_zone = fields.String(allow_none=True)
    connection_state = fields.String()
    labels = fields.List(fields.String())
    audience_languages = fields.List(fields.String())
    archived_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class AccountCreate(Schema):
    org_unit_id = Id(required=True)
    network = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$"))
    handle = fields.String(required=True, validate=validate.Length(min=1, max=200))
    display_name = Name(load_default="", kind="account", allow_empty=True)
    external_id = fields.String(validate=validate.Length(max=200))
    time_zone = TimeZone(allow_none=True)
    labels = fields.List(fields.String(validate=validate.Length(min=1, max=50)), validate=validate.Length(max=20))
    audience_languages = AudienceLanguages()


class AccountUpdate(Schema):
    org_unit_id = Id()
    handle = fields.String(validate=validate.Length(min=1, max=200))
    display_name = Name(kind="account", allow_empty=True)
    time_zone = TimeZone(allow_none=True)
    labels = fields.List(fields.String(validate=validate.Length(min=1, max=50)), validate=validate.Length(max=20))
    audience_languages = AudienceLanguages()
    archived = fields.Boolean()


class AccountListQuery(ListQuery):
    org_unit_id = Id(load_default=None)
    descendants = fields.Boolean(load_default=True)
    network = fields.String(load_default=None, validate=validate.Length(max=32))
    include_archived = fields.Boolean(load_default=False)
