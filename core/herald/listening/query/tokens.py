"""The tokenizer: brackets, quoted phrases, the AND / OR / NOT keywords (upper case, as X
spells them), ``-`` before a term or a bracket, operators (``from:``, ``lang:``, ``network:``,
``#``, ``@``) and keywords. Every token remembers its offset for error messages."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from herald.listening.query.errors import QueryError, position

OPERATORS = ("from", "lang", "network")
_OPERATOR_RE = re.compile(r"^([A-Za-z]+):(.*)$", re.DOTALL)
#: characters that end a bare word
_STOP = set(' \t\r\n\u00a0()"')
_QUOTES = {'"', "\u201c", "\u201d"}


@dataclass(frozen=True)
class Token:
    kind: str  # ( ) AND OR NOT NEG TERM END
    offset: int
    term_kind: str = ""
    value: str = ""


def _error(text: str, offset: int, message: str) -> QueryError:
    line, column = position(text, offset)
    return QueryError(message, line, column)


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            out.append(Token(ch, i))
            i += 1
            continue
        if ch == "-" and i + 1 < n and not text[i + 1].isspace():
            out.append(Token("NEG", i))
            i += 1
            continue
        if ch in _QUOTES:
            end = next((j for j in range(i + 1, n) if text[j] in _QUOTES), -1)
            if end < 0:
                raise _error(text, n, f"a closing quotation mark is missing (the phrase opened at column "
                                      f"{position(text, i)[1]})")
            phrase = " ".join(text[i + 1:end].split())
            if not phrase:
                raise _error(text, i, "an empty phrase \"\" matches nothing; write the words between the quotes")
            out.append(Token("TERM", i, "phrase", phrase))
            i = end + 1
            continue
        j = i
        while j < n and text[j] not in _STOP and text[j] not in _QUOTES:
            j += 1
        word = text[i:j]
        out.append(_word_token(text, i, word))
        i = j
    out.append(Token("END", n))
    return out


def _word_token(text: str, offset: int, word: str) -> Token:
    if word in ("AND", "OR", "NOT"):
        return Token(word, offset)
    if word[0] in "#@":
        body = word[1:].rstrip(".,;!?")
        if not body or not all(c.isalnum() or c in "_." or _is_mark(c) for c in body):
            kind = "hashtag" if word[0] == "#" else "handle"
            raise _error(text, offset, f"{word!r} is not a {kind}: use letters, digits and _ after {word[0]}")
        return Token("TERM", offset, "hashtag" if word[0] == "#" else "mention", body)
    found = _OPERATOR_RE.match(word)
    if found and found.group(1).lower() in OPERATORS:
        name, value = found.group(1).lower(), found.group(2)
        return Token("TERM", offset, name, _operator_value(text, offset, name, value))
    return Token("TERM", offset, "word", word)


def _operator_value(text: str, offset: int, name: str, value: str) -> str:
    if name == "from":
        value = value.lstrip("@")
        if not value or not all(c.isalnum() or c in "_." for c in value):
            raise _error(text, offset, "from: needs a handle, e.g. from:acme")
        return value
    if name == "lang":
        if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
            raise _error(text, offset, "lang: needs a language code such as lang:en or lang:fa")
        return value.split("-")[0].lower()
    if not re.fullmatch(r"[a-z0-9_]{1,32}", value.lower()):
        raise _error(text, offset, "network: needs a network's key, e.g. network:x or network:instagram")
    return value.lower()


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")
