"""Response schemas dumped without marshmallow's per-field machinery, with the same result.

Dumping a page of 50 posts through ``Schema.dump`` calls a dozen functions for each of its 650
fields: it was the largest single cost of a list request. :func:`dumper` turns a schema into a
plan of (key, attribute, converter) once; for the field types responses use (strings, numbers,
booleans, raw JSON, ISO date-times, nested schemas and lists of them) the converter handles the
common Python type inline and hands anything else to the field's own ``_serialize``. Fields of
other types, custom field classes, dotted attributes, missing values (defaults) and schemas
with dump hooks go through marshmallow itself, so the output is always what ``Schema.dump``
gives (``tests/test_fast_dump.py`` checks every response schema of the API)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any

from marshmallow import Schema, fields, missing
from marshmallow.schema import POST_DUMP, PRE_DUMP
from marshmallow.utils import _get_value_for_key

Converter = Callable[[Any], Any]
_SAME = object()  #: the converter that keeps every value
_ISO = (None, "iso", "iso8601")


def _get_from_dict(obj: dict[str, Any], attr: str) -> Any:
    return obj[attr] if attr in obj else getattr(obj, attr, missing)


def _get(obj: Any, attr: str) -> Any:
    """What marshmallow's default accessor answers for a plain attribute name."""
    if isinstance(obj, dict):
        return _get_from_dict(obj, attr)
    if hasattr(obj, "__getitem__"):
        return _get_value_for_key(obj, attr, missing)
    return getattr(obj, attr, missing)


#: a converter that keeps values of this type as they are (and hands others to the field)
class _Keep:
    __slots__ = ("field", "kind")

    def __init__(self, kind: type, fld: fields.Field) -> None:
        self.kind, self.field = kind, fld


def _converter(fld: fields.Field, seen: frozenset[type]) -> Converter | _Keep | object | None:
    """How to dump a present value of ``fld``; None: only the field itself knows. ``seen``: the
    schemas being planned around it (a schema nesting itself is left to marshmallow)."""
    kind = type(fld)
    if kind is fields.Raw:
        return _SAME
    if kind is fields.String:
        return _Keep(str, fld)
    if kind is fields.Integer and not fld.as_string:
        return _Keep(int, fld)
    if kind is fields.Float and not fld.as_string:
        return _Keep(float, fld)
    if kind is fields.Boolean:
        return _Keep(bool, fld)
    if kind in (fields.DateTime, fields.AwareDateTime) and fld.format in _ISO:
        def iso(value: Any) -> Any:
            return value.isoformat() if type(value) is dt.datetime else fld._serialize(value, None, None)
        return iso
    if kind is fields.Nested and fld.only is None and not fld.exclude:
        nested = fld.schema
        if type(nested) in seen:
            return None
        one = _plan(nested, seen)
        if nested.many or fld.many:
            return lambda value: [one(item) for item in value]
        return one
    if kind is fields.List:
        inner = _as_function(_converter(fld.inner, seen))
        if inner is None:
            return None
        return lambda value: [None if item is None else inner(item) for item in value]
    return None


def _as_function(convert: Converter | _Keep | object | None) -> Converter | None:
    if convert is _SAME:
        return lambda value: value
    if isinstance(convert, _Keep):
        kind, fld = convert.kind, convert.field
        return lambda value: value if type(value) is kind else fld._serialize(value, None, None)
    return convert  # type: ignore[return-value]


def _plan(schema: Schema, seen: frozenset[type] = frozenset()) -> Callable[[Any], dict[str, Any]]:
    """One object of ``schema`` (its ``many`` aside) as a dict."""
    if (schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP]
            or type(schema).get_attribute is not Schema.get_attribute):
        return lambda obj: schema.dump(obj, many=False)
    seen = seen | {type(schema)}
    steps = []
    for name, fld in schema.dump_fields.items():
        key = fld.data_key if fld.data_key is not None else name
        attr = fld.attribute or name
        convert = _converter(fld, seen) if "." not in attr else None
        steps.append((key, name, attr, fld, convert))
    accessor = schema.get_attribute

    def dump_one(obj: Any) -> dict[str, Any]:
        get = _get_from_dict if type(obj) is dict else _get
        out: dict[str, Any] = {}
        for key, name, attr, fld, convert in steps:
            value = missing if convert is None else get(obj, attr)
            if value is missing:  # the field decides (its default, its accessor)
                value = fld.serialize(name, obj, accessor=accessor)
                if value is not missing:
                    out[key] = value
            elif value is None or convert is _SAME:
                out[key] = value
            elif type(convert) is _Keep:
                out[key] = value if type(value) is convert.kind else convert.field._serialize(value, None, None)
            else:
                out[key] = convert(value)
        return out

    return dump_one


@cache
def dumper(schema: type[Schema], many: bool = False) -> Callable[[Any], Any]:
    """``dumper(S)(obj) == S().dump(obj)`` and ``dumper(S, many=True)(objs) == S(many=True).dump(objs)``."""
    one = _plan(schema())
    if many:
        return lambda objs: [one(obj) for obj in objs]
    return one
