"""Asking each network's connector what it makes of a query, and keeping the answer (shown on
the query: what the network searches, what Herald filters itself, and why)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from herald.listening.query.ast import Node, from_json, simplify_for_network
from herald.networks.connector import CompiledQuery, NetworkConnector
from herald.networks.errors import NotSupported


def compile_for(connector: NetworkConnector, ast: Node) -> CompiledQuery:
    """The query as ``connector``'s network searches it (``network_query`` None: not there)."""
    specific = simplify_for_network(ast, connector.key)
    if specific is False:
        return CompiledQuery(None, notes=(f"The query excludes {connector.display_name} (network: terms).",))
    if specific is True:
        return CompiledQuery(None, notes=("The query has nothing to search for on this network.",))
    if not getattr(connector.capabilities, "supports_listening", False):
        return CompiledQuery(None, notes=(f"{connector.display_name} does not run listening queries.",))
    try:
        return connector.compile_listening_query(specific)
    except NotSupported as exc:
        return CompiledQuery(None, notes=(str(exc),))


def as_json(compiled: CompiledQuery) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(compiled).items()}


def from_stored(data: dict[str, Any]) -> CompiledQuery:
    return CompiledQuery(network_query=data.get("network_query"),
                         local_filter_needed=bool(data.get("local_filter_needed")),
                         unsupported_parts=tuple(data.get("unsupported_parts") or ()),
                         notes=tuple(data.get("notes") or ()), budget_terms=tuple(data.get("budget_terms") or ()))


def query_ast(stored: dict[str, Any]) -> Node:
    return from_json(stored)
