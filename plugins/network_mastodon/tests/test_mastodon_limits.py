"""The instance's own limits (GET /api/v2/instance), read once and kept, and how it counts."""

from __future__ import annotations

from herald.plugins import VariantDraft


def test_a_larger_instance_limit_accepts_a_longer_status(mastodon, fake_mastodon):
    fake_mastodon.fake.max_characters = 1000
    assert mastodon.validate(VariantDraft(text="x" * 900)) == []
    assert mastodon.capabilities.max_text_length == 1000
    problems = mastodon.validate(VariantDraft(text="x" * 1001))
    assert [p.code for p in problems] == ["too_long"] and "1000" in problems[0].message


def test_the_instance_is_read_once_while_its_limits_are_cached(make_connector, fake_mastodon):
    for _ in range(3):
        make_connector().validate(VariantDraft(text="hello"))
    assert fake_mastodon.fake.instance_reads == 1


def test_a_zero_cache_reads_the_instance_for_every_use(make_connector, fake_mastodon):
    make_connector(instance_cache_seconds=0).validate(VariantDraft(text="a"))
    make_connector(instance_cache_seconds=0).validate(VariantDraft(text="b"))
    assert fake_mastodon.fake.instance_reads == 2


def test_links_count_as_23_characters_and_remote_mentions_without_their_domain(mastodon):
    assert mastodon.text_length("see https://example.com/a/very/long/path/that/goes/on/and/on") == 4 + 23
    assert mastodon.text_length("hi @alice@mastodon.example") == len("hi @alice")


def test_media_limits_come_from_the_instance(mastodon, fake_mastodon):
    fake_mastodon.fake.max_media = 2
    image = {"kind": "image", "mime_type": "image/png", "size": 10}
    problems = mastodon.validate(VariantDraft(text="t", media=[image] * 3))
    assert [p.code for p in problems] == ["too_many"]
    odd = mastodon.validate(VariantDraft(text="t", media=[{"kind": "image", "mime_type": "image/tiff", "size": 1},
                                                          {"kind": "image", "mime_type": "image/png",
                                                           "size": 17_000_000}]))
    assert [(p.field, p.code) for p in odd] == [("media[0]", "unsupported_type"), ("media[1]", "too_large")]


def test_an_unreachable_instance_falls_back_to_mastodons_defaults(make_connector):
    connector = make_connector(instance_url="http://127.0.0.1:9")
    assert connector.validate(VariantDraft(text="x" * 500)) == []
    assert [p.code for p in connector.validate(VariantDraft(text="x" * 501))] == ["too_long"]


def test_a_failing_instance_is_not_asked_again_for_every_draft(make_connector, fake_mastodon):
    fake_mastodon.fake.fail_next("/api/v2/instance", 503, "Service unavailable")
    assert make_connector().capabilities.max_text_length == 500
    make_connector().validate(VariantDraft(text="a"))
    make_connector().validate(VariantDraft(text="b"))
    assert [p for m, p, h in fake_mastodon.fake.requests if p == "/api/v2/instance"] == ["/api/v2/instance"]


def test_the_content_warning_counts_towards_the_instances_limit(mastodon, fake_mastodon):
    fake_mastodon.fake.max_characters = 1000
    assert mastodon.validate(VariantDraft(text="x" * 900, options={"spoiler_text": "y" * 100})) == []
    [problem] = mastodon.validate(VariantDraft(text="x" * 900, options={"spoiler_text": "y" * 101}))
    assert (problem.field, problem.code) == ("text", "too_long") and "1001" in problem.message


def test_an_unknown_visibility_is_refused_before_publishing(mastodon):
    assert mastodon.validate(VariantDraft(text="hi", options={"visibility": "unlisted"})) == []
    [problem] = mastodon.validate(VariantDraft(text="hi", options={"visibility": "friends"}))
    assert problem.field == "options.visibility" and "public, unlisted, private, direct" in problem.message
