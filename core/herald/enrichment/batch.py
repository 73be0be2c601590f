"""Batch scoring of a JSON-lines file with an enricher, for evaluating a model on a tenant's own
data before enabling it (``herald enrich``).

Each input line is ``{"id": …, "text": …}`` with an optional ``"lang"``; each output line is
``{"id", "lang"}``, with ``"sentiment"`` (``negative`` / ``neutral`` / ``positive``) and
``"score"`` (polarity, -1..1) when a sentiment enricher ran, and ``"intent"`` and ``"team"``
when an intent enricher ran. The enricher runs with the enrichers that provide what it needs
(the language detector before sentiment). The output is written to a temporary file beside it
and renamed at the end: a bad line or a failure leaves no output, never half of one."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from marshmallow import Schema, ValidationError, fields, validate

from herald.enrichment import pipeline
from herald.enrichment.enricher import Enricher

#: lines scored per call of the enrichers
BATCH = 1000


class BatchInputError(ValueError):
    """A line of the input is not what the format says; the message names the line."""


def _an_id(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "" or len(str(value)) > 200:
        raise ValidationError("must be a non-empty string (at most 200 characters) or an integer.")


class _Line(Schema):
    id = fields.Raw(required=True, validate=_an_id)
    text = fields.String(required=True, validate=validate.Length(max=100_000))
    lang = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=2, max=16))


_LINE = _Line()


@dataclass
class BatchReport:
    items: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else float("inf")


def with_needs(chosen: Enricher, available: Sequence[Enricher]) -> list[Enricher]:
    """``chosen`` and, transitively, the available enrichers that provide what it needs, ordered."""
    picked = [chosen]
    wanted = list(chosen.needs)
    while wanted:
        name = wanted.pop()
        if any(name in enricher.provides for enricher in picked):
            continue
        # one provider per need: the chosen enricher's own plugin's first, else the first installed
        providers = sorted((e for e in available if name in e.provides),
                           key=lambda e: e.plugin != chosen.plugin)
        if providers:
            picked.append(providers[0])
            wanted.extend(providers[0].needs)
    return pipeline.ordered(picked)


def read_lines(stream: IO[str], name: str) -> Iterator[dict[str, Any]]:
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise BatchInputError(f"{name} line {number}: not JSON ({exc.msg} at column {exc.colno}).") from exc
        if not isinstance(value, dict):
            raise BatchInputError(f"{name} line {number}: a line must be a JSON object with \"id\" and \"text\".")
        try:
            yield _LINE.load(value, unknown="exclude")
        except ValidationError as exc:
            problems = "; ".join(f"{field}: {' '.join(map(str, msgs))}"
                                 for field, msgs in sorted(exc.normalized_messages().items()))
            raise BatchInputError(f"{name} line {number}: {problems}") from exc


def output_line(line: dict[str, Any], values: dict[str, Any], language: str | None, ran: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": line["id"], "lang": language}
    if "sentiment" in ran or "sentiment_label" in ran:
        out["sentiment"] = values.get("sentiment_label")
        score = values.get("sentiment")
        out["score"] = round(float(score), 4) if isinstance(score, int | float) else None
    if "intent" in ran:
        out["intent"] = values.get("intent")
        out["team"] = values.get("team") or "none"
    return out


def score_file(enrichers: Sequence[Enricher], source: Path, target: Path, *, batch: int = BATCH) -> BatchReport:
    """Score ``source`` into ``target`` with ``enrichers`` (ordered); see the module's text."""
    ran = {name for enricher in enrichers for name in enricher.provides}
    started = time.perf_counter()
    count = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(target.parent))
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out, source.open(encoding="utf-8") as stream:
            chunk: list[dict[str, Any]] = []
            for line in read_lines(stream, source.name):
                chunk.append(line)
                if len(chunk) >= batch:
                    count += _score(enrichers, chunk, out, ran)
                    chunk = []
            if chunk:
                count += _score(enrichers, chunk, out, ran)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return BatchReport(count, time.perf_counter() - started)


def _score(enrichers: Sequence[Enricher], lines: list[dict[str, Any]], out: IO[str], ran: set[str]) -> int:
    payloads = [pipeline.payload(text=line["text"], language=line.get("lang"), kind="mention") for line in lines]
    found = pipeline.run(enrichers, "engagement", payloads)
    for line, payload, said in zip(lines, payloads, found, strict=True):
        values = pipeline.values_of({key: a.record() for key, a in said.items()})
        out.write(json.dumps(output_line(line, values, payload.get("language"), ran), ensure_ascii=False) + "\n")
    return len(lines)
