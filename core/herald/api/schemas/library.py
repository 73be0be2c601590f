"""Schemas of the content library."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from herald.api.schemas.common import Id, ListQuery, Name
from herald.library.models import ASSET_KINDS, ASSET_STATUSES

Tag = lambda: fields.String(validate=validate.Length(min=1, max=50))  # noqa: E731
Tags = lambda **kw: fields.List(Tag(), validate=validate.Length(max=50), **kw)  # noqa: E731


class AssetUpload(Schema):
    """The form fields of a multipart upload; the file itself is the ``file`` part."""

    file = fields.Raw(load_default=None, metadata={"type": "string", "format": "binary",
                                                  "description": "The file; its type is read from its content"})
    org_unit_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["image", "video", "gif", "document"]))
    name = Name(load_default=None, kind="asset")
    tags = Tags(load_default=list)
    licence = fields.String(load_default="", validate=validate.Length(max=1000))
    expires_at = fields.AwareDateTime(load_default=None, allow_none=True)


class AssetTextCreate(Schema):
    org_unit_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["template", "snippet"]))
    name = Name(required=True, kind="asset")
    text = fields.String(required=True, validate=validate.Length(min=1, max=20_000))
    tags = Tags(load_default=list)
    licence = fields.String(load_default="", validate=validate.Length(max=1000))
    expires_at = fields.AwareDateTime(load_default=None, allow_none=True)


class AssetUpdate(Schema):
    name = Name(kind="asset")
    tags = Tags()
    licence = fields.String(validate=validate.Length(max=1000))
    expires_at = fields.AwareDateTime(allow_none=True, metadata={"description": "null: never expires"})
    text = fields.String(validate=validate.Length(min=1, max=20_000),
                         metadata={"description": "Templates and snippets; an approved one goes back to pending"})


class AssetReject(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AssetNote(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class AssetListQuery(ListQuery):
    org_unit_id = Id(load_default=None, metadata={
        "description": "Assets visible from this unit: its own and its ancestors'"})
    kind = fields.String(load_default=None, validate=validate.OneOf(ASSET_KINDS))
    status = fields.String(load_default=None, validate=validate.OneOf(ASSET_STATUSES))
    tag = fields.String(load_default=None, validate=validate.Length(min=1, max=50))
    expired = fields.Boolean(load_default=None, allow_none=True)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=200))


class AssetOut(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    kind = fields.String()
    name = fields.String()
    mime_type = fields.String(allow_none=True)
    size = fields.Integer()
    sha256 = fields.String(allow_none=True)
    text = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    licence = fields.String()
    status = fields.String()
    expires_at = fields.DateTime(allow_none=True)
    expired = fields.Boolean()
    created_by = fields.String()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SignedUrlQuery(Schema):
    ttl = fields.Integer(load_default=None, validate=validate.Range(min=60, max=7 * 86400),
                         metadata={"description": "Seconds the link stays valid (default HERALD_MEDIA_URL_TTL)"})


class SignedUrlOut(Schema):
    url = fields.String()
    expires_at = fields.DateTime()
