"""Reading a JSON request body strictly, before any view or schema sees it.

The standard library's :mod:`json` is the parser; around it Herald refuses what it would accept
but the rest of Herald cannot hold:

- a body that is not UTF-8 (RFC 8259 §8.1), with the offset of the first bad byte;
- nesting deeper than :data:`MAX_DEPTH`, counted on the raw text before parsing (the parser
  recurses once per level, so thousands of levels would exhaust the stack);
- ``NaN`` and ``±Infinity`` (not JSON, and PostgreSQL's ``jsonb`` refuses them);
- integers outside the signed 64-bit range (no Herald field needs more; the databases store
  no more);
- strings — values and member names — holding NUL (``\\u0000``, which PostgreSQL text cannot
  store and SQLite would keep) or an unpaired surrogate (``\\ud800``, which no UTF-8 encoder
  accepts). These answer 422 with the path of each offending string, like schema errors.
"""

from __future__ import annotations

import json
import re
from typing import Any

from herald.errors import BadRequest, HeraldError, ValidationFailed

MAX_DEPTH = 64
INT64 = 2**63
#: Characters no text value may hold: NUL and the surrogate code points.
FORBIDDEN_TEXT = re.compile("[\x00\ud800-\udfff]")
# A JSON string (skipped whole, possessively: linear on any input) or a bracket.
_STRUCTURE = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')
_MAX_REPORTED = 20


class EdgeRefusal(HeraldError):
    """Input refused at the edge, before authentication or any view ran (see
    :mod:`herald.api.edge_checks`)."""


class InvalidEncoding(EdgeRefusal, BadRequest):
    title = "Not valid UTF-8"
    slug = "invalid-encoding"


class MalformedJson(EdgeRefusal, BadRequest):
    title = "Bad request"
    slug = "bad-request"


class NestedTooDeep(EdgeRefusal, BadRequest):
    title = "JSON nested too deeply"
    slug = "json-too-deep"


class ForbiddenText(EdgeRefusal, ValidationFailed):
    """A text value holds NUL or an unpaired surrogate; ``errors`` names each place."""


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None."""
    found = FORBIDDEN_TEXT.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "Must not contain the NUL character (U+0000)."
    return "Must not contain an unpaired surrogate (U+D800–U+DFFF)."


def decode_utf8(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEncoding(f"{where} is not valid UTF-8 (byte {exc.start}).") from exc


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    if text.count("[") + text.count("{") <= limit:
        return  # cannot be deeper than its number of brackets
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                raise NestedTooDeep(f"The request body nests arrays and objects more than {limit} levels deep.")
        elif token in "]}":
            depth -= 1


def _constant(name: str) -> Any:
    raise MalformedJson(f"The request body is not valid JSON: {name} is not a JSON number.")


def _integer(digits: str) -> int:
    value = int(digits)
    if not -INT64 <= value < INT64:
        raise MalformedJson("The request body holds an integer outside the signed 64-bit range.")
    return value


def _path_key(path: tuple[str, ...]) -> str:
    return ".".join(path) if path else "_schema"


def forbidden_strings(data: Any) -> dict[str, list[str]]:
    """Where in ``data`` (dotted paths, ``_schema`` for the top) a string cannot be stored."""
    errors: dict[str, list[str]] = {}
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack and len(errors) < _MAX_REPORTED:
        value, path = stack.pop()
        if isinstance(value, str):
            why = text_problem(value)
            if why:
                errors[_path_key(path)] = [why]
        elif isinstance(value, dict):
            for key, item in value.items():
                shown = json.dumps(key)[1:-1]  # escaped: the report itself stays storable
                why = text_problem(key)
                if why:
                    errors[_path_key((*path, shown))] = [f"The member name: {why[0].lower()}{why[1:]}"]
                stack.append((item, (*path, shown)))
        elif isinstance(value, list):
            stack.extend((item, (*path, str(i))) for i, item in enumerate(value))
    return errors


def loads(raw: bytes | str) -> Any:
    """Parse a request body; raises :class:`EdgeRefusal` subclasses (400, or 422 for text)."""
    text = decode_utf8(raw, "The request body") if isinstance(raw, bytes | bytearray) else str(raw)
    check_depth(text)
    try:
        data = json.loads(text, parse_constant=_constant, parse_int=_integer)
    except RecursionError as exc:  # not reached below MAX_DEPTH; kept so no stack error escapes
        raise NestedTooDeep("The request body nests arrays and objects too deeply.") from exc
    except ValueError as exc:
        raise MalformedJson(f"The request body is not valid JSON: {exc}.") from exc
    errors = forbidden_strings(data)
    if errors:
        raise ForbiddenText("The request body holds text Herald cannot store.", errors)
    return data
