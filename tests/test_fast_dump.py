"""Every response schema of the API dumps the same through the fast dumper as through
marshmallow: typical values, values of other types than the field's own, None, missing
attributes (defaults), dicts and objects."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from marshmallow import Schema, fields

import herald.api.views  # noqa: F401  (registers every endpoint)
from herald.api.endpoint import ENDPOINTS
from herald.api.fast_dump import dumper

AWARE = dt.datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=dt.UTC)
NAIVE = dt.datetime(2026, 10, 25, 2, 30)


def _value(fld: fields.Field, variant: int, depth: int) -> Any:
    kind = type(fld)
    if kind is fields.Nested:
        if depth > 3:
            return None
        sample = _sample(type(fld.schema), variant, depth + 1)
        return [sample, _sample(type(fld.schema), variant + 1, depth + 1)] if fld.many or fld.schema.many else sample
    if kind is fields.List:
        return [_value(fld.inner, variant, depth), None] if variant != 1 else []
    by_kind: dict[type, tuple[Any, Any]] = {
        fields.String: ("نص ‫mixed‬ text", 12), fields.Integer: (7, True), fields.Float: (1.5, 2),
        fields.Boolean: (True, 0), fields.DateTime: (AWARE, NAIVE), fields.AwareDateTime: (AWARE, NAIVE),
        fields.Raw: ({"a": [1, "b"]}, "plain"), fields.Dict: ({"k": 1}, {}),
    }
    typical, other = by_kind.get(kind, ("x", 3))
    return typical if variant == 0 else other


def _sample(schema: type[Schema], variant: int, depth: int = 0) -> dict[str, Any]:
    out = {}
    for name, fld in schema().dump_fields.items():
        if variant == 2:
            out[fld.attribute or name] = None
        elif variant == 3 and len(out) % 2:
            continue  # every other attribute missing
        else:
            out[fld.attribute or name] = _value(fld, variant % 2, depth)
    return out


def _response_schemas() -> list[type[Schema]]:
    schemas = {ep.response for ep in ENDPOINTS if ep.response is not None}
    return sorted(schemas, key=lambda s: f"{s.__module__}.{s.__qualname__}")


def test_there_are_response_schemas_to_check() -> None:
    assert len(_response_schemas()) > 40


@pytest.mark.parametrize("schema", _response_schemas(), ids=lambda s: s.__name__)
def test_the_fast_dump_equals_marshmallows(schema: type[Schema]) -> None:
    for variant in range(4):
        data = _sample(schema, variant)
        as_object = SimpleNamespace(**data)
        for obj in (data, as_object):
            assert _outcome(dumper(schema), obj) == _outcome(schema().dump, obj), variant
        both = [data, as_object]
        assert _outcome(dumper(schema, many=True), both) == _outcome(schema(many=True).dump, both)


def _outcome(dump: Any, obj: Any) -> Any:
    """What ``dump(obj)`` gives, or the type of error it raises (a method field of a schema may
    need the real object: then both must fail alike)."""
    try:
        return dump(obj)
    except (AttributeError, TypeError, KeyError) as exc:
        return type(exc)


def test_a_nested_schema_a_dotted_attribute_and_a_method_field_are_dumped_as_marshmallow_does() -> None:
    class Inner(Schema):
        when = fields.DateTime(format="%Y-%m-%d")
        n = fields.Integer(as_string=True)

    class Outer(Schema):
        inner = fields.Nested(Inner)
        inners = fields.List(fields.Nested(Inner))
        city = fields.String(attribute="address.city")
        shout = fields.Method("_shout")
        fallback = fields.String(dump_default="none given")

        def _shout(self, obj: Any) -> str:
            return obj["name"].upper()

    obj = {"inner": {"when": AWARE, "n": 5}, "inners": [{"when": NAIVE, "n": 1}], "address": {"city": "Lahore"},
           "name": "mariam"}
    assert dumper(Outer)(obj) == Outer().dump(obj) == {
        "inner": {"when": "2026-03-29", "n": "5"}, "inners": [{"when": "2026-10-25", "n": "1"}], "city": "Lahore",
        "shout": "MARIAM", "fallback": "none given"}
