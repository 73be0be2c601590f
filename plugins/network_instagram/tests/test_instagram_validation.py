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
