"""Schemas of approval workflows."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from herald.api.schemas.common import Id, Name


class Deciders(Schema):
    role = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    users = fields.List(Id(), load_default=list, validate=validate.Length(max=50))


class Step(Schema):
    name = Name(required=True)
    kind = fields.String(required=True, validate=validate.Length(min=1, max=64))
    deciders = fields.Nested(Deciders, load_default=dict)
    quorum = fields.String(load_default="any", validate=validate.OneOf(["any", "all", "n"]),
                           metadata={"description": "any one, all, or n of the eligible deciders"})
    approvals_needed = fields.Integer(load_default=1, validate=validate.Range(min=1, max=50))
    deadline_hours = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=24 * 90))
    on_deadline = fields.String(load_default="remind", validate=validate.OneOf(["remind", "escalate", "auto_reject"]))
    escalate_to_role = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    options = fields.Dict(keys=fields.String(), load_default=dict)


class WorkflowPut(Schema):
    name = Name(required=True)
    steps = fields.List(fields.Nested(Step), required=True, validate=validate.Length(min=1, max=20))


class WorkflowOut(Schema):
    id = fields.String()
    name = fields.String()
    org_unit_id = fields.String(metadata={"description": "The unit that defines it"})
    inherited = fields.Boolean()
    steps = fields.Raw()
