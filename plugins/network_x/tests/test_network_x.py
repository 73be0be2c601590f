"""X counts characters its own way; the connector validates as X would."""

from herald.plugins import VariantDraft
from herald_network_x import XConnector, XSettings, weighted_length


def _codes(draft: VariantDraft) -> set[str]:
    return {p.code for p in XConnector("ten_x", {}).validate(draft)}


def test_280_latin_characters_pass_and_281_fail():
    assert _codes(VariantDraft("a" * 280)) == set()
    assert _codes(VariantDraft("a" * 281)) == {"too_long"}


def test_a_link_counts_23_whatever_its_length():
    url = "https://example.com/" + "x" * 200
    assert weighted_length(url) == 23
    assert weighted_length("see " + url) == 27


def test_cjk_and_emoji_count_double():
    assert weighted_length("日本") == 4
    assert _codes(VariantDraft("日" * 140)) == set()
    assert _codes(VariantDraft("日" * 141)) == {"too_long"}


def test_arabic_counts_single():
    assert weighted_length("مرحبا") == 5


def test_a_video_cannot_share_a_post_with_images_and_five_images_are_too_many():
    assert _codes(VariantDraft("hi", [{"kind": "video"}, {"kind": "image"}])) == {"video_alone"}
    assert _codes(VariantDraft("hi", [{"kind": "image"}] * 5)) == {"too_many"}
    assert _codes(VariantDraft("hi", [{"kind": "image"}] * 4)) == set()


def test_settings_need_a_client_id_and_accept_a_local_api_base():
    errors = XSettings().validate({})
    assert "client_id" in errors
    loaded = XSettings().load({"client_id": "abc", "api_base_url": "http://127.0.0.1:9000"})
    assert loaded["api_base_url"] == "http://127.0.0.1:9000"
    assert "api_base_url" in XSettings().validate({"client_id": "abc", "api_base_url": "not a url"})
