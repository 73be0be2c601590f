"""Previews of a post being composed: for each variant, how it will look on each chosen account
that will publish it (the one variant an account publishes is the publishing engine's own
choice, :func:`herald.content.variant_choice.choose_variant`). Only accounts the person may see are
previewed; accounts of a network the tenant has not enabled are left out (the check says why)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from herald.authz import Actor, can
from herald.content.variant_choice import choose_variant
from herald.networks.connector import NetworkConnector, VariantDraft
from herald.networks.preview import describe
from herald.runtime import current
from herald.tenancy.models import SocialAccount


def preview_content(session: Session, actor: Actor, tenant_id: str,
                    content: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """For each variant of ``content`` (same order), one preview per account publishing it:
    the account's id and handle plus :class:`~herald.networks.preview.NetworkPreview`'s fields."""
    out: list[list[dict[str, Any]]] = [[] for _ in content["variants"]]
    hooks = current().plugins.for_tenant(session, tenant_id)
    connectors: dict[str, NetworkConnector | None] = {}
    seen: set[str] = set()
    for account_id in content["targets"]:
        acct = session.get(SocialAccount, account_id)
        if acct is None or acct.id in seen or acct.tenant_id != tenant_id or acct.archived_at is not None \
                or not can(session, actor, "accounts.view", acct):
            continue
        seen.add(acct.id)
        if acct.network not in connectors:
            connectors[acct.network] = hooks.instance("herald_network_connectors", acct.network)  # type: ignore[assignment]
        conn = connectors[acct.network]
        if conn is None:
            continue
        choice = choose_variant(content, acct)  # the one variant the account will publish
        for variant in [choice.variant] if choice else []:
            index = next(i for i, v in enumerate(content["variants"]) if v is variant)
            draft = VariantDraft(text=variant.get("text", ""), media=variant.get("media", []),
                                 language=variant.get("language"), link=variant.get("link"),
                                 options=dict(variant.get("options") or {}))
            shown = describe(conn, draft, variant.get("first_comment")).as_dict()
            out[index].append({"account_id": acct.id, "handle": acct.handle, **shown})
    return out
