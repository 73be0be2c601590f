"""Field-level differences between two versions of a post's content.

Variants are matched by (network, language), so reordering them is not a change and an edit of
the Arabic X variant reads as ``variants[x/ar].text``."""

from __future__ import annotations

from typing import Any


def _flatten(content: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in content.items():
        if key == "variants":
            seen: dict[str, int] = {}
            for v in value or []:
                vkey = f"variants[{v.get('network') or '*'}/{v.get('language') or '*'}]"
                seen[vkey] = seen.get(vkey, 0) + 1
                if seen[vkey] > 1:  # a second variant for the same network and language is compared too
                    vkey = f"{vkey[:-1]}#{seen[vkey]}]"
                for field, fv in v.items():
                    if field not in ("network", "language"):
                        flat[f"{vkey}.{field}"] = fv
                flat[vkey] = True
        else:
            flat[key] = value
    return flat


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, Any]]:
    """``[{"field", "before", "after"}]`` for every field that differs, sorted by field."""
    a, b = _flatten(before or {}), _flatten(after)
    changes = []
    for field in sorted(set(a) | set(b)):
        if a.get(field) != b.get(field):
            changes.append({"field": field, "before": a.get(field), "after": b.get(field)})
    return changes
