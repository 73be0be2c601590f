"""The enrichment pipeline (order of needs, failures kept apart, annotations checked) and batch
scoring from the command line (``herald enrich``: the stable JSON-lines format)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from herald.enrichment import pipeline
from herald.enrichment.enricher import Enricher
from herald.hookspecs import hookimpl


class _Lang(Enricher):
    key = "lang_t"
    provides = ("language",)

    def enrich(self, subject, payload):  # type: ignore[no-untyped-def]
        return {"language": "ar" if any("\u0600" <= ch <= "\u06ff" for ch in payload["text"]) else "en"}


class _Sent(Enricher):
    key = "sent_t"
    version = "3"
    needs = ("language",)
    provides = ("sentiment", "sentiment_label")

    def enrich_many(self, subject, payloads):  # type: ignore[no-untyped-def]
        out = []
        for p in payloads:
            bad = "bad" in p["text"] or "سيء" in p["text"]
            out.append({"sentiment": -0.75 if bad else 0.25, "sentiment_label": "negative" if bad else "positive",
                        "lang_seen": p["language"]})
        return out


class _Intent(Enricher):
    key = "intent_t"
    needs = ("language",)
    provides = ("intent", "team")

    def enrich(self, subject, payload):  # type: ignore[no-untyped-def]
        return {"intent": "sales_enquiry", "team": "sales"} if "price" in payload["text"] else {"intent": None}


class _Broken(Enricher):
    key = "broken_t"

    def enrich_many(self, subject, payloads):  # type: ignore[no-untyped-def]
        return [{}]  # wrong length: the pipeline tries each payload

    def enrich(self, subject, payload):  # type: ignore[no-untyped-def]
        if payload["text"] == "boom":
            raise ValueError("boom")
        return {"sentiment": 7, "tags": ["x"] * 3, "language": 5}


def _p(text: str) -> dict:
    return pipeline.payload(text=text)


def test_enrichers_run_after_what_they_need_whatever_order_they_come_in():
    order = pipeline.ordered([_Sent("t", {}), _Intent("t", {}), _Lang("t", {})])
    assert [e.key for e in order] == ["lang_t", "sent_t", "intent_t"]


def test_a_cycle_of_needs_keeps_the_given_order():
    class A(Enricher):
        key, provides, needs = "a", ("x",), ("y",)

    class B(Enricher):
        key, provides, needs = "b", ("y",), ("x",)

    assert sorted(e.key for e in pipeline.ordered([A("t", {}), B("t", {})])) == ["a", "b"]


def test_later_enrichers_see_earlier_answers_and_the_language_is_filled():
    payloads = [_p("this is bad"), _p("هذا سيء")]
    found = pipeline.run(pipeline.ordered([_Sent("t", {}), _Lang("t", {})]), "engagement", payloads)
    assert [f["sent_t"].values["lang_seen"] for f in found] == ["en", "ar"]
    assert payloads[1]["language"] == "ar" and found[1]["sent_t"].version == "3"
    assert found[0]["sent_t"].record()["values"]["sentiment_label"] == "negative"


def test_a_network_language_is_not_overwritten():
    payload = pipeline.payload(text="hello", language="fr")
    found = pipeline.run([_Lang("t", {}), _Sent("t", {})], "engagement", [payload])
    assert payload["language"] == "fr" and found[0]["sent_t"].values["lang_seen"] == "fr"


def test_a_failing_batch_is_retried_per_payload_and_bad_annotations_dropped():
    found = pipeline.run([_Broken("t", {})], "engagement", [_p("boom"), _p("fine")])
    assert found[0] == {}
    values = found[1]["broken_t"].values
    assert "sentiment" not in values and "language" not in values and values["tags"] == ["x", "x", "x"]


def test_stored_records_of_old_and_new_form_read_the_same():
    records = {"old": {"tags": ["a"], "intent": "praise"},
               "new": {"values": {"tags": ["b", "a"], "sentiment": -0.2}, "version": "1", "plugin": "p", "at": "x"}}
    assert pipeline.tags_of(records) == ["a", "b"]
    assert pipeline.values_of(records) == {"tags": ["b", "a"], "intent": "praise", "sentiment": -0.2}


class _Plugin:
    HERALD_HOOK_API = "1.5"

    @hookimpl
    def herald_enrichers(self):  # type: ignore[no-untyped-def]
        return [_Intent, _Sent, _Lang]


def _cli(herald_runtime, *args: str):  # type: ignore[no-untyped-def]
    from herald.cli.main import Ctx, cli

    ctx = Ctx()
    ctx._rt = herald_runtime
    return CliRunner().invoke(cli, list(args), obj=ctx)


def test_herald_enrich_scores_a_file_with_the_enricher_and_what_it_needs(herald_runtime, register_plugin, tmp_path):
    register_plugin(_Plugin(), "scoring")
    source = tmp_path / "items.jsonl"
    source.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"id": 1, "text": "this is bad"}, {"id": "b", "text": "هذا سيء"}, {"id": "c", "text": "ok", "lang": "fr"}]))
    target = tmp_path / "out" / "scored.jsonl"
    result = _cli(herald_runtime, "enrich", "--enricher", "sent_t", "--input", str(source), "--output", str(target))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert lines == [{"id": 1, "lang": "en", "sentiment": "negative", "score": -0.75},
                     {"id": "b", "lang": "ar", "sentiment": "negative", "score": -0.75},
                     {"id": "c", "lang": "fr", "sentiment": "positive", "score": 0.25}]
    assert "scored 3 items with lang_t, sent_t" in result.output
    target2 = tmp_path / "intent.jsonl"
    source.write_text(json.dumps({"id": 9, "text": "what is the price"}))
    assert _cli(herald_runtime, "enrich", "--enricher", "intent_t", "--input", str(source),
                "--output", str(target2)).exit_code == 0
    assert json.loads(target2.read_text()) == {"id": 9, "lang": "en", "intent": "sales_enquiry", "team": "sales"}


def test_herald_enrich_refuses_a_bad_line_by_number_and_writes_nothing(herald_runtime, register_plugin, tmp_path):
    register_plugin(_Plugin(), "scoring")
    (tmp_path / "in").mkdir()
    source = tmp_path / "in" / "items.jsonl"
    target = tmp_path / "in" / "scored.jsonl"
    for body, expected in (('{"id": 1, "text": "a"}\n{"id": 2}\n', "items.jsonl line 2: text: Missing data"),
                           ('{"id": 1, "text": "a"}\n\n{nope\n', "items.jsonl line 3: not JSON"),
                           ('[1, 2]\n', "line 1: a line must be a JSON object"),
                           ('{"id": true, "text": "a"}\n', "line 1: id:")):
        source.write_text(body)
        result = _cli(herald_runtime, "enrich", "--enricher", "sent_t", "--input", str(source),
                      "--output", str(target))
        assert result.exit_code == 1 and expected in result.output, result.output
        assert not target.exists() and list(source.parent.iterdir()) == [source]
    result = _cli(herald_runtime, "enrich", "--enricher", "nope", "--input", str(source), "--output", str(target))
    assert result.exit_code == 1 and "No enricher 'nope' is installed; there are: " in result.output
    assert "intent_t, lang_t" in result.output and "sent_t" in result.output
