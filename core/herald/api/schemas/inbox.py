"""Schemas of the inbox: conversations, items, timeline, replies, teams, SLA policies, routing
rules, saved replies and views, authors."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from herald.api.schemas.common import Id, ListQuery, Name, TimeZone
from herald.inbox.models import KINDS, PRIORITIES, SLA_STATES, STATUSES
from herald.inbox.queries import ORDERS, SENTIMENT_BANDS
from herald.inbox.triage import BULK_ACTIONS

Tag = lambda **kw: fields.String(validate=validate.Length(min=1, max=64), **kw)  # noqa: E731
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


# ----------------------------------------------------------------------------- views
class InboxFilter(Schema):
    """Which conversations: every field narrows (lists mean "any of")."""

    unit_id = Id(load_default=None)
    descendants = fields.Boolean(load_default=True)
    account_id = fields.List(Id(), load_default=None)
    network = fields.List(fields.String(validate=validate.Length(max=32)), load_default=None)
    kind = fields.List(fields.String(validate=validate.OneOf(KINDS)), load_default=None)
    status = fields.List(fields.String(validate=validate.OneOf([*STATUSES, "all"])), load_default=None)
    team_id = Id(load_default=None, metadata={"description": "a team id, or 'none'"})
    assignee_id = Id(load_default=None, metadata={"description": "a user id, 'me' or 'none'"})
    priority = fields.List(fields.String(validate=validate.OneOf(PRIORITIES)), load_default=None)
    tag = fields.List(Tag(), load_default=None)
    sentiment = fields.String(load_default=None, validate=validate.OneOf(list(SENTIMENT_BANDS)))
    language = fields.List(fields.String(validate=validate.Length(min=2, max=16)), load_default=None)
    intent = fields.List(fields.String(validate=validate.Length(min=1, max=64)), load_default=None)
    sla_state = fields.List(fields.String(validate=validate.OneOf(SLA_STATES)), load_default=None)
    account_label = fields.List(Tag(), load_default=None)
    author_id = Id(load_default=None)
    include_snoozed = fields.Boolean(load_default=False)
    snoozed = fields.Boolean(load_default=False)


class ConversationListQuery(ListQuery, InboxFilter):
    order = fields.String(load_default="newest", validate=validate.OneOf(list(ORDERS)))
    view_id = Id(load_default=None, metadata={"description": "start from a saved view's filters"})


class AuthorBrief(Schema):
    id = fields.String()
    handle = fields.String()
    display_name = fields.String()
    followers = fields.Integer(allow_none=True)
    verified = fields.Boolean(allow_none=True)
    language = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    spam = fields.Boolean()
    erased = fields.Method("_erased")
    first_seen_at = fields.DateTime()
    last_seen_at = fields.DateTime()

    def _erased(self, obj: Any) -> bool:
        return obj.erased_at is not None


class ConversationOut(Schema):
    id = fields.String()
    account_id = fields.String()
    network = fields.String()
    kind = fields.String()
    author_id = fields.String(allow_none=True)
    status = fields.String()
    priority = fields.String()
    team_id = fields.String(allow_none=True)
    assignee_id = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    language = fields.String(allow_none=True)
    sentiment = fields.Float(allow_none=True)
    intent = fields.String(allow_none=True)
    preview = fields.String()
    item_count = fields.Integer()
    snoozed_until = fields.DateTime(allow_none=True)
    first_inbound_at = fields.DateTime(allow_none=True)
    last_inbound_at = fields.DateTime(allow_none=True)
    last_message_at = fields.DateTime()
    routing = fields.List(fields.Dict())
    #: set while the conversation waits for its enrichment before routing
    routing_pending_since = fields.DateTime(allow_none=True)
    sla = fields.Method("_sla")
    #: who is answering right now (the reply lease), set by the view
    replying = fields.Raw(allow_none=True, dump_default=None)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def _sla(self, obj: Any) -> dict[str, Any]:
        iso = lambda v: v.isoformat() if v else None  # noqa: E731
        return {"state": obj.sla_state, "policy_id": obj.sla_policy_id, "cycle": obj.sla_cycle,
                "started_at": iso(obj.sla_started_at), "first_response_due_at": iso(obj.first_response_due_at),
                "first_responded_at": iso(obj.first_responded_at), "resolution_due_at": iso(obj.resolution_due_at),
                "resolved_at": iso(obj.resolved_at), "due_at": iso(obj.sla_due_at)}


class ItemOut(Schema):
    id = fields.String()
    remote_id = fields.String()
    kind = fields.String()
    direction = fields.String()
    author_id = fields.String(allow_none=True)
    text = fields.String()
    language = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    in_reply_to = fields.String(allow_none=True)
    media = fields.List(fields.Dict())
    #: by enricher key: {"values": {...annotations}, "version", "plugin", "at"}
    enrichment = fields.Dict(metadata={"description": "What each enricher said, by its key: values, version, "
                                                      "plugin and when."})
    #: None until the enrichers have run (or when the tenant has none)
    enriched_at = fields.DateTime(allow_none=True)
    source = fields.String()
    reply_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
    received_at = fields.DateTime()
    edited_at = fields.DateTime(allow_none=True)
    deleted = fields.Method("_deleted")

    def _deleted(self, obj: Any) -> bool:
        return obj.deleted_at is not None


class TimelineOut(Schema):
    id = fields.String()
    kind = fields.String()
    at = fields.DateTime()
    actor_id = fields.String(allow_none=True)
    item_id = fields.String(allow_none=True)
    data = fields.Dict()


class ConversationDetail(ConversationOut):
    author = fields.Nested(AuthorBrief, allow_none=True)
    items = fields.List(fields.Nested(ItemOut))
    timeline = fields.List(fields.Nested(TimelineOut))
    reply_checks = fields.Dict()


class CountsOut(Schema):
    total = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())


# ----------------------------------------------------------------------------- triage
class ConversationUpdate(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    add_tags = fields.List(Tag(), validate=validate.Length(max=50))
    remove_tags = fields.List(Tag(), validate=validate.Length(max=50))
    snoozed_until = fields.AwareDateTime(allow_none=True)
    spam = fields.Boolean()
    team_id = Id(allow_none=True)
    assignee_id = Id(allow_none=True)


class BulkAction(Schema):
    action = fields.String(required=True, validate=validate.OneOf(BULK_ACTIONS))
    conversation_ids = fields.List(Id(), validate=validate.Length(min=1, max=1000))
    filter = fields.Nested(InboxFilter)
    status = fields.String(validate=validate.OneOf(STATUSES))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    add = fields.List(Tag(), load_default=list)
    remove = fields.List(Tag(), load_default=list)
    spam = fields.Boolean(load_default=True)
    until = fields.AwareDateTime(allow_none=True)
    team_id = Id(allow_none=True)
    assignee_id = Id(allow_none=True)

    @validates_schema
    def _selection(self, data: dict[str, Any], **_: Any) -> None:
        if ("conversation_ids" in data) == ("filter" in data):
            raise ValidationError("Give either conversation_ids or filter.", "conversation_ids")
        needs = {"status": "status", "priority": "priority"}.get(data["action"])
        if needs and needs not in data:
            raise ValidationError(f"The {data['action']} action needs {needs!r}.", needs)
        if data["action"] == "assign" and "team_id" not in data and "assignee_id" not in data:
            raise ValidationError("The assign action needs team_id and/or assignee_id.", "assignee_id")


class BulkResult(Schema):
    matched = fields.Integer()
    changed = fields.Integer()


class NoteCreate(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=10_000))


class NoteOut(Schema):
    id = fields.String()
    text = fields.String()
    mentions = fields.List(fields.String())


class LeaseRequest(Schema):
    take_over = fields.Boolean(load_default=False)


class LeaseOut(Schema):
    user_id = fields.String()
    name = fields.String()
    until = fields.String(allow_none=True)


# ----------------------------------------------------------------------------- replies
class ReplyCreate(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=20_000))
    in_reply_to = fields.String(validate=validate.Length(min=1, max=200))
    private = fields.Boolean(load_default=False)
    take_over = fields.Boolean(load_default=False)
    saved_reply_id = Id()


class ReplyCheck(Schema):
    text = fields.String(required=True, validate=validate.Length(max=20_000))
    in_reply_to = fields.String(validate=validate.Length(min=1, max=200))
    private = fields.Boolean(load_default=False)


class ReplyCheckOut(Schema):
    kind = fields.String()
    length = fields.Integer()
    window_closes_at = fields.String(allow_none=True)
    problems = fields.List(fields.Dict())


class ReplyOut(Schema):
    id = fields.String()
    conversation_id = fields.String()
    account_id = fields.String()
    kind = fields.String()
    text = fields.String()
    in_reply_to = fields.String(allow_none=True)
    private = fields.Boolean()
    state = fields.String()
    author_user_id = fields.String()
    remote_id = fields.String(allow_none=True)
    remote_url = fields.String(allow_none=True)
    error = fields.String(allow_none=True)
    attempt_count = fields.Integer()
    approval_post_id = fields.String(allow_none=True, metadata={
        "description": "A governed reply's approval: the post that carries it through the approval engine."})
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)


# ----------------------------------------------------------------------------- settings
class InboxSettingsIn(Schema):
    approval_accounts = fields.List(Id(), validate=validate.Length(max=1000), metadata={
        "description": "Replies on these social accounts need approval."})
    approval_account_labels = fields.List(Tag(), validate=validate.Length(max=100), metadata={
        "description": "Replies on accounts with any of these labels need approval (e.g. regulated)."})
    approval_tags = fields.List(Tag(), validate=validate.Length(max=100), metadata={
        "description": "Replies in conversations with any of these tags need approval."})


class InboxSettingsOut(Schema):
    approval_accounts = fields.List(fields.String())
    approval_account_labels = fields.List(fields.String())
    approval_tags = fields.List(fields.String())


# ----------------------------------------------------------------------------- teams and SLAs
def _hours(value: dict[str, Any]) -> None:
    days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    for day, spans in value.items():
        if day not in days:
            raise ValidationError(f"{day!r} is not a day; use mon, tue, wed, thu, fri, sat, sun.")
        if not isinstance(spans, list):
            raise ValidationError(f"{day}: give a list of [from, to] pairs.")
        for span in spans:
            if (not isinstance(span, list) or len(span) != 2
                    or not all(isinstance(t, str) and _HHMM.match(t) for t in span)):
                raise ValidationError(f"{day}: each span is [\"HH:MM\", \"HH:MM\"], e.g. [\"09:00\", \"17:00\"].")


class MemberIn(Schema):
    user_id = Id(required=True)
    away = fields.Boolean(load_default=False)
    away_until = fields.AwareDateTime(allow_none=True, load_default=None)


class TeamIn(Schema):
    name = Name(required=True, kind="team")
    description = fields.String(validate=validate.Length(max=2000))
    unit_ids = fields.List(Id(), validate=validate.Length(max=200))
    time_zone = TimeZone()
    business_hours = fields.Dict(keys=fields.String(), values=fields.Raw(), validate=_hours)
    holidays = fields.List(fields.Date(format="%Y-%m-%d"), validate=validate.Length(max=400))
    assignment = fields.String(validate=validate.OneOf(["manual", "round_robin", "least_open"]))
    members = fields.List(fields.Nested(MemberIn), validate=validate.Length(max=500))


class TeamPatch(TeamIn):
    name = Name(kind="team")


class MemberOut(Schema):
    user_id = fields.String()
    away = fields.Boolean()
    away_until = fields.DateTime(allow_none=True)


class TeamOut(Schema):
    id = fields.String()
    name = fields.String()
    description = fields.String()
    unit_ids = fields.List(fields.String())
    time_zone = fields.String()
    business_hours = fields.Dict()
    holidays = fields.List(fields.String())
    assignment = fields.String()
    members = fields.List(fields.Nested(MemberOut), attribute="member_list", dump_default=list)
    created_at = fields.DateTime()


class AwayIn(Schema):
    away = fields.Boolean(required=True)
    away_until = fields.AwareDateTime(allow_none=True, load_default=None)


class SlaPolicyIn(Schema):
    name = Name(required=True, kind="sla_policy")
    team_id = Id(allow_none=True)
    priority = fields.String(allow_none=True, validate=validate.OneOf(PRIORITIES))
    first_response_s = fields.Integer(allow_none=True, validate=validate.Range(min=60, max=90 * 86400))
    resolution_s = fields.Integer(allow_none=True, validate=validate.Range(min=60, max=365 * 86400))


class SlaPolicyPatch(SlaPolicyIn):
    name = Name(kind="sla_policy")


class SlaPolicyOut(Schema):
    id = fields.String()
    name = fields.String()
    team_id = fields.String(allow_none=True)
    priority = fields.String(allow_none=True)
    first_response_s = fields.Integer(allow_none=True)
    resolution_s = fields.Integer(allow_none=True)


class SlaOutcomeQuery(Schema):
    since = fields.AwareDateTime(required=True)
    until = fields.AwareDateTime(required=True)
    team_id = Id(load_default=None)


# ----------------------------------------------------------------------------- routing rules
class RoutingRuleIn(Schema):
    name = Name(required=True, kind="routing_rule")
    org_unit_id = Id(allow_none=True)
    enabled = fields.Boolean(load_default=True)
    position = fields.Integer(validate=validate.Range(min=0, max=1_000_000))
    definition = fields.Dict(required=True)


class RoutingRulePatch(RoutingRuleIn):
    name = Name(kind="routing_rule")
    enabled = fields.Boolean()
    definition = fields.Dict()


class RoutingRuleOut(Schema):
    id = fields.String()
    name = fields.String()
    org_unit_id = fields.String(allow_none=True)
    enabled = fields.Boolean()
    position = fields.Integer()
    definition = fields.Dict()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class RuleOrder(Schema):
    rule_ids = fields.List(Id(), required=True, validate=validate.Length(max=1000))


class RuleSample(Schema):
    text = fields.String(load_default="", validate=validate.Length(max=10_000))
    kind = fields.String(load_default="mention", validate=validate.OneOf(KINDS))
    network = fields.String(load_default="", validate=validate.Length(max=32))
    account_id = fields.String(load_default="", validate=validate.Length(max=40))
    account_labels = fields.List(Tag(), load_default=list)
    unit_id = fields.String(load_default="", validate=validate.Length(max=40))
    language = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16))
    author_followers = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))
    author_verified = fields.Boolean(load_default=None, allow_none=True)
    author_tags = fields.List(Tag(), load_default=list)
    sentiment = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=-1, max=1))
    intent = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    tags = fields.List(Tag(), load_default=list)
    received_at = fields.AwareDateTime(load_default=None, allow_none=True)


class RuleTry(Schema):
    definition = fields.Dict(required=True)
    sample = fields.Nested(RuleSample, required=True)


class RuleTryOut(Schema):
    matched = fields.Boolean()
    reasons = fields.List(fields.String())
    actions = fields.List(fields.Dict())
    stop = fields.Boolean()


# ----------------------------------------------------------------------------- saved replies, views
class SavedReplyIn(Schema):
    name = Name(required=True, kind="saved_reply")
    language = fields.String(allow_none=True, validate=validate.Length(min=2, max=16))
    text = fields.String(required=True, validate=validate.Length(min=1, max=10_000))


class SavedReplyPatch(SavedReplyIn):
    name = Name(kind="saved_reply")
    text = fields.String(validate=validate.Length(min=1, max=10_000))


class SavedReplyOut(Schema):
    id = fields.String()
    name = fields.String()
    language = fields.String(allow_none=True)
    text = fields.String()


class SavedReplyQuery(Schema):
    language = fields.String(load_default=None, validate=validate.Length(min=2, max=16))
    conversation_id = Id(load_default=None, metadata={"description": "fill the placeholders for this conversation"})


class SavedViewIn(Schema):
    name = Name(required=True, kind="saved_view")
    filters = fields.Nested(InboxFilter, load_default=dict)
    shared = fields.Boolean(load_default=False)


class SavedViewPatch(SavedViewIn):
    name = Name(kind="saved_view")
    filters = fields.Nested(InboxFilter)
    shared = fields.Boolean()


class SavedViewOut(Schema):
    id = fields.String()
    name = fields.String()
    filters = fields.Dict()
    shared = fields.Method("_shared")
    count = fields.Integer(allow_none=True, dump_default=None)

    def _shared(self, obj: Any) -> bool:
        return obj.owner_id is None


# ----------------------------------------------------------------------------- authors
class AuthorNoteOut(Schema):
    id = fields.String()
    text = fields.String()
    created_by = fields.String(allow_none=True)
    created_at = fields.DateTime()


class AuthorOut(AuthorBrief):
    network = fields.String()
    remote_id = fields.String()
    notes = fields.List(fields.Nested(AuthorNoteOut), attribute="note_list", dump_default=list)
    history = fields.List(fields.Nested(ItemOut), attribute="item_list", dump_default=list)


class AuthorTags(Schema):
    tags = fields.List(Tag(), required=True, validate=validate.Length(max=50))


class ErasureOut(Schema):
    items = fields.Integer()
    notes = fields.Integer()


class PollRequest(Schema):
    stream = fields.String(load_default=None, validate=validate.OneOf(["mentions", "dms"]))


class PollOut(Schema):
    account_id = fields.String()
    stream = fields.String()
    status = fields.String()
    stored = fields.Integer()
    duplicates = fields.Integer()
    next_poll_at = fields.DateTime(allow_none=True)
    message = fields.String()
