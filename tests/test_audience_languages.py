"""One post, several languages: each social account publishes the one variant in its audience's
language (or the one the post sets for it), never every language; the publication plan says
which and why; scheduling on an account that needs reconnecting warns at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from publishing_support import T0, world_fixture  # noqa: F401  (the world fixture)
from sqlalchemy import select

from herald.audit.models import AuditEvent
from herald.networks.errors import PermanentError
from herald.publishing.tokens import credential, flag_reconnect
from herald.tenancy.models import SocialAccount
from herald.testing.scripted_connector import fail

EN, AR = "Fresh coffee in Dubai today", "قهوة طازجة في دبي اليوم"


def set_audience(w: Any, account: str, *languages: str) -> dict[str, Any]:
    r = w.admin.patch(w.url(f"social-accounts/{w.accounts[account]}"), {"audience_languages": list(languages)})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def bilingual(w: Any, *accounts: str, variants: list[dict[str, Any]] | None = None,
              target_languages: dict[str, Any] | None = None, approve: bool = True) -> str:
    content: dict[str, Any] = {
        "title": "Opening", "targets": [w.accounts[a] for a in accounts],
        "variants": variants or [{"network": None, "language": "en", "text": EN},
                                 {"network": None, "language": "ar", "text": AR}]}
    if target_languages is not None:
        content["target_languages"] = {w.accounts[a]: lang for a, lang in target_languages.items()}
    r = w.users["editor"].post(w.url("posts"), {"org_unit_id": w.tenant.units["coffee"].id, "content": content})
    assert r.status_code == 201, r.get_json()
    if approve:
        w.approve(r.get_json()["id"])
    return r.get_json()["id"]


def schedule(w: Any, post_id: str) -> Any:
    return w.users["publisher"].post(w.url(f"posts/{post_id}/schedule"),
                                     {"at": (T0 + timedelta(hours=2)).isoformat()})


def plan(w: Any, post_id: str, user: str = "editor") -> dict[str, dict[str, Any]]:
    r = w.users[user].get(w.url(f"posts/{post_id}/plan"))
    assert r.status_code == 200, r.get_json()
    return {e["account_id"]: e for e in r.get_json()["accounts"]}


# ----------------------------------------------------------------------------- accounts
def test_accounts_take_audience_languages_in_order_and_refuse_malformed_ones(world):
    w = world
    r = w.admin.post(w.url("social-accounts"), {"org_unit_id": w.tenant.units["dubai"].id, "network": "fake",
                                                "handle": "dubai_two", "audience_languages": ["ar", "en-AE"]})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["audience_languages"] == ["ar", "en-AE"]
    account_id = r.get_json()["id"]
    assert w.admin.get(w.url(f"social-accounts/{account_id}")).get_json()["audience_languages"] == ["ar", "en-AE"]
    assert set_audience(w, "fake_coffee", "en")["audience_languages"] == ["en"]
    for bad in (["Arabic"], ["ar", "AR"], ["en"] * 11):
        r = w.admin.patch(w.url(f"social-accounts/{account_id}"), {"audience_languages": bad})
        assert r.status_code == 422, (bad, r.get_json())
        assert "audience_languages" in r.get_json()["errors"]
    assert w.admin.get(w.url(f"social-accounts/{account_id}")).get_json()["audience_languages"] == ["ar", "en-AE"]
    with w.rt.db.transaction() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "social_account.updated",
                                                   AuditEvent.object_id == w.accounts["fake_coffee"])).first()
        assert event.after["audience_languages"] == ["en"]
    # an account created without them names none
    assert w.admin.get(w.url(f"social-accounts/{w.accounts['fake_dubai']}")).get_json()["audience_languages"] == []


# ----------------------------------------------------------------------------- planning
def test_two_accounts_and_two_languages_give_two_publications_each_in_its_audience_language(world):
    w = world
    set_audience(w, "fake_coffee", "en")
    set_audience(w, "fake_dubai", "ar")
    post_id = bilingual(w, "fake_coffee", "fake_dubai")
    r = schedule(w, post_id)
    assert r.status_code == 201, r.get_json()
    got = {p["account_id"]: p["language"] for p in r.get_json()["publications"]}
    assert got == {w.accounts["fake_coffee"]: "en", w.accounts["fake_dubai"]: "ar"}
    w.clock.advance(hours=3)
    w.drive()
    texts = {p.account_id: p.text for p in w.net.posts.values()}
    assert texts == {w.accounts["fake_coffee"]: EN, w.accounts["fake_dubai"]: AR}
    assert w.status(post_id) == "published"


def test_an_account_without_audience_languages_gets_the_language_neutral_text_else_the_first_language(world):
    w = world
    first = bilingual(w, "fake_coffee")
    assert [p.language for p in (schedule(w, first), w.pubs(first))[1]] == ["en"]
    neutral = bilingual(w, "fake_coffee", variants=[{"network": None, "language": "ar", "text": AR},
                                                    {"network": None, "language": None, "text": "☕"}])
    schedule(w, neutral)
    (pub,) = w.pubs(neutral)
    assert (pub.language, pub.variant_key) == (None, "*/-")
    entry = plan(w, neutral)[w.accounts["fake_coffee"]]
    assert (entry["reason"], entry["language"], entry["audience_missing"]) == ("fallback", None, False)


def test_audience_languages_are_tried_in_order_and_a_regional_tag_matches_its_language(world):
    w = world
    set_audience(w, "fake_dubai", "fr", "ar", "en")
    post_id = bilingual(w, "fake_dubai", variants=[{"network": None, "language": "en", "text": EN},
                                                   {"network": None, "language": "ar-AE", "text": AR}])
    entry = plan(w, post_id)[w.accounts["fake_dubai"]]
    assert (entry["reason"], entry["matched_language"], entry["language"]) == ("audience", "ar", "ar-AE")
    assert entry["excerpt"] == AR and "audience reads ar" in entry["explanation"]
    schedule(w, post_id)
    assert [p.language for p in w.pubs(post_id)] == ["ar-AE"]


def test_an_audience_the_post_does_not_speak_gets_the_main_text_and_the_plan_says_so(world):
    w = world
    set_audience(w, "fake_dubai", "fa")
    post_id = bilingual(w, "fake_dubai")
    entry = plan(w, post_id)[w.accounts["fake_dubai"]]
    assert (entry["reason"], entry["language"], entry["audience_missing"]) == ("fallback", "en", True)
    assert "no variant in the account's audience languages (fa)" in entry["explanation"]


def test_the_network_rule_still_applies_within_the_chosen_language(world):
    w = world
    set_audience(w, "fake_dubai", "ar")
    set_audience(w, "blind_coffee", "ar")
    variants = [{"network": None, "language": "en", "text": EN}, {"network": None, "language": "ar", "text": AR},
                {"network": "fake", "language": "ar", "text": AR + " #fake"}]
    post_id = bilingual(w, "fake_dubai", "blind_coffee", variants=variants)
    schedule(w, post_id)
    keys = {p.account_id: p.variant_key for p in w.pubs(post_id)}
    assert keys == {w.accounts["fake_dubai"]: "fake/ar", w.accounts["blind_coffee"]: "*/ar"}


def test_the_post_can_give_one_account_another_language_and_that_is_a_versioned_change(world):
    w = world
    set_audience(w, "fake_dubai", "ar")
    post_id = bilingual(w, "fake_coffee", "fake_dubai", target_languages={"fake_dubai": "en"}, approve=False)
    entry = plan(w, post_id)[w.accounts["fake_dubai"]]
    assert (entry["reason"], entry["language"]) == ("override", "en")
    body = w.users["editor"].get(w.url(f"posts/{post_id}")).get_json()
    content = {**body["content"], "target_languages": {w.accounts["fake_dubai"]: "ar"}}
    r = w.users["editor"].request("PUT", w.url(f"posts/{post_id}/content"),
                                  json={"base_version": 1, "content": content})
    assert r.status_code == 200, r.get_json()
    versions = w.users["editor"].get(w.url(f"posts/{post_id}/versions")).get_json()
    items = versions["items"] if isinstance(versions, dict) else versions
    latest = max(items, key=lambda v: v["number"])
    assert [c["field"] for c in latest["changes"]] == ["target_languages"]
    assert plan(w, post_id)[w.accounts["fake_dubai"]]["language"] == "ar"
    w.approve(post_id)
    schedule(w, post_id)
    assert {p.account_id: p.language for p in w.pubs(post_id)} == {w.accounts["fake_coffee"]: "en",
                                                                  w.accounts["fake_dubai"]: "ar"}


def test_an_override_for_a_missing_language_or_a_non_target_is_refused_at_its_field(world):
    w = world
    content = {"title": "x", "targets": [w.accounts["fake_coffee"]],
               "variants": [{"network": None, "language": "en", "text": EN}],
               "target_languages": {w.accounts["fake_coffee"]: "ar", w.accounts["fake_dubai"]: "en"}}
    r = w.users["editor"].post(w.url("posts"), {"org_unit_id": w.tenant.units["coffee"].id, "content": content})
    assert r.status_code == 422, r.get_json()
    errors = r.get_json()["errors"]
    assert errors[f"target_languages.{w.accounts['fake_coffee']}"] == ["The post has no variant in 'ar' for 'fake'."]
    assert "target" in errors[f"target_languages.{w.accounts['fake_dubai']}"][0]
    content["target_languages"] = {w.accounts["fake_coffee"]: "not a language"}
    r = w.users["editor"].post(w.url("posts"), {"org_unit_id": w.tenant.units["coffee"].id, "content": content})
    assert r.status_code == 422 and "target_languages" in str(r.get_json()["errors"])


def test_an_account_that_already_published_the_post_gets_no_second_language(world):
    w = world
    post_id = bilingual(w, "fake_coffee", "fake_dubai")
    w.net.publish.append(fail(PermanentError("refused for good")))  # the first publication fails
    r = w.users["publisher"].post(w.url(f"posts/{post_id}/publish"), {})
    assert r.status_code == 202, r.get_json()
    w.drive()
    states = {p.account_id: p.state for p in w.pubs(post_id)}
    assert sorted(states.values()) == ["failed", "published"]
    done = next(a for a, s in states.items() if s == "published")
    failed = next(a for a, s in states.items() if s == "failed")
    # the audience of both accounts changes to Arabic: the published one must not get the Arabic text too
    with w.rt.db.transaction() as s:
        for account_id in states:
            s.get(SocialAccount, account_id).audience_languages = ["ar"]
    r = w.users["publisher"].post(w.url(f"posts/{post_id}/publish"), {})
    assert r.status_code == 202, r.get_json()
    w.drive()
    pubs = w.pubs(post_id)
    assert [(p.account_id, p.language, p.state) for p in pubs if p.account_id == done] == [(done, "en", "published")]
    mine = sorted((p.language, p.state) for p in pubs if p.account_id == failed)
    assert mine == [("ar", "published"), ("en", "cancelled")]  # the failed English one is superseded
    assert len(w.net.posts) == 2 and w.status(post_id) == "published"


# ----------------------------------------------------------------------------- warnings
def test_scheduling_on_an_account_that_needs_reconnecting_is_allowed_with_a_warning_naming_it(world):
    w = world
    with w.rt.db.transaction() as s:
        flag_reconnect(s, s.get(SocialAccount, w.accounts["fake_dubai"]), "The token was revoked by the owner.")
    post_id = bilingual(w, "fake_coffee", "fake_dubai")
    entry = plan(w, post_id)[w.accounts["fake_dubai"]]
    assert entry["warning"]["code"] == "reconnect_needed"
    r = schedule(w, post_id)
    assert r.status_code == 201, r.get_json()
    (warning,) = r.get_json()["warnings"]
    assert warning["account_id"] == w.accounts["fake_dubai"] and warning["code"] == "reconnect_needed"
    assert warning["reason"] == "The token was revoked by the owner."
    assert "fake_dubai" in warning["message"] and "Reconnect" in warning["message"]
    assert "/connect" in warning["message"]
    assert len(r.get_json()["publications"]) == 2  # scheduled anyway: it may be reconnected in time


def test_a_healthy_account_gives_no_warning_and_an_expiring_unrenewable_token_does(world):
    w = world
    post_id = bilingual(w, "fake_coffee")
    assert schedule(w, post_id).get_json()["warnings"] == []
    with w.rt.db.transaction() as s:  # access that ends before the slot, with no refresh token
        cred = credential(s, s.get(SocialAccount, w.accounts["fake_dubai"]))
        cred.sealed_tokens = w.rt.box.seal({"access_token": "short", "refresh_token": None,
                                            "expires_at": (T0 + timedelta(hours=1)).isoformat()})
        cred.token_expires_at = T0 + timedelta(hours=1)
    other = bilingual(w, "fake_dubai")
    (warning,) = schedule(w, other).get_json()["warnings"]
    assert warning["code"] == "token_expires" and "fake_dubai" in warning["message"]


def test_the_plan_needs_the_post_to_be_visible_and_is_in_the_openapi_document(world, client):
    w = world
    post_id = bilingual(w, "fake_coffee")
    r = w.users["tea_editor"].get(w.url(f"posts/{post_id}/plan"))
    assert r.status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()
    op = spec["paths"]["/api/v1/tenants/{tenant_id}/posts/{post_id}/plan"]["get"]
    assert "200" in op["responses"]
    schedule_op = spec["paths"]["/api/v1/tenants/{tenant_id}/posts/{post_id}/schedule"]["post"]
    assert "warnings" in str(schedule_op["responses"]["201"]) or "ScheduledOut" in str(spec["components"])
