"""The settings a tenant gives the intent enricher: its topics, its intent → team overrides and
how close an item must be to a topic's examples."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from herald.plugins import PluginSettings
from herald_enrich_intent.cues import INTENTS
from herald_enrich_intent.teams import TEAMS

MAX_TOPICS = 100
MAX_KEYWORDS = 500
MAX_EXAMPLES = 200
#: the cosine an item needs with the centre of a topic's examples, unless the tenant sets one
#: (measured in the README: unrelated items of the same language stay below it)
DEFAULT_SIMILARITY = 0.3
TOPIC_NAME = validate.Regexp(
    r"^[a-z0-9][a-z0-9_-]{0,47}$",
    error="A topic name is 1 to 48 lower-case letters, digits, '_' or '-', starting with a letter or digit "
          "(it becomes the tag topic:<name>).")
LANGUAGE_KEY = validate.Regexp(r"^(\*|[a-z]{2}(-[A-Za-z]{2,8})?)$",
                               error="Keywords are grouped by language: an ISO 639-1 code such as 'en' or 'ar', "
                                     "'hi-Latn' for Hindi in Latin letters, or '*' for any.")


class TopicSchema(Schema):
    """One topic: its ``name``, ``keywords`` by language (words, or "exact phrases" in double
    quotes) and ``examples`` (texts about it)."""

    name = fields.String(required=True, validate=TOPIC_NAME)
    keywords = fields.Dict(keys=fields.String(validate=LANGUAGE_KEY),
                           values=fields.List(fields.String(validate=validate.Length(min=1, max=200))),
                           load_default=dict)
    examples = fields.List(fields.String(validate=validate.Length(min=1, max=2000)), load_default=list,
                           validate=validate.Length(max=MAX_EXAMPLES,
                                                    error=f"At most {MAX_EXAMPLES} examples per topic."))

    @validates_schema
    def _says_what_it_is_about(self, data: dict[str, Any], **_: Any) -> None:
        count = sum(len(words) for words in (data.get("keywords") or {}).values())
        if count > MAX_KEYWORDS:
            raise ValidationError(f"At most {MAX_KEYWORDS} keywords per topic (this one has {count}).",
                                  field_name="keywords")
        if not count and not data.get("examples"):
            raise ValidationError("Give the topic keywords or examples (or both).", field_name="keywords")


class TopicList(fields.Field):
    """The topics, given as a list or as its JSON text (the console's settings form sends text),
    kept as compact JSON text so that the console shows and edits it like any other setting."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else []
            except ValueError as exc:
                raise ValidationError("Not valid JSON: give a list of topics.") from exc
        if not isinstance(value, list):
            raise ValidationError("Give a list of topics.")
        if len(value) > MAX_TOPICS:
            raise ValidationError(f"At most {MAX_TOPICS} topics (got {len(value)}).")
        topics = TopicSchema(many=True).load(value)
        names = [t["name"] for t in topics]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValidationError(f"Each topic needs a name of its own: {', '.join(twice)} is used twice.")
        return json.dumps(topics, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class TeamMap(fields.Dict):
    """Intent → team overrides, as an object or its JSON text; ``none`` is the key for items
    with no intent."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=fields.String(validate=validate.OneOf(
                             (*INTENTS, "none"), error="Not an intent: use one of {choices}.")),
                         values=fields.String(validate=validate.OneOf(
                             TEAMS, error="Not a team: use one of {choices}.")),
                         **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Any:
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else {}
            except ValueError as exc:
                raise ValidationError("Not valid JSON: give an object of intent → team.") from exc
        return super()._deserialize(value, attr, data, **kwargs)


class IntentSettings(Schema):
    topics = TopicList(load_default="[]")
    team_map = TeamMap(load_default=dict)
    topic_similarity = fields.Float(load_default=DEFAULT_SIMILARITY, validate=validate.Range(min=0.05, max=0.99))


SETTINGS = PluginSettings(IntentSettings, description={
    "topics": 'JSON list of topics: [{"name": "billing", "keywords": {"en": ["invoice", "\\"charged twice\\""], '
              '"ar": ["فاتورة"]}, "examples": ["I was billed for a month I cancelled"]}]. A keyword matches whole '
              "words in any script (Arabic-script spellings folded); one in double quotes matches that exact phrase. "
              f"At most {MAX_TOPICS} topics, {MAX_KEYWORDS} keywords and {MAX_EXAMPLES} examples each",
    "team_map": 'JSON object of intent → team overriding the defaults, e.g. {"question": "support", "praise": '
                '"marketing"}; intents: sales_enquiry, support_issue, complaint, praise, question, spam, none; '
                "teams: sales, support, marketing, none",
    "topic_similarity": "Least cosine similarity between an item and the centre of a topic's examples for the topic "
                        "to match",
})
