"""LinkedIn's *little* text format: post commentary where some characters are markup."""

from __future__ import annotations

import re

#: Characters little reserves; each must be escaped with a backslash to be plain text.
RESERVED = re.compile(r"([|{}@\[\]()<>#\\*_~])")
HASHTAG = re.compile(r"(?<![\w#])#(\w+)")


def _escape(text: str) -> str:
    return RESERVED.sub(r"\\\1", text)


def little_commentary(text: str) -> str:
    """``text`` as little: hashtags become LinkedIn's hashtag template (so they stay hashtags) and
    every other reserved character is escaped, so LinkedIn shows it as written instead of reading
    markup or cutting the post short at it."""
    parts: list[str] = []
    last = 0
    for match in HASHTAG.finditer(text):
        parts.append(_escape(text[last:match.start()]))
        parts.append("{hashtag|\\#|" + _escape(match.group(1)) + "}")
        last = match.end()
    parts.append(_escape(text[last:]))
    return "".join(parts)
