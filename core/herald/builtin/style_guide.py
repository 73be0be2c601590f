"""The style-guide approval step: passes or blocks a post with reasons, never waits for people."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from herald.approvals.style_guide import StyleGuide
from herald.plugins import ApprovalStepKind, StepOutcome, hookimpl

HERALD_HOOK_API = "1.0"

_Phrase = fields.String(validate=validate.Length(min=1, max=200))


class StyleGuideOptions(Schema):
    banned_phrases = fields.List(_Phrase, load_default=list, validate=validate.Length(max=500))
    required_hashtags = fields.List(_Phrase, load_default=list, validate=validate.Length(max=50))
    required_phrases = fields.List(fields.String(validate=validate.Length(min=1, max=1000)), load_default=list,
                                   validate=validate.Length(max=20))
    max_emoji = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=100))
    allowed_link_domains = fields.List(_Phrase, load_default=None, allow_none=True)


class StyleGuideCheck(ApprovalStepKind):
    key = "style_guide"
    display_name = "Style-guide check"
    needs_people = False
    options_schema = StyleGuideOptions

    def evaluate(self, post: dict[str, Any], options: dict[str, Any]) -> StepOutcome:
        opts = StyleGuideOptions().load(options)
        guide = StyleGuide(
            banned_phrases=tuple(opts["banned_phrases"]), required_hashtags=tuple(opts["required_hashtags"]),
            required_phrases=tuple(opts["required_phrases"]), max_emoji=opts["max_emoji"],
            allowed_link_domains=tuple(opts["allowed_link_domains"]) if opts["allowed_link_domains"] is not None
            else None,
        )
        reasons: list[str] = []
        for i, variant in enumerate(post.get("content", post).get("variants", [])):
            label = f"variant {i + 1} ({variant.get('network') or 'all networks'}, {variant.get('language') or '-'})"
            reasons += guide.check(variant.get("text", ""), label)
        return StepOutcome("blocked" if reasons else "passed", reasons)


@hookimpl(trylast=True)
def herald_approval_step_kinds() -> list[type[ApprovalStepKind]]:
    return [StyleGuideCheck]
