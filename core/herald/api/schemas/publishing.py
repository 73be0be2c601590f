"""Schemas of scheduling, publications, the calendar, posting slots and connecting accounts."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from herald.api.schemas.common import Id, ListQuery, TimeZone


class When(Schema):
    """When to publish: a wall-clock ``local_time`` in ``time_zone`` (kept across DST), or an
    instant ``at`` with an offset, or ``slot: "next"`` (each account's next free posting slot)."""

    local_time = fields.NaiveDateTime(load_default=None, metadata={
        "description": "Wall-clock time without offset, e.g. 2026-03-29T09:00, in time_zone"})
    time_zone = TimeZone(load_default=None, metadata={"description": "IANA zone; default: the post's unit's"})
    at = fields.AwareDateTime(load_default=None, metadata={"description": "An instant with offset"})
    fold = fields.Integer(load_default=None, validate=validate.OneOf([0, 1]), metadata={
        "description": "For a wall-clock time that happens twice (clocks going back): 0 first, 1 second"})
    slot = fields.String(load_default=None, validate=validate.OneOf(["next"]))

    @validates_schema
    def _one_way(self, data: dict, **_: object) -> None:
        given = [k for k in ("local_time", "at", "slot") if data.get(k) is not None]
        if len(given) != 1:
            raise ValidationError("Give exactly one of local_time (with time_zone), at, or slot.", "_schema")
        if data.get("local_time") is not None and not data.get("time_zone"):
            raise ValidationError("A local time needs its time_zone.", "time_zone")


class ScheduleBody(When):
    account_ids = fields.List(Id(), load_default=None, validate=validate.Length(min=1, max=100),
                              metadata={"description": "Only these targets (default: every target)"})


class BulkScheduleBody(When):
    post_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=200))


class BulkResultOut(Schema):
    post_id = fields.String()
    ok = fields.Boolean()
    status = fields.String(allow_none=True, metadata={"description": "The post's status after the call"})
    problem = fields.Dict(allow_none=True, metadata={"description": "Why this post was refused (problem fields)"})


class BulkScheduleOut(Schema):
    results = fields.List(fields.Nested(BulkResultOut))


class PublishNowBody(Schema):
    account_ids = fields.List(Id(), load_default=None, validate=validate.Length(min=1, max=100))


class RetryBody(Schema):
    assume_not_published = fields.Boolean(load_default=False, metadata={
        "description": "After checking the account: an uncertain earlier attempt did not publish"})


class AttemptOut(Schema):
    number = fields.Integer()
    kind = fields.String()
    outcome = fields.String()
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    error = fields.String(allow_none=True)
    error_code = fields.String(allow_none=True)
    remote_id = fields.String(allow_none=True)


class PublicationOut(Schema):
    id = fields.String()
    post_id = fields.String()
    account_id = fields.String()
    network = fields.String()
    variant = fields.String(attribute="variant_key")
    language = fields.String(allow_none=True)
    state = fields.String()
    scheduled_at = fields.DateTime()
    local_time = fields.String()
    time_zone = fields.String()
    due_at = fields.DateTime(allow_none=True)
    attempt_count = fields.Integer()
    remote_id = fields.String(allow_none=True)
    remote_url = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True, metadata={"description": "As the network said it"})
    last_error_code = fields.String(allow_none=True)
    uncertain_since = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    attempts = fields.List(fields.Nested(AttemptOut))


class PostPublicationsOut(Schema):
    post_id = fields.String()
    status = fields.String()
    publications = fields.List(fields.Nested(PublicationOut))


class CalendarQuery(ListQuery):
    from_ = fields.AwareDateTime(load_default=None, data_key="from",
                                 metadata={"description": "With an offset; default: now"})
    to = fields.AwareDateTime(load_default=None, metadata={"description": "With an offset; default: from + 31 days"})
    org_unit_id = Id(load_default=None)
    descendants = fields.Boolean(load_default=True)
    account_id = Id(load_default=None)
    network = fields.String(load_default=None, validate=validate.Length(max=32))
    campaign = fields.String(load_default=None, validate=validate.Length(max=200))
    status = fields.String(load_default=None, validate=validate.OneOf(
        ["scheduled", "publishing", "published", "failed", "needs_attention", "cancelled", "deleted"]))
    author_id = Id(load_default=None)
    time_zone = TimeZone(load_default=None, metadata={"description": "Show times here (default: yours)"})
    group = fields.String(load_default=None, validate=validate.OneOf(["post"]), metadata={
        "description": "post: one entry per post and time, listing its publications (see CalendarEntryOut)"})

    @validates_schema
    def _range(self, data: dict, **_: object) -> None:
        if data["from_"] is None or data["to"] is None:
            return
        if data["to"] <= data["from_"]:
            raise ValidationError("'to' must be after 'from'.", "to")
        if (data["to"] - data["from_"]).days > 400:
            raise ValidationError("Ask for at most 400 days at once.", "to")


class CalendarPublicationOut(Schema):
    publication_id = fields.String()
    account_id = fields.String()
    network = fields.String()
    variant = fields.String()
    state = fields.String()
    planned_local_time = fields.String()
    planned_time_zone = fields.String()


class CalendarEntryOut(Schema):
    publication_id = fields.String()
    post_id = fields.String()
    title = fields.String()
    campaign = fields.String(allow_none=True)
    author_id = fields.String()
    org_unit_id = fields.String()
    account_id = fields.String()
    network = fields.String()
    variant = fields.String()
    state = fields.String()
    post_status = fields.String()
    scheduled_at = fields.DateTime(metadata={"description": "UTC"})
    planned_local_time = fields.String(metadata={"description": "Wall-clock time in the zone it was planned in"})
    planned_time_zone = fields.String()
    viewer_local_time = fields.String(metadata={"description": "The same instant in the requesting user's zone"})
    viewer_time_zone = fields.String()
    # with group=post: publication_id, account_id, network and variant are left out; state is
    # the one of its publications that most needs a person
    publications = fields.List(fields.Nested(CalendarPublicationOut), metadata={
        "description": "Only with group=post: the post's publications at this time"})
    state_counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Only with group=post: how many of its publications are in each state"})


class Slot(Schema):
    weekday = fields.Integer(required=True, validate=validate.Range(min=0, max=6),
                             metadata={"description": "0 = Monday"})
    time = fields.String(required=True, validate=validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$",
                                                                 error="Use HH:MM (24 h)."))


class SlotsBody(Schema):
    slots = fields.List(fields.Nested(Slot), required=True, validate=validate.Length(max=200))


class SlotsOut(Schema):
    account_id = fields.String()
    time_zone = fields.String()
    slots = fields.List(fields.Nested(Slot))


class ConnectStartOut(Schema):
    authorize_url = fields.String()
    state = fields.String()
    expires_at = fields.DateTime()


class ConnectCallbackQuery(Schema):
    state = fields.String(required=True, validate=validate.Length(min=1, max=200))
    code = fields.String(load_default=None, validate=validate.Length(max=4000))
    error = fields.String(load_default=None, validate=validate.Length(max=500))
    error_description = fields.String(load_default=None, validate=validate.Length(max=2000))


class ConnectedOut(Schema):
    account_id = fields.String()
    network = fields.String()
    handle = fields.String()
    external_id = fields.String(allow_none=True)
    connection_state = fields.String()
