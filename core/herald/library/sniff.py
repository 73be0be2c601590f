"""What a file really is, from its first bytes — never from its name or the uploader's claim.

Only a short list of media formats is accepted; everything else is named (so the refusal can
say what was detected) and refused. Nothing uploaded is ever parsed further or executed."""

from __future__ import annotations

from dataclasses import dataclass

#: how many leading bytes :func:`sniff` needs
HEAD_BYTES = 512


@dataclass(frozen=True)
class Detected:
    mime_type: str
    description: str
    #: asset kinds this content may be stored as; empty: refused
    kinds: tuple[str, ...]

    @property
    def accepted(self) -> bool:
        return bool(self.kinds)


ACCEPTED_FORMATS = "PNG, JPEG, GIF, WebP, MP4, MOV or PDF"

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
_QUICKTIME_BRANDS = {b"qt  "}
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}


def _markup(head: bytes) -> Detected | None:
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\xfe\xff \t\r\n\x00").lower()
    if b"<svg" in head.lower() and (text.startswith(b"<svg") or text.startswith(b"<?xml")
                                    or text.startswith(b"<!doctype svg")):
        return Detected("image/svg+xml", "an SVG image (it can carry scripts)", ())
    for marker in (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<!--"):
        if text.startswith(marker):
            return Detected("text/html", "an HTML document", ())
    if text.startswith(b"<?xml"):
        return Detected("application/xml", "an XML document", ())
    return None


def sniff(head: bytes) -> Detected:
    """Identify ``head`` (the first :data:`HEAD_BYTES` bytes of a file)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected("image/png", "a PNG image", ("image",))
    if head.startswith(b"\xff\xd8\xff"):
        return Detected("image/jpeg", "a JPEG image", ("image",))
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Detected("image/gif", "a GIF image", ("gif", "image"))
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Detected("image/webp", "a WebP image", ("image",))
    if head[4:8] == b"ftyp" and len(head) >= 12:
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return Detected("image/heif", "a HEIF/AVIF image", ())
        if brand in _AUDIO_BRANDS:
            return Detected("audio/mp4", "an MP4 audio file", ())
        if brand in _QUICKTIME_BRANDS:
            return Detected("video/quicktime", "a QuickTime (MOV) video", ("video",))
        return Detected("video/mp4", "an MP4 video", ("video",))
    if head.startswith(b"%PDF-"):
        return Detected("application/pdf", "a PDF document", ("document",))
    if head.startswith(b"MZ"):
        return Detected("application/vnd.microsoft.portable-executable", "a Windows executable", ())
    if head.startswith(b"\x7fELF"):
        return Detected("application/x-executable", "an ELF executable", ())
    if head.startswith(b"#!"):
        return Detected("text/x-shellscript", "a script", ())
    if head.startswith(b"PK\x03\x04"):
        return Detected("application/zip", "a ZIP archive (or Office document)", ())
    markup = _markup(head)
    if markup is not None:
        return markup
    if not head:
        return Detected("application/x-empty", "an empty file", ())
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return Detected("application/octet-stream", "an unrecognised binary file", ())
    return Detected("text/plain", "a text file", ())
