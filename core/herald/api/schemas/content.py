"""Schemas of posts, variants and versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from herald.api.schemas.common import Id, ListQuery, Locale, Name, TimeZone


class MediaRef(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["image", "video", "gif", "document"]))
    asset_id = Id(load_default=None)
    url = fields.Url(load_default=None, validate=validate.Length(max=2000))
    alt_text = fields.String(load_default=None, validate=validate.Length(max=1000))


def _scalar_values(options: dict[str, Any]) -> None:
    """A network option is a string (up to 5,000 characters), a number, a boolean or null."""
    for key, value in options.items():
        if isinstance(value, str) and len(value) > 5000:
            raise ValidationError(f"Option {key!r} is longer than 5,000 characters.")
        if value is not None and not isinstance(value, str | int | float | bool):
            raise ValidationError(f"Option {key!r} must be a string, a number, a boolean or null.")


class Variant(Schema):
    network = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$"),
                            metadata={"description": "Connector key; null applies to every targeted network"})
    language = Locale(load_default=None, allow_none=True)
    text = fields.String(load_default="", validate=validate.Length(max=20_000))
    media = fields.List(fields.Nested(MediaRef), load_default=list, validate=validate.Length(max=20))
    first_comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    thread = fields.List(fields.String(validate=validate.Length(max=20_000)), load_default=list,
                         validate=validate.Length(max=25),
                         metadata={"description": "Further parts, published as replies to the first (networks "
                                                  "that take threads)"})
    reply_to = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200),
                             metadata={"description": "The network's id of a post this one replies to"})
    quote_of = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200),
                             metadata={"description": "The network's id of a post this one quotes"})
    link = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=2000),
                      metadata={"description": "A link the post shares (networks that show link previews)"})
    options = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$")),
                          values=fields.Raw(allow_none=True), validate=[validate.Length(max=20), _scalar_values],
                          metadata={"description": "Network options the variant's connector reads, e.g. "
                                                   "Mastodon's spoiler_text and visibility (see each plugin)"})


def _wall_clock(value: str) -> None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError("Use a wall-clock time without offset, e.g. 2026-03-29T09:00.") from exc
    if parsed.tzinfo is not None:
        raise ValidationError("Give the time without offset; time_zone says where it is.")


class RequestedTime(Schema):
    """When the author asks the post to go out; scheduled as the author once it is approved."""

    local_time = fields.String(required=True, validate=[validate.Length(min=16, max=19), _wall_clock], metadata={
        "description": "Wall-clock time without offset, e.g. 2026-03-29T09:00, in time_zone"})
    time_zone = TimeZone(required=True, metadata={"description": "IANA zone, e.g. Asia/Dubai"})
    fold = fields.Integer(validate=validate.OneOf([0, 1]), metadata={
        "description": "Only for a time that happens twice (clocks going back): 0 the first, 1 the second"})


class Content(Schema):
    title = fields.String(load_default="", validate=validate.Length(max=300))
    targets = fields.List(Id(), required=True, validate=validate.Length(min=1, max=100))
    variants = fields.List(fields.Nested(Variant), required=True, validate=validate.Length(min=1, max=50))
    target_languages = fields.Dict(
        keys=Id(), values=Locale(allow_none=True), validate=validate.Length(max=100), metadata={
            "description": "Which language's variant a target account publishes, overriding its audience "
                           "languages: {account id: language} (null: the variant without a language)"})
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=50)), load_default=list,
                       validate=validate.Length(max=50))
    notes = fields.String(load_default="", validate=validate.Length(max=5000))
    paid_promotion = fields.Boolean(load_default=False,
                                    metadata={"description": "Paid or sponsored content (workflow rules may route it)"})
    requested_time = fields.Nested(RequestedTime, allow_none=True, metadata={
        "description": "When the post should go out: once every approval is given, Herald schedules it then "
                       "on its accounts, as the author (who needs posts.schedule). Part of what reviewers "
                       "approve: changing it restarts review like any edit."})


class PostCreate(Schema):
    org_unit_id = Id(required=True)
    campaign = Name(load_default=None, kind="campaign")
    content = fields.Nested(Content, required=True)


class PostSave(Schema):
    base_version = fields.Integer(required=True, validate=validate.Range(min=1))
    content = fields.Nested(Content, required=True)
    campaign = Name(allow_none=True, kind="campaign", metadata={
        "description": "Move the post to this campaign (null: none; absent: it stays). The campaign chooses "
                       "the workflow, so moving a post under review or approved restarts its review."})


class RestoreBody(Schema):
    base_version = fields.Integer(required=True, validate=validate.Range(min=1))


class PostOut(Schema):
    id = fields.String()
    org_unit_id = fields.String()
    campaign = fields.String(allow_none=True)
    status = fields.String()
    author_id = fields.String()
    current_version = fields.Integer()
    approved_version = fields.Integer(allow_none=True, metadata={"description": "The version every required approval "
                                                                               "was given to (null: not approved)"})
    lease_holder_id = fields.String(allow_none=True)
    lease_expires_at = fields.DateTime(allow_none=True)
    content = fields.Raw()
    uses_only_approved_assets = fields.Boolean(
        metadata={"description": "Every media item is an approved, unexpired content library asset"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class VersionOut(Schema):
    number = fields.Integer()
    author_id = fields.String()
    created_at = fields.DateTime()
    restored_from = fields.Integer(allow_none=True)
    changes = fields.Raw()
    content = fields.Raw()


class PostListQuery(ListQuery):
    org_unit_id = Id(load_default=None)
    descendants = fields.Boolean(load_default=True)
    campaign = fields.String(load_default=None, validate=validate.Length(max=200))
    status = fields.String(load_default=None, validate=validate.Length(max=32))
    author_id = Id(load_default=None)


class CompareQuery(Schema):
    from_ = fields.Integer(required=True, data_key="from", validate=validate.Range(min=1))
    to = fields.Integer(required=True, validate=validate.Range(min=1))


class CompareOut(Schema):
    from_ = fields.Integer(data_key="from")
    to = fields.Integer()
    changes = fields.Raw()


class CommentCreate(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    version = fields.Integer(load_default=None, validate=validate.Range(min=1))
    mentions = fields.List(Id(), load_default=list, validate=validate.Length(max=20))


class CommentOut(Schema):
    id = fields.String()
    version = fields.Integer(allow_none=True)
    author_id = fields.String()
    body = fields.String()
    mentions = fields.List(fields.String())
    created_at = fields.DateTime()
