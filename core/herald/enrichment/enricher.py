"""The enricher interface: annotate a post or an engagement item.

An enricher reads one payload and answers a flat dict of *annotations*. Herald stores them
under the enricher's ``key`` with its ``version``, plugin and time, so that every annotation
says who made it and when. Enrichers run in order of what they need: one that ``needs``
``"language"`` runs after the one that ``provides`` it, and sees that earlier answer in
``payload["annotations"]`` (and in ``payload["language"]`` when the network gave none).

The payload (every key always present, values may be ``None`` or empty):

- ``text``: the item's or variant's text;
- ``language``: an ISO 639-1 code given by the network or by an earlier enricher, or ``None``;
- ``kind`` (``mention``, ``comment``, ``reply``, ``dm``, ``listening``, ``post``) and ``network``;
- ``author``: ``{"handle", "followers", "verified"}`` or ``None``;
- ``annotations``: what earlier enrichers answered, merged into one flat dict;
- ``media``: a list of ``{"url", "mime", "data"}``; ``data`` (bytes, at most 8 MB each, at most
  four images) is filled only for an enricher with ``wants_media = True``.

Well-known annotations (an enricher may add others; routing rules and reports read these):

- ``language`` (ISO 639-1) and ``language_confidence`` (0..1);
- ``sentiment`` (polarity, -1..1) and ``sentiment_label`` (``negative``, ``neutral``,
  ``positive``);
- ``intent`` (``sales_enquiry``, ``support_issue``, ``complaint``, ``praise``, ``question``,
  ``spam``, or ``None``), ``intents`` (``{intent: probability}``), ``team`` (``sales``,
  ``support``, ``marketing`` or ``none``) and ``topics`` (tenant-defined topic names);
- ``tags``: short strings that routing rules and search match (e.g. ``image:face``);
- ``image``: one dict per image (``text``, ``faces``, ``unsafe``, ``colours``, ``logos``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from herald.plugin_host.bound import TenantBound

#: the sentiment labels, in polarity order
SENTIMENT_LABELS = ("negative", "neutral", "positive")
#: the intents an intent enricher chooses from (tenant topics come beside them)
INTENTS = ("sales_enquiry", "support_issue", "complaint", "praise", "question", "spam")
#: the teams an intent enricher may suggest
TEAMS = ("sales", "support", "marketing", "none")


class Enricher(TenantBound):
    #: what the enricher looks at: "post", "engagement" or both.
    subjects: ClassVar[tuple[str, ...]] = ("post", "engagement")
    #: the model's or rules' version, stored beside every annotation; change it when the answers
    #: may change, so that a period can be enriched again
    version: ClassVar[str] = "0"
    #: the annotations this enricher answers (e.g. ``("language",)``)
    provides: ClassVar[tuple[str, ...]] = ()
    #: the annotations it reads from earlier enrichers (e.g. ``("language",)``)
    needs: ClassVar[tuple[str, ...]] = ()
    #: ``True`` to receive image bytes in ``payload["media"][i]["data"]``
    wants_media: ClassVar[bool] = False

    def enrich(self, subject: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Annotations for ``payload`` (e.g. ``{"sentiment": -0.4, "tags": ["billing"]}``),
        stored under this enricher's key."""
        raise NotImplementedError

    def enrich_many(self, subject: str, payloads: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Annotations for each payload, in order. Override it where a batch is faster than
        one call per payload (a model scoring many texts at once)."""
        return [self.enrich(subject, payload) for payload in payloads]
