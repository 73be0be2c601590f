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


def test_settings_default_to_facebook_login_on_a_versioned_graph_host_and_fifty_posts_a_day():
    loaded = InstagramSettings().load({"app_id": "a", "app_secret": "b"})
    assert loaded["api_base_url"] == "https://graph.facebook.com/v25.0"
    assert loaded["login"] == "facebook"
    assert loaded["publishing_quota_per_day"] == 50


def test_settings_refuse_an_unknown_login_flavour_and_a_non_http_base_url():
    errors = InstagramSettings().validate({"app_id": "a", "app_secret": "b", "login": "twitter",
                                           "api_base_url": "ftp://graph.instagram.com"})
    assert {"login", "api_base_url"} <= set(errors)


def test_secrets_are_declared_as_secret():
    from herald_network_instagram import herald_plugin_settings

    assert set(herald_plugin_settings().secret_fields) == {"app_secret", "webhook_verify_token"}


def test_deleting_is_not_offered_because_instagram_has_no_delete():
    assert InstagramConnector.capabilities.supports_delete is False
    assert InstagramConnector.capabilities.supports_lookup is True


def test_only_jpeg_images_and_mp4_or_mov_videos_are_accepted():
    assert _codes(VariantDraft("c", [{"kind": "image", "mime_type": "image/png"}])) == {"unsupported_format"}
    assert _codes(VariantDraft("c", [{"kind": "image", "mime_type": "image/jpeg"}])) == set()
    assert _codes(VariantDraft("c", [{"kind": "video", "mime_type": "video/webm"}])) == {"unsupported_format"}
    assert _codes(VariantDraft("c", [{"kind": "video", "mime_type": "video/quicktime"}])) == set()


def test_images_must_be_between_four_by_five_and_one_point_nine_one_to_one():
    assert _codes(VariantDraft("c", [{"kind": "image", "width": 1080, "height": 1350}])) == set()
    assert _codes(VariantDraft("c", [{"kind": "image", "width": 1910, "height": 1000}])) == set()
    assert _codes(VariantDraft("c", [{"kind": "image", "width": 1080, "height": 1920}])) == {"aspect_ratio"}
    assert _codes(VariantDraft("c", [{"kind": "image", "width": 3000, "height": 1000}])) == {"aspect_ratio"}


def test_reels_last_three_seconds_to_fifteen_minutes():
    assert _codes(VariantDraft("c", [{"kind": "video", "duration_s": 2}])) == {"duration"}
    assert _codes(VariantDraft("c", [{"kind": "video", "duration_s": 900}])) == set()
    assert _codes(VariantDraft("c", [{"kind": "video", "duration_s": 901}])) == {"duration"}
