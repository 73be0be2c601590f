"""Which one variant of a post each social account publishes.

A post may be written in several languages; an account publishes exactly one of them, never all:

1. **Override** — the post's ``target_languages`` names a language for the account
   (``{"<account id>": "ar"}``; ``null`` names the variant without a language): that one.
2. **Audience language** — the account's ``audience_languages``, in order of preference: the
   first the post has. ``ar`` and ``ar-AE`` match each other (same primary language); for one
   audience language an exact tag wins over a primary-language match.
3. **Fallback** — the account names no audience language, or none the post has: the post's
   "any language" variant (``language: null``) if it has one, else the language of the post's
   first variant (its main language), else the first variant the account's network can take.

Within a language the network rule is unchanged: the account's network's own variant first,
else the generic one (``network: null``), see :func:`variants_for`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

Reason = Literal["override", "audience", "fallback"]


class AccountLike(Protocol):
    id: str
    network: str
    audience_languages: list[str]


@dataclass(frozen=True)
class Choice:
    """The variant an account publishes and why."""

    variant: dict[str, Any]
    reason: Reason
    #: the audience language that matched (reason "audience")
    matched: str | None = None
    #: the account names audience languages but the post has none of them (reason "fallback")
    audience_missing: bool = False

    @property
    def language(self) -> str | None:
        return self.variant.get("language")


def _primary(tag: str | None) -> str | None:
    return tag.split("-")[0].lower() if tag else None


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").lower() == (b or "").lower()


def with_language(candidates: list[dict[str, Any]], language: str | None) -> dict[str, Any] | None:
    """The candidate in ``language`` (``None``: the one without a language); an exact tag first,
    then the same primary language."""
    exact = next((v for v in candidates if _same(v.get("language"), language)), None)
    if exact is not None or language is None:
        return exact
    return next((v for v in candidates if v.get("language") and _primary(v["language"]) == _primary(language)), None)


def variant_key(variant: dict[str, Any]) -> str:
    return f"{variant.get('network') or '*'}/{variant.get('language') or '-'}"


def variants_for(content: dict[str, Any], network: str) -> list[dict[str, Any]]:
    """The variants an account of ``network`` publishes: its network's own, plus the generic
    ones (``network: null``) for languages its network has no variant of."""
    own = [v for v in content["variants"] if v.get("network") == network]
    langs = {v.get("language") for v in own}
    generic = [v for v in content["variants"] if not v.get("network") and v.get("language") not in langs]
    seen: set[str] = set()
    out = []
    for v in own + generic:
        if variant_key(v) not in seen:
            seen.add(variant_key(v))
            out.append(v)
    return out


def find_variant(content: dict[str, Any], key: str) -> dict[str, Any] | None:
    return next((v for v in content["variants"] if variant_key(v) == key), None)


def overrides(content: dict[str, Any]) -> dict[str, str | None]:
    """The post's per-account language overrides (older versions have none)."""
    return dict(content.get("target_languages") or {})


def choose_variant(content: dict[str, Any], account: AccountLike) -> Choice | None:
    """The one variant ``account`` publishes (None: the post has no variant for its network)."""
    candidates = variants_for(content, account.network)
    if not candidates:
        return None
    chosen = overrides(content)
    if account.id in chosen:
        found = with_language(candidates, chosen[account.id])
        if found is not None:
            return Choice(found, "override")
    audience = [lang for lang in (account.audience_languages or []) if lang]
    for lang in audience:  # in the account's order of preference
        found = with_language(candidates, lang)
        if found is not None:
            return Choice(found, "audience", matched=lang)
    main = content["variants"][0].get("language") if content.get("variants") else None
    found = with_language(candidates, None) or with_language(candidates, main) or candidates[0]
    return Choice(found, "fallback", audience_missing=bool(audience))


def override_problems(content: dict[str, Any], accounts: list[AccountLike]) -> dict[str, list[str]]:
    """What is wrong with the post's ``target_languages``: an account that is not a target, or a
    language the post has no variant in for that account's network."""
    errors: dict[str, list[str]] = {}
    by_id = {a.id: a for a in accounts}
    targets = set(content.get("targets") or [])
    for account_id, language in overrides(content).items():
        field = f"target_languages.{account_id}"
        if account_id not in targets:
            errors.setdefault(field, []).append("Only a target of the post can be given a language.")
            continue
        acct = by_id.get(account_id)
        if acct is None:  # the target itself is refused under targets[i]
            continue
        if with_language(variants_for(content, acct.network), language) is None:
            what = f"in {language!r}" if language else "without a language"
            errors.setdefault(field, []).append(f"The post has no variant {what} for {acct.network!r}.")
    return errors
