"""Schemas of a post's publication plan and of the warnings scheduling gives."""

from __future__ import annotations

from marshmallow import Schema, fields

from herald.api.schemas.publishing import PostPublicationsOut


class AccountWarningOut(Schema):
    account_id = fields.String()
    account = fields.String(metadata={"description": "The account's display name (or @handle)"})
    network = fields.String()
    code = fields.String(metadata={"description": "reconnect_needed, not_connected or token_expires"})
    reason = fields.String(allow_none=True, metadata={"description": "As the network said it, where known"})
    message = fields.String(metadata={"description": "What is wrong and how to reconnect the account"})


class PlanEntryOut(Schema):
    account_id = fields.String()
    account = fields.String()
    handle = fields.String()
    network = fields.String()
    audience_languages = fields.List(fields.String())
    variant = fields.String(allow_none=True, metadata={"description": "The variant's key, network/language"})
    variant_network = fields.String(allow_none=True, metadata={"description": "null: the generic variant"})
    language = fields.String(allow_none=True, metadata={"description": "null: the variant without a language"})
    excerpt = fields.String()
    reason = fields.String(allow_none=True, metadata={
        "description": "override (the post sets it), audience (the account's audience language) or fallback"})
    matched_language = fields.String(allow_none=True)
    audience_missing = fields.Boolean(metadata={
        "description": "The account names audience languages the post has no variant in"})
    explanation = fields.String(allow_none=True)
    already_published = fields.Boolean(metadata={"description": "Nothing more is published on this account"})
    publication_id = fields.String(allow_none=True)
    publication_state = fields.String(allow_none=True)
    blocked = fields.String(allow_none=True, metadata={"description": "Why scheduling would refuse this account"})
    blocked_code = fields.String(allow_none=True, metadata={"description": "archived, connector_disabled or "
                                                                           "no_variant"})
    warning = fields.Nested(AccountWarningOut, allow_none=True)


class PublicationPlanOut(Schema):
    post_id = fields.String()
    version = fields.Integer(metadata={"description": "The version the plan is read from (the current one)"})
    accounts = fields.List(fields.Nested(PlanEntryOut))
    warnings = fields.List(fields.Nested(AccountWarningOut))


class ScheduledOut(PostPublicationsOut):
    warnings = fields.List(fields.Nested(AccountWarningOut), metadata={
        "description": "Accounts that may not be able to publish at their time (scheduled anyway)"})
