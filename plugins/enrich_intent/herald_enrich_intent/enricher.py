"""The intent enricher: intent, team, tenant topics and tags for an engagement item (topics
alone for a post)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from herald.plugins import Enricher
from herald_enrich_intent.cues import INTENTS, CueLexicon
from herald_enrich_intent.features import sparse_vector
from herald_enrich_intent.model import CLASSES, IntentModel, load
from herald_enrich_intent.normalise import normalise, tokens
from herald_enrich_intent.settings import DEFAULT_SIMILARITY
from herald_enrich_intent.teams import team_for
from herald_enrich_intent.topics import CompiledTopics, compiled

_LEXICON: CueLexicon | None = None


def lexicon() -> CueLexicon:
    """The compiled cue lexicons (built once per process)."""
    global _LEXICON
    if _LEXICON is None:
        _LEXICON = CueLexicon()
    return _LEXICON


class IntentClassifier:
    """Cue lexicons and the learned model, combined; no tenant settings (see :class:`IntentEnricher`)."""

    def __init__(self, model: IntentModel | None = None) -> None:
        self.model = model or load()
        self.lexicon = lexicon()

    def classify(self, text: str, language: str | None, team_map: Mapping[str, str] | None = None,
                 topics: CompiledTopics | None = None) -> dict[str, Any]:
        """The annotations of one engagement item."""
        toks = tokens(normalise(text))
        idx, vals = sparse_vector(toks)
        reading = self.lexicon.read(toks, text, language)
        probs = self.model.combine(self.model.logits(idx, vals), reading.scores)
        best = int(np.argmax(probs))
        intent = CLASSES[best] if best < len(INTENTS) and probs[best] >= self.model.threshold else None
        found = topics.match(toks, idx, vals) if topics is not None else []
        tags = ([f"intent:{intent}"] if intent else []) + [f"topic:{name}" for name in found]
        return {
            "intent": intent,
            "intents": {name: round(float(probs[i]), 4) for i, name in enumerate(INTENTS)},
            "team": team_for(intent, reading.about_order, team_map),
            "topics": found,
            "tags": tags,
        }


class IntentEnricher(Enricher):
    """Tags mentions, comments and DMs with an intent (sales enquiry, support issue, complaint,
    praise, question, spam or none), the team that should answer, and the tenant's topics."""

    key = "intent"
    display_name = "Intent, team and topics"
    subjects: ClassVar[tuple[str, ...]] = ("engagement", "post")
    version: ClassVar[str] = "1.0"
    provides: ClassVar[tuple[str, ...]] = ("intent", "intents", "team", "topics", "tags")
    needs: ClassVar[tuple[str, ...]] = ("language",)

    def _team_map(self) -> dict[str, str]:
        value = self.settings.get("team_map") or {}
        if isinstance(value, str):
            value = json.loads(value) if value.strip() else {}
        return dict(value)

    def _topics(self, classifier: IntentClassifier) -> CompiledTopics:
        similarity = float(self.settings.get("topic_similarity") or DEFAULT_SIMILARITY)
        return compiled(self.settings.get("topics") or "[]", similarity, classifier.model.idf)

    def enrich(self, subject: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.enrich_many(subject, [payload])[0]

    def enrich_many(self, subject: str, payloads: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        classifier = _classifier()
        topics = self._topics(classifier)
        if subject == "post":
            out = []
            for payload in payloads:
                toks = tokens(normalise(payload.get("text") or ""))
                idx, vals = sparse_vector(toks)
                found = topics.match(toks, idx, vals)
                out.append({"topics": found, "tags": [f"topic:{name}" for name in found]})
            return out
        team_map = self._team_map()
        return [classifier.classify(payload.get("text") or "", _language(payload), team_map, topics)
                for payload in payloads]


def _language(payload: Mapping[str, Any]) -> str | None:
    language = payload.get("language") or (payload.get("annotations") or {}).get("language")
    return str(language).split("-")[0].lower() if language else None


_CLASSIFIER: IntentClassifier | None = None


def _classifier() -> IntentClassifier:
    global _CLASSIFIER
    if _CLASSIFIER is None:
        _CLASSIFIER = IntentClassifier()
    return _CLASSIFIER
