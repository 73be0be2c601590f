"""A routing rule's definition — ``match``, ``conditions``, ``actions``, ``stop`` — validated with
marshmallow, so that a rule that is saved can always be evaluated.

Each condition names a ``field``, an ``op`` allowed for that field and a ``value`` of the shape the
op needs; each action names a ``type`` and exactly the keys that type takes. Errors point at the
condition or action by index (``conditions.0.op``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import regex
from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from herald.inbox.models import KINDS, PRIORITIES, STATUSES

LIST_FIELDS = ("language", "network", "kind", "account", "unit", "intent")
SET_FIELDS = ("label", "author_tag", "tag")
NUMBER_FIELDS = ("followers", "sentiment")

FIELD_OPS: dict[str, tuple[str, ...]] = {
    "text": ("contains_any", "contains_all", "not_contains", "matches_regex"),
    **{name: ("in", "not_in") for name in LIST_FIELDS},
    **{name: ("has_any", "has_all", "has_none") for name in SET_FIELDS},
    "followers": ("gte", "lte", "between"),
    "sentiment": ("gte", "lte", "between"),
    "verified": ("is",),
    "time": ("within", "outside"),
}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RECORDS = ("lead", "case", "contact")
MAX_CONDITIONS = 50
MAX_ACTIONS = 20
MAX_VALUES = 200
MAX_PHRASE = 200
MAX_PATTERN = 500

#: action type → (required keys, optional keys)
ACTION_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "set_team": (("team_id",), ()),
    "set_priority": (("priority",), ()),
    "add_tags": (("tags",), ()),
    "assign": (("user_id",), ()),
    "auto_assign": ((), ()),
    "set_sla_policy": (("policy_id",), ()),
    "set_status": (("status",), ()),
    "crm": (("sink", "record"), ()),
    "notify": (("user_ids",), ("message",)),
}


@dataclass(frozen=True)
class RuleDefinition:
    """A validated rule: conditions and actions as plain dicts, in the shape they were given."""

    match: str = "all"
    conditions: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    stop: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"match": self.match, "conditions": [dict(c) for c in self.conditions],
                "actions": [dict(a) for a in self.actions], "stop": self.stop}


def _strings(value: Any, *, what: str, max_len: int = MAX_PHRASE, limit: int = MAX_VALUES) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValidationError(f"Give a non-empty list of {what}.")
    if len(value) > limit:
        raise ValidationError(f"At most {limit} {what}.")
    out = []
    for v in value:
        if not isinstance(v, str) or not v.strip():
            raise ValidationError(f"Each of the {what} is a non-empty string.")
        if len(v) > max_len:
            raise ValidationError(f"Each of the {what} has at most {max_len} characters.")
        out.append(v.strip())
    return list(dict.fromkeys(out))


def _number(value: Any, *, integer: bool, low: float, high: float | None) -> float | int:
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok:
        raise ValidationError("Give a whole number." if integer else "Give a number.")
    if value < low or (high is not None and value > high):
        raise ValidationError(f"Give a number from {low:g}" + (f" to {high:g}." if high is not None else " up."))
    return value


def _hhmm(value: Any, key: str) -> str:
    if not isinstance(value, str) or not regex.fullmatch(r"(?:[01]\d|2[0-3]):[0-5]\d", value):
        raise ValidationError(f"{key!r} is a time of day as HH:MM (00:00–23:59).")
    return value


def _window(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError("Give {zone, days, from, to}.")
    unknown = set(value) - {"zone", "days", "from", "to"}
    if unknown:
        raise ValidationError(f"Unknown keys: {', '.join(sorted(unknown))}.")
    zone = value.get("zone")
    try:
        if not isinstance(zone, str) or not zone:
            raise ZoneInfoNotFoundError
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{zone!r} is not an IANA time zone such as 'Asia/Dubai'.") from None
    days = value.get("days", list(DAYS))
    if not isinstance(days, list) or not days or any(d not in DAYS for d in days):
        raise ValidationError(f"'days' is a non-empty list of {', '.join(DAYS)}.")
    start, end = _hhmm(value.get("from"), "from"), _hhmm(value.get("to"), "to")
    if start == end:
        raise ValidationError("'from' and 'to' must differ (a window that spans midnight goes from 22:00 to 06:00).")
    return {"zone": zone, "days": [d for d in DAYS if d in days], "from": start, "to": end}


def check_value(name: str, op: str, value: Any) -> Any:
    """The condition's value, checked and tidied for ``name``/``op``; raises ValidationError."""
    if name == "text":
        if op == "matches_regex":
            if not isinstance(value, str) or not value:
                raise ValidationError("Give a regular expression as a string.")
            if len(value) > MAX_PATTERN:
                raise ValidationError(f"A pattern has at most {MAX_PATTERN} characters.")
            try:
                regex.compile(value)
            except regex.error as exc:
                raise ValidationError(f"Not a valid regular expression: {exc}.") from None
            return value
        return _strings(value, what="words or phrases")
    if name in LIST_FIELDS:
        found = _strings(value, what="values")
        if name == "kind":
            wrong = [v for v in found if v not in KINDS]
            if wrong:
                raise ValidationError(f"Unknown kind {wrong[0]!r}; one of {', '.join(KINDS)}.")
        if name in ("language", "network"):
            found = [v.lower() for v in found]
        return found
    if name in SET_FIELDS:
        return _strings(value, what="values")
    if name == "verified":
        if not isinstance(value, bool):
            raise ValidationError("Give true or false.")
        return value
    if name == "time":
        return _window(value)
    integer, low, high = (True, 0, None) if name == "followers" else (False, -1.0, 1.0)
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise ValidationError("Give [lowest, highest].")
        lo, hi = (_number(v, integer=integer, low=low, high=high) for v in value)
        if lo > hi:
            raise ValidationError("The lowest comes first.")
        return [lo, hi]
    return _number(value, integer=integer, low=low, high=high)


class ConditionSchema(Schema):
    class Meta:
        unknown = RAISE

    field = fields.String(required=True, validate=validate.OneOf(tuple(FIELD_OPS)))
    op = fields.String(required=True)
    value = fields.Raw(required=True, allow_none=True)

    @validates_schema
    def _shape(self, data: dict[str, Any], **_: Any) -> None:
        ops = FIELD_OPS[data["field"]]
        if data["op"] not in ops:
            raise ValidationError(f"{data['field']!r} takes the ops {', '.join(ops)}.", "op")
        try:
            data["value"] = check_value(data["field"], data["op"], data["value"])
        except ValidationError as exc:
            raise ValidationError(exc.messages, "value") from None


class ActionSchema(Schema):
    class Meta:
        unknown = RAISE

    type = fields.String(required=True, validate=validate.OneOf(tuple(ACTION_KEYS)))
    team_id = fields.String(validate=validate.Length(min=1, max=64))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=50)),
                       validate=validate.Length(min=1, max=20))
    user_id = fields.String(validate=validate.Length(min=1, max=64))
    policy_id = fields.String(validate=validate.Length(min=1, max=64))
    status = fields.String(validate=validate.OneOf(STATUSES))
    sink = fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$", error="A plugin name such as "
                                                  "'crm_salesforce'."))
    record = fields.String(validate=validate.OneOf(RECORDS))
    user_ids = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                           validate=validate.Length(min=1, max=20))
    message = fields.String(validate=validate.Length(max=500))

    @validates_schema
    def _keys(self, data: dict[str, Any], **_: Any) -> None:
        required, optional = ACTION_KEYS[data["type"]]
        errors: dict[str, list[str]] = {}
        for key in required:
            if key not in data:
                errors[key] = [f"{data['type']!r} needs {key!r}."]
        for key in set(data) - {"type", *required, *optional}:
            errors[key] = [f"{data['type']!r} does not take {key!r}."]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _tidy(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "tags" in data:
            data["tags"] = list(dict.fromkeys(t.strip() for t in data["tags"] if t.strip()))
            if not data["tags"]:
                raise ValidationError({"tags": ["Give at least one tag that is not blank."]})
        return data


class RuleDefinitionSchema(Schema):
    """Loads a rule body into a :class:`RuleDefinition`; at least one action, conditions optional
    (a rule without conditions matches every item)."""

    class Meta:
        unknown = RAISE

    match = fields.String(load_default="all", validate=validate.OneOf(("all", "any")))
    conditions = fields.List(fields.Nested(ConditionSchema), load_default=list,
                             validate=validate.Length(max=MAX_CONDITIONS))
    actions = fields.List(fields.Nested(ActionSchema), required=True,
                          validate=validate.Length(min=1, max=MAX_ACTIONS))
    stop = fields.Boolean(load_default=False)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> RuleDefinition:
        return RuleDefinition(match=data["match"], conditions=list(data["conditions"]),
                              actions=list(data["actions"]), stop=data["stop"])

    def load(self, data: Any, **kwargs: Any) -> RuleDefinition:  # type: ignore[override]
        if not isinstance(data, dict):
            raise ValidationError({"_schema": ["A rule definition is an object."]})
        return super().load(data, **kwargs)  # type: ignore[return-value]
