"""Instagram's caption and media rules."""

from herald.plugins import VariantDraft
from herald_network_instagram import InstagramConnector, InstagramSettings


def _codes(draft: VariantDraft) -> set[str]:
    return {p.code for p in InstagramConnector("ten_x", {}).validate(draft)}


IMAGE = {"kind": "image"}


def test_a_post_needs_media():
    assert _codes(VariantDraft("caption only")) == {"too_few"}


def test_thirty_hashtags_pass_thirty_one_fail():
    assert _codes(VariantDraft(" ".join(f"#t{i}" for i in range(30)), [IMAGE])) == set()
    assert _codes(VariantDraft(" ".join(f"#t{i}" for i in range(31)), [IMAGE])) == {"too_many_hashtags"}


def test_more_than_twenty_mentions_fail():
    assert _codes(VariantDraft(" ".join(f"@u{i}" for i in range(21)), [IMAGE])) == {"too_many_mentions"}


def test_carousels_hold_at_most_ten_items_and_no_gifs():
    assert _codes(VariantDraft("c", [IMAGE] * 10)) == set()
    assert _codes(VariantDraft("c", [IMAGE] * 11)) == {"too_many"}
    assert _codes(VariantDraft("c", [{"kind": "gif"}])) == {"unsupported_kind"}


def test_captions_over_2200_characters_fail():
    assert _codes(VariantDraft("ب" * 2201, [IMAGE])) == {"too_long"}


def test_settings_require_app_credentials():
    assert {"app_id", "app_secret"} <= set(InstagramSettings().validate({}))
    assert "graph_version" in InstagramSettings().validate({"app_id": "a", "app_secret": "b", "graph_version": "25"})
