"""The one error type per kind of failure; the API maps each to a problem document."""

from __future__ import annotations

from typing import Any


class HeraldError(Exception):
    """Base of every expected failure. ``status`` and ``title`` shape the problem document."""

    status = 500
    title = "Internal error"
    slug = "internal-error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class BadRequest(HeraldError):
    status = 400
    title = "Bad request"
    slug = "bad-request"


class Unauthorized(HeraldError):
    status = 401
    title = "Authentication required"
    slug = "unauthorized"


class Forbidden(HeraldError):
    status = 403
    title = "Not permitted"
    slug = "forbidden"


class NotFound(HeraldError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(HeraldError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class ValidationFailed(HeraldError):
    """Input that is well-formed but wrong; ``errors`` maps field paths to messages."""

    status = 422
    title = "Validation failed"
    slug = "validation-failed"

    def __init__(self, detail: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(detail, errors=errors or {})
        self.errors = errors or {}


class PluginError(HeraldError):
    """A plugin cannot be loaded or used (incompatible hook API, duplicate name, bad hooks)."""

    status = 500
    title = "Plugin error"
    slug = "plugin-error"


class UnsupportedMediaType(HeraldError):
    """The request body or an uploaded file is of a type Herald does not accept."""

    status = 415
    title = "Unsupported media type"
    slug = "unsupported-media-type"


class PayloadTooLarge(HeraldError):
    status = 413
    title = "Request too large"
    slug = "payload-too-large"


class Gone(HeraldError):
    status = 410
    title = "Gone"
    slug = "gone"
