"""Running a tenant's enrichers over a batch of payloads, in the order of what they need.

The pipeline knows nothing of inbox items, posts or listening hits: each area builds payloads
(see :mod:`herald.enrichment.enricher` for their keys), runs them here, and stores the records
it gets back. An enricher that fails is logged and left out of that batch's records; it never
fails the batch, and the others still run (an enricher whose need went unanswered sees no
annotation for it, as when no enricher provides it)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from herald.clock import utcnow
from herald.enrichment.enricher import Enricher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Annotation:
    """What one enricher said of one payload, and who said it when."""

    enricher: str
    plugin: str
    version: str
    at: datetime
    values: dict[str, Any]

    def record(self) -> dict[str, Any]:
        """The stored form, under the enricher's key: ``{"values", "version", "plugin", "at"}``."""
        return {"values": self.values, "version": self.version, "plugin": self.plugin, "at": self.at.isoformat()}


def ordered(enrichers: Sequence[Enricher]) -> list[Enricher]:
    """``enrichers`` with each one after those that provide what it needs (otherwise in the
    given order). A cycle of needs keeps the given order for the enrichers in it, logged."""
    providers: dict[str, list[int]] = {}
    for index, enricher in enumerate(enrichers):
        for name in getattr(enricher, "provides", ()):
            providers.setdefault(name, []).append(index)
    placed: list[int] = []
    state: dict[int, str] = {}

    def place(index: int) -> None:
        if state.get(index) == "done":
            return
        if state.get(index) == "visiting":
            log.warning("the needs of enricher %s form a cycle; kept in the given order", enrichers[index].key)
            return
        state[index] = "visiting"
        for name in getattr(enrichers[index], "needs", ()):
            for provider in providers.get(name, []):
                if provider != index:
                    place(provider)
        if state.get(index) != "done":
            state[index] = "done"
            placed.append(index)

    for index in range(len(enrichers)):
        place(index)
    return [enrichers[index] for index in placed]


def for_subject(enrichers: Sequence[Enricher], subject: str) -> list[Enricher]:
    """The enrichers that look at ``subject``, ordered."""
    return ordered([enricher for enricher in enrichers if subject in getattr(enricher, "subjects", ())])


def payload(*, text: str | None, language: str | None = None, kind: str | None = None, network: str | None = None,
            author: dict[str, Any] | None = None, media: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """A payload with every documented key present."""
    return {"text": text or "", "language": language or None, "kind": kind, "network": network,
            "author": author, "annotations": {}, "media": [dict(found) for found in media]}


def run(enrichers: Sequence[Enricher], subject: str, payloads: Sequence[dict[str, Any]],
        now: datetime | None = None) -> list[dict[str, Annotation]]:
    """Run ``enrichers`` (already :func:`ordered`) over ``payloads``; for each payload, its
    annotations by enricher key. Payloads are changed in place: ``annotations`` gathers what each
    enricher said for the next ones, and ``language`` is filled when the network gave none."""
    now = now or utcnow()
    found: list[dict[str, Annotation]] = [{} for _ in payloads]
    for enricher in enrichers:
        key = str(getattr(enricher, "key", "") or type(enricher).__name__)
        answers = _answers(enricher, subject, payloads)
        for index, values in enumerate(answers):
            if values is None:
                continue
            found[index][key] = Annotation(key, str(getattr(enricher, "plugin", "") or ""),
                                           str(getattr(enricher, "version", "0")), now, values)
            current = payloads[index]
            current["annotations"].update(values)
            language = values.get("language")
            if isinstance(language, str) and language and not current.get("language"):
                current["language"] = language
    return found


def _answers(enricher: Enricher, subject: str, payloads: Sequence[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """The enricher's answers, one per payload (``None``: no usable answer). A batch that fails
    is tried payload by payload, so that one bad payload costs only its own annotation."""
    try:
        answers = list(enricher.enrich_many(subject, [_view(p) for p in payloads]))
        if len(answers) != len(payloads):
            raise ValueError(f"answered {len(answers)} annotations for {len(payloads)} payloads")
        return [_usable(enricher, answer) for answer in answers]
    except Exception:
        if len(payloads) == 1:
            log.exception("enricher %s failed", getattr(enricher, "key", "?"))
            return [None]
        log.warning("enricher %s failed on a batch of %d; trying each", getattr(enricher, "key", "?"), len(payloads),
                    exc_info=True)
    out: list[dict[str, Any] | None] = []
    for one in payloads:
        try:
            out.append(_usable(enricher, enricher.enrich(subject, _view(one))))
        except Exception:
            log.exception("enricher %s failed", getattr(enricher, "key", "?"))
            out.append(None)
    return out


def _view(payload: dict[str, Any]) -> dict[str, Any]:
    """A copy an enricher may change without changing what the next one sees."""
    return {**payload, "annotations": dict(payload.get("annotations") or {}),
            "media": [dict(found) for found in payload.get("media") or ()]}


def _usable(enricher: Enricher, answer: Any) -> dict[str, Any] | None:
    if not isinstance(answer, dict):
        if answer is not None:
            log.warning("enricher %s answered a %s, not a dict; ignored", getattr(enricher, "key", "?"),
                        type(answer).__name__)
        return None
    return clean(answer)


def clean(values: dict[str, Any]) -> dict[str, Any]:
    """The well-known annotations checked and bounded (a wrong one is dropped, said in the log);
    others kept as they are."""
    out = dict(values)
    sentiment = out.get("sentiment")
    if sentiment is not None and not (isinstance(sentiment, int | float) and not isinstance(sentiment, bool)
                                      and -1 <= sentiment <= 1):
        out.pop("sentiment")
    if "language" in out and not (out["language"] is None or (isinstance(out["language"], str)
                                                              and 2 <= len(out["language"]) <= 16)):
        out.pop("language")
    for name in ("sentiment_label", "intent", "team"):
        if name in out and not (out[name] is None or isinstance(out[name], str)):
            out.pop(name)
    for name in ("tags", "topics"):
        if name in out:
            listed = out[name]
            out[name] = [str(tag)[:100] for tag in listed][:100] if isinstance(listed, list | tuple) else []
    return out


def values_of(records: dict[str, Any] | None) -> dict[str, Any]:
    """The annotations of stored records merged into one flat dict, in the order stored. Records
    stored before versions were kept (a bare dict of annotations) read the same."""
    merged: dict[str, Any] = {}
    for record in (records or {}).values():
        if isinstance(record, dict):
            values = record.get("values") if isinstance(record.get("values"), dict) else record
            merged.update(values)
    return merged


def tags_of(records: dict[str, Any] | None) -> list[str]:
    """Every enricher's tags, each once, in order."""
    found: list[str] = []
    for record in (records or {}).values():
        if isinstance(record, dict):
            values = record.get("values") if isinstance(record.get("values"), dict) else record
            found += [tag for tag in values.get("tags", []) if isinstance(tag, str)]
    return list(dict.fromkeys(found))
