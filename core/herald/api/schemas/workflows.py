"""Schemas of approval workflows."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates

from herald.api.schemas.common import Id, Name


class Deciders(Schema):
    role = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    users = fields.List(Id(), load_default=list, validate=validate.Length(max=50))
    external = fields.Boolean(load_default=False,
                              metadata={"description": "An invited external reviewer's approval is required"})


class Step(Schema):
    name = Name(required=True, kind="step")
    kind = fields.String(required=True, validate=validate.Length(min=1, max=64))
    deciders = fields.Nested(Deciders, load_default=dict)
    quorum = fields.String(load_default="any", validate=validate.OneOf(["any", "all", "n"]),
                           metadata={"description": "any one, all, or n of the eligible deciders"})
    approvals_needed = fields.Integer(load_default=1, validate=validate.Range(min=1, max=50))
    deadline_hours = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=24 * 90))
    on_deadline = fields.String(load_default="remind", validate=validate.OneOf(["remind", "escalate", "auto_reject"]))
    escalate_to_role = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    options = fields.Dict(keys=fields.String(), load_default=dict)


class DueDate(Schema):
    step = fields.Integer(required=True, validate=validate.Range(min=0, max=19))
    day_of_month = fields.Integer(required=True, validate=validate.Range(min=-1, max=31),
                                  metadata={"description": "1–31, or -1 for the last day of the month"})
    campaign = Name(load_default=None, allow_none=True, kind="campaign",
                   metadata={"description": "Only this campaign (null: every campaign)"})


    @validates("day_of_month")
    def _not_zero(self, value: int, **_: object) -> None:
        if value == 0:
            raise ValidationError("Days are 1–31, or -1 for the last day of the month.")


class WorkflowPut(Schema):
    name = Name(required=True, kind="workflow")
    steps = fields.List(fields.Nested(Step), required=True, validate=validate.Length(min=1, max=20))
    restart_from_step = fields.Integer(load_default=0, validate=validate.Range(min=0, max=19),
                                       metadata={"description": "Where review restarts after an edit invalidates "
                                                                "approvals (0: the first step)"})
    due_calendar = fields.List(fields.Nested(DueDate), load_default=list, validate=validate.Length(max=60),
                               metadata={"description": "Recurring due dates per step for posts in campaigns"})


class WorkflowOut(Schema):
    id = fields.String()
    name = fields.String()
    org_unit_id = fields.String(metadata={"description": "The unit that defines it"})
    key = fields.String()
    inherited = fields.Boolean()
    steps = fields.Raw()
    restart_from_step = fields.Integer()
    due_calendar = fields.Raw()


class RuleConditions(Schema):
    accounts_any = fields.List(Id(), validate=validate.Length(min=1, max=100))
    account_labels_any = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                                     validate=validate.Length(min=1, max=50))
    networks_any = fields.List(fields.String(validate=validate.Length(min=1, max=32)),
                               validate=validate.Length(min=1, max=20))
    languages_any = fields.List(fields.String(validate=validate.Length(min=2, max=16)),
                                validate=validate.Length(min=1, max=50))
    text_contains_any = fields.List(fields.String(validate=validate.Length(min=1, max=200)),
                                    validate=validate.Length(min=1, max=200))
    tags_any = fields.List(fields.String(validate=validate.Length(min=1, max=50)),
                           validate=validate.Length(min=1, max=50))
    campaigns_any = fields.List(fields.String(validate=validate.Length(min=1, max=200)),
                                validate=validate.Length(min=1, max=50))
    paid_promotion = fields.Boolean()


class RuleIn(Schema):
    org_unit_id = Id(required=True, metadata={"description": "Applies to posts on this unit and below"})
    name = Name(required=True, kind="workflow_rule")
    priority = fields.Integer(load_default=100, validate=validate.Range(min=0, max=100_000))
    conditions = fields.Nested(RuleConditions, required=True)
    workflow_key = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_-]{0,63}$"))


class RuleOut(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    name = fields.String()
    priority = fields.Integer()
    conditions = fields.Raw()
    workflow_key = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SubmitBody(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=5000))


class DecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "send_back", "reject"]))
    comment = fields.String(load_default="", validate=validate.Length(max=5000))
    step = fields.Integer(load_default=None, validate=validate.Range(min=0, max=19),
                          metadata={"description": "The step you are deciding (refused if the review moved on)"})


class DecisionOut(Schema):
    id = fields.String()
    step_index = fields.Integer()
    version = fields.Integer()
    decider_id = fields.String(allow_none=True)
    external_review_id = fields.String(allow_none=True)
    decider_label = fields.String()
    decision = fields.String()
    comment = fields.String()
    reasons = fields.List(fields.String())
    created_at = fields.DateTime()


class StepState(Schema):
    index = fields.Integer()
    name = fields.String()
    kind = fields.String()
    state = fields.String(metadata={"description": "done, current, waiting, skipped, blocked, sent_back or rejected"})
    due_at = fields.DateTime(allow_none=True)
    approvals = fields.Integer()
    approvals_needed = fields.Integer()
    eligible_deciders = fields.List(fields.String())
    escalated_to_role = fields.String(allow_none=True)


class ApprovalOut(Schema):
    run_id = fields.String()
    post_id = fields.String()
    post_status = fields.String()
    version = fields.Integer()
    current_version = fields.Integer()
    approved_version = fields.Integer(allow_none=True)
    status = fields.String()
    workflow_name = fields.String()
    workflow_id = fields.String(allow_none=True)
    rule_id = fields.String(allow_none=True)
    chosen_because = fields.String()
    current_step = fields.Integer()
    steps = fields.List(fields.Nested(StepState))
    decisions = fields.List(fields.Nested(DecisionOut))
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


class WaitingOut(Schema):
    post_id = fields.String()
    org_unit_id = fields.String()
    title = fields.String()
    version = fields.Integer()
    step_index = fields.Integer()
    step_name = fields.String()
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()
    workflow_name = fields.String()


class ExternalInvite(Schema):
    name = Name(required=True, kind="person")
    email = fields.Email(required=True, validate=validate.Length(max=320))
    expires_in_hours = fields.Integer(load_default=72, validate=validate.Range(min=1, max=24 * 30))
    can_decide = fields.Boolean(load_default=True)


class ExternalReviewOut(Schema):
    id = fields.String()
    name = fields.String()
    email = fields.String()
    can_decide = fields.Boolean()
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    token = fields.String(metadata={"description": "Shown once, at creation"})
    link = fields.String(metadata={"description": "Shown once, at creation"})


class ExternalView(Schema):
    post_id = fields.String()
    status = fields.String()
    version = fields.Integer()
    content = fields.Raw()
    reviewer = fields.String()
    expires_at = fields.DateTime()
    step_name = fields.String(allow_none=True)
    may_decide = fields.Boolean()


class ExternalDecision(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "send_back", "reject"]))
    comment = fields.String(load_default="", validate=validate.Length(max=5000))


class ExternalComment(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))
