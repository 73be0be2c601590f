"""Schemas of the audit log."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from herald.api.schemas.common import Id, ListQuery


class AuditEventOut(Schema):
    id = fields.String()
    seq = fields.Integer(attribute="chain_seq")
    at = fields.DateTime()
    actor_id = fields.String(allow_none=True)
    actor_label = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String(allow_none=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    context = fields.Raw()
    hash = fields.String()
    prev_hash = fields.String()


class AuditQuery(ListQuery):
    action = fields.String(load_default=None, validate=validate.Length(max=100))
    object_type = fields.String(load_default=None, validate=validate.Length(max=64))
    object_id = fields.String(load_default=None, validate=validate.Length(max=64))
    actor_id = Id(load_default=None)
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)


class VerifyOut(Schema):
    chain = fields.String()
    ok = fields.Boolean()
    events = fields.Integer()
    problems = fields.List(fields.String())
    checkpoints = fields.Integer(metadata={"description": "exported checkpoints of this chain checked (0 when the "
                                                          "instance has no checkpoint file)"})
    checkpoint_problems = fields.List(fields.String(), metadata={
        "description": "checkpoints that could not be read or whose signature does not hold"})
