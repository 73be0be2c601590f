"""The style-guide step blocks with reasons in any script: English, Arabic, Persian, mixed
right-to-left and left-to-right text, and emoji."""

from __future__ import annotations

from herald.approvals.style_guide import count_emoji, normalise


def _check(herald_runtime, seed, text: str, **options):  # type: ignore[no-untyped-def]
    import uuid

    t = seed.tenant(f"t{uuid.uuid4().hex[:10]}")
    with herald_runtime.db.transaction() as s:
        step = herald_runtime.plugins.for_tenant(s, t.id).instance("herald_approval_step_kinds", "style_guide")
    post = {"content": {"variants": [{"network": "x", "language": "ar", "text": text}]}}
    return step.evaluate(post, options)


def test_a_clean_post_passes(herald_runtime, seed):
    outcome = _check(herald_runtime, seed, "New roast today #AcmeCoffee", banned_phrases=["free"],
                     required_hashtags=["acmecoffee"], max_emoji=2)
    assert outcome.verdict == "passed" and outcome.reasons == []


def test_banned_arabic_phrase_matches_despite_diacritics_and_tatweel(herald_runtime, seed):
    outcome = _check(herald_runtime, seed, "عرض مَجَّانـــي اليوم ☕", banned_phrases=["مجاني"])
    assert outcome.verdict == "blocked"
    assert outcome.reasons == ["variant 1 (x, ar): uses the banned phrase “مجاني”."]


def test_persian_and_arabic_letter_forms_are_the_same_word(herald_runtime, seed):
    # Persian keheh/yeh (ک ی) typed versus Arabic kaf/yeh (ك ي) in the rule
    outcome = _check(herald_runtime, seed, "تخفیف ویژه برای کافه", banned_phrases=["تخفيف"])
    assert outcome.verdict == "blocked"
    assert normalise("كافي") == normalise("کافی")


def test_a_banned_word_inside_another_word_does_not_match(herald_runtime, seed):
    assert _check(herald_runtime, seed, "Freedom roast", banned_phrases=["free"]).verdict == "passed"
    assert _check(herald_runtime, seed, "Get it FREE today", banned_phrases=["free"]).verdict == "blocked"


def test_required_hashtag_and_disclaimer_in_mixed_script_text(herald_runtime, seed):
    text = "قهوة جديدة from Acme #قهوة\nالشروط والأحكام تنطبق"
    ok = _check(herald_runtime, seed, text, required_hashtags=["#قهوة"], required_phrases=["الشروط والأحكام تنطبق"])
    assert ok.verdict == "passed", ok.reasons
    missing = _check(herald_runtime, seed, "قهوة جديدة", required_hashtags=["قهوة"],
                     required_phrases=["Terms apply"])
    assert missing.verdict == "blocked" and len(missing.reasons) == 2
    assert "#قهوة" in missing.reasons[0] and "Terms apply" in missing.reasons[1]


def test_emoji_are_counted_as_people_see_them(herald_runtime, seed):
    family = "👨\u200d👩\u200d👧"  # one emoji made of three joined
    assert count_emoji(family) == 1
    assert count_emoji("👍🏽") == 1 and count_emoji("🇦🇪🇮🇷") == 2 and count_emoji("❤️") == 1
    assert count_emoji("بدون رموز") == 0
    blocked = _check(herald_runtime, seed, f"{family} ☕☕ 🇦🇪", max_emoji=3)
    assert blocked.verdict == "blocked" and "has 4 emoji" in blocked.reasons[0]


def test_links_only_to_allowed_domains(herald_runtime, seed):
    ok = _check(herald_runtime, seed, "اطلب الآن https://shop.acme.example/ar", allowed_link_domains=["acme.example"])
    assert ok.verdict == "passed"
    bad = _check(herald_runtime, seed, "see https://acme.example.evil.test/x", allowed_link_domains=["acme.example"])
    assert bad.verdict == "blocked" and "acme.example.evil.test" in bad.reasons[0]
