"""Field types and schemas shared across the API."""

from __future__ import annotations

from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, validate

from herald.api.schemas.names import Name

__all__ = ["Id", "ListQuery", "Locale", "Name", "TimeZone", "page_schema"]

_ZONES = frozenset(available_timezones()) | {"UTC"}

Id = lambda **kw: fields.String(validate=validate.Length(min=1, max=40), **kw)  # noqa: E731


def _tz(value: str) -> None:
    if value not in _ZONES:
        raise ValidationError(f"{value!r} is not an IANA time zone (e.g. 'Europe/Paris').")


TimeZone = lambda **kw: fields.String(validate=[validate.Length(max=64), _tz], **kw)  # noqa: E731
Locale = lambda **kw: fields.String(  # noqa: E731
    validate=validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
                             error="Use a BCP 47 tag such as 'en' or 'fa-IR'."), **kw)


class ListQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    return type(name, (Schema,), {
        "items": fields.List(fields.Nested(item)),
        "next_cursor": fields.String(allow_none=True),
    })
