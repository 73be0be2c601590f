"""Schema errors as form fields name them."""

from __future__ import annotations

from typing import Any


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as ``{"steps[0].deciders.role": [...]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))
            for k, v in flatten(value, path).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(messages, list | tuple):
        out[prefix] = [str(m) for m in messages]
    else:
        out[prefix] = [str(messages)]
    return out
