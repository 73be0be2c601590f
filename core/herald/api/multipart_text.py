"""Multipart form fields must be valid UTF-8, as URL-encoded ones are.

werkzeug decodes a multipart field with ``errors="replace"``, which would store a U+FFFD where
the sender's bytes were not text. Its parser asks for each part's charset first; for UTF-8 parts
this answers a codec that decodes strictly and raises :class:`InvalidEncoding` (not a
``ValueError``, which the form parser would swallow into an empty form), naming the field."""

from __future__ import annotations

import codecs
from typing import IO, Any

from werkzeug.datastructures import Headers
from werkzeug.formparser import FormDataParser, MultiPartParser
from werkzeug.http import parse_options_header

from herald.api.json_input import InvalidEncoding

CHECKED_UTF8 = "herald_checked_utf_8"


class _NotUtf8(Exception):
    """Raised by the checked codec; turned into :class:`InvalidEncoding` with the field's name."""

    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


def _decode(data: bytes, errors: str = "strict") -> tuple[str, int]:
    try:
        return codecs.utf_8_decode(data, "strict", True)
    except UnicodeDecodeError as exc:
        raise _NotUtf8(exc.start) from None


def _search(name: str) -> codecs.CodecInfo | None:
    if name != CHECKED_UTF8:
        return None
    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(utf8.encode, _decode, name=CHECKED_UTF8)


codecs.register(_search)


class CheckedMultiPartParser(MultiPartParser):
    _field = ""

    def get_part_charset(self, headers: Headers) -> str:
        self._field = parse_options_header(headers.get("content-disposition"))[1].get("name", "")
        charset = super().get_part_charset(headers)
        return CHECKED_UTF8 if charset == "utf-8" else charset

    def parse(self, stream: IO[bytes], boundary: bytes, content_length: int | None):  # type: ignore[no-untyped-def]
        try:
            return super().parse(stream, boundary, content_length)
        except _NotUtf8 as exc:
            shown = self._field.encode("unicode_escape").decode("ascii")
            raise InvalidEncoding(f"The form field {shown} is not valid UTF-8 (byte {exc.position}).") from None


class CheckedFormDataParser(FormDataParser):
    def _parse_multipart(self, stream: IO[bytes], mimetype: str, content_length: int | None,
                         options: dict[str, str]) -> tuple[IO[bytes], Any, Any]:
        parser = CheckedMultiPartParser(stream_factory=self.stream_factory,
                                        max_form_memory_size=self.max_form_memory_size,
                                        max_form_parts=self.max_form_parts, cls=self.cls)
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        form, files = parser.parse(stream, boundary, content_length)
        return stream, form, files
