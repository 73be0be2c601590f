"""Schemas of listening: queries, hits and the views over them."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from herald.api.schemas.common import Id, ListQuery, Name, TimeZone
from herald.listening.models import SENTIMENT_LABELS
from herald.listening.query.parser import MAX_EXCLUSIONS, MAX_LENGTH
from herald.listening.volume import BUCKETS

Network = lambda **kw: fields.String(validate=validate.Regexp(r"^[a-z0-9_]{1,32}$"), **kw)  # noqa: E731
QueryText = lambda **kw: fields.String(validate=validate.Length(min=1, max=MAX_LENGTH), metadata={  # noqa: E731
    "description": 'Herald\'s query language: words, "phrases", AND / OR / NOT (or -term), brackets, #hashtag, '
                   "@handle, from:handle, lang:xx, network:x"}, **kw)
Exclusions = lambda **kw: fields.List(fields.String(validate=validate.Length(min=1, max=200)),  # noqa: E731
                                      validate=validate.Length(max=MAX_EXCLUSIONS), **kw)
Cadence = lambda **kw: fields.Integer(validate=validate.Range(min=300, max=7 * 86400), metadata={  # noqa: E731
    "description": "Seconds between runs (default 900)"}, **kw)


class QueryCreate(Schema):
    org_unit_id = Id(required=True)
    name = Name(required=True)
    text = QueryText(required=True)
    exclusions = Exclusions(load_default=list)
    networks = fields.List(Network(), load_default=list, validate=validate.Length(max=20))
    account_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=50))
    owner_ids = fields.List(Id(), load_default=None, validate=validate.Length(max=50))
    enabled = fields.Boolean(load_default=True)
    cadence_s = Cadence(load_default=900)


class QueryUpdate(Schema):
    org_unit_id = Id()
    name = Name()
    text = QueryText()
    exclusions = Exclusions()
    networks = fields.List(Network(), validate=validate.Length(max=20))
    account_ids = fields.List(Id(), validate=validate.Length(max=50))
    owner_ids = fields.List(Id(), validate=validate.Length(max=50))
    enabled = fields.Boolean()
    cadence_s = Cadence()


class CompiledOut(Schema):
    network_query = fields.String(allow_none=True)
    local_filter_needed = fields.Boolean()
    unsupported_parts = fields.List(fields.String())
    notes = fields.List(fields.String())


class QueryOut(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    name = fields.String()
    text = fields.String()
    exclusions = fields.List(fields.String())
    networks = fields.List(fields.String())
    account_ids = fields.List(fields.String())
    owner_ids = fields.List(fields.String())
    enabled = fields.Boolean()
    cadence_s = fields.Integer()
    compiled = fields.Dict(keys=fields.String(), values=fields.Nested(CompiledOut), metadata={
        "description": "Per network: what its search is sent, and what Herald filters itself"})
    next_run_at = fields.DateTime()
    last_run_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class AccountRunOut(Schema):
    account_id = fields.String()
    network = fields.String()
    status = fields.String()
    stored = fields.Integer()
    matched = fields.Integer()
    message = fields.String()


class RunOut(Schema):
    query_id = fields.String()
    status = fields.String()
    stored = fields.Integer()
    new_hit_ids = fields.List(fields.String())
    accounts = fields.List(fields.Nested(AccountRunOut))
    alerts = fields.Integer()


class _Range(Schema):
    from_ = fields.AwareDateTime(load_default=None, data_key="from")
    to = fields.AwareDateTime(load_default=None)

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("from_") and data.get("to") and data["to"] <= data["from_"]:
            raise ValidationError("'to' must be after 'from'.", "to")


class HitListQuery(ListQuery, _Range):
    network = Network(load_default=None)
    language = fields.String(load_default=None, validate=validate.Length(min=2, max=16))
    sentiment_label = fields.String(load_default=None, validate=validate.OneOf(SENTIMENT_LABELS))
    intent = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    author = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    text = fields.String(load_default=None, validate=validate.Length(min=1, max=200))


class HitOut(Schema):
    id = fields.String()
    network = fields.String()
    remote_id = fields.String()
    url = fields.String(allow_none=True)
    text = fields.String()
    language = fields.String(allow_none=True)
    created_at = fields.DateTime()
    author_handle = fields.String(allow_none=True)
    author_name = fields.String(allow_none=True)
    author_followers = fields.Integer(allow_none=True)
    author_verified = fields.Boolean(allow_none=True)
    sentiment = fields.Float(allow_none=True)
    sentiment_label = fields.String(allow_none=True)
    intent = fields.String(allow_none=True)
    enrichment = fields.Dict()


class VolumeQuery(_Range):
    bucket = fields.String(load_default="day", validate=validate.OneOf(BUCKETS))
    time_zone = TimeZone(load_default=None, metadata={"description": "Buckets in this zone (default: yours)"})

    @validates_schema
    def _span(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("from_") and data.get("to"):
            days = (data["to"] - data["from_"]).days
            limit = {"hour": 31, "day": 400, "week": 800}[data["bucket"]]
            if days > limit:
                raise ValidationError(f"Ask for at most {limit} days of {data['bucket']}ly buckets.", "to")


class BucketOut(Schema):
    start = fields.DateTime(metadata={"description": "The bucket's local start, with the zone's offset"})
    total = fields.Integer()
    sentiment = fields.Dict(keys=fields.String(), values=fields.Integer())


class VolumeOut(Schema):
    query_id = fields.String()
    bucket = fields.String()
    time_zone = fields.String()
    buckets = fields.List(fields.Nested(BucketOut))


class ShareQuery(_Range):
    queries = fields.String(required=True, metadata={"description": "Query ids, comma-separated (2 to 10)"})


class ShareItem(Schema):
    query_id = fields.String()
    name = fields.String()
    hits = fields.Integer()
    share = fields.Float()


class ShareOut(Schema):
    items = fields.List(fields.Nested(ShareItem))
    total = fields.Integer()


class TopQuery(_Range):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class AuthorOut(Schema):
    network = fields.String()
    handle = fields.String()
    name = fields.String(allow_none=True)
    followers = fields.Integer()
    hits = fields.Integer()
    verified = fields.Boolean()


class AuthorsOut(Schema):
    items = fields.List(fields.Nested(AuthorOut))


class TermOut(Schema):
    term = fields.String()
    count = fields.Integer()


class LanguageTermsOut(Schema):
    terms = fields.List(fields.Nested(TermOut))
    hashtags = fields.List(fields.Nested(TermOut))


class TermsOut(Schema):
    languages = fields.Dict(keys=fields.String(), values=fields.Nested(LanguageTermsOut))
