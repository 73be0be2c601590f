"""Answering from the inbox: public replies and direct messages, sent once, looked up again.

Mastodon delivers a status only to the accounts it mentions (a ``direct`` one to nobody else),
so every answer starts with the ``@acct`` of the people it answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from herald.plugins import ConnectedAccount, PermanentError, ReplyRequest, ReplyResult, UncertainOutcome
from herald_network_mastodon.http import MastodonHttp, json_body, link_param
from herald_network_mastodon.statuses import SKEW, as_dict, author, created, dicts, flat, html_text, text

if TYPE_CHECKING:
    from herald_network_mastodon.connector import MastodonConnector


def send_reply(connector: MastodonConnector, http: MastodonHttp, account: ConnectedAccount,
               request: ReplyRequest) -> ReplyResult:
    """``POST /api/v1/statuses`` with ``Idempotency-Key: herald-reply-<reply id>``."""
    target, accts, visibility = _addressees(connector, http, account, request)
    mentions = [f"@{a}" for a in accts if f"@{a}" not in request.text]
    body: dict[str, Any] = {"status": " ".join([*mentions, request.text]), "visibility": visibility}
    if target:
        body["in_reply_to_id"] = target
    sent = connector.create_status(http, body, f"herald-reply-{request.reply_id}")
    return ReplyResult(remote_id=str(sent["id"]), url=text(sent.get("url")) or None, thread_id=request.thread_id)


def _addressees(connector: MastodonConnector, http: MastodonHttp, account: ConnectedAccount,
                request: ReplyRequest) -> tuple[str | None, list[str], str]:
    """The status answered, the ``acct`` of everyone to mention, and the visibility: the status
    named; else (a direct message) the conversation's last status and participants; else the
    account written to."""
    dm = request.kind == "dm"
    if request.in_reply_to:
        status = as_dict(json_body(http.call("GET", f"/api/v1/statuses/{quote(request.in_reply_to, safe='')}")))
        direct = dm or status.get("visibility") == "direct"
        return (request.in_reply_to, _others(account, [status.get("account")]),
                "direct" if direct else connector.setting("default_visibility"))
    conversation = _conversation(connector, http, request.thread_id) if dm and request.thread_id else None
    if conversation is not None:
        return str(conversation["last_status"]["id"]), _others(account, conversation.get("accounts")), "direct"
    if dm and request.recipient_id:
        person = json_body(http.call("GET", f"/api/v1/accounts/{quote(request.recipient_id, safe='')}"))
        return None, _others(account, [person]), "direct"
    raise PermanentError("A Mastodon reply needs the status or the person it answers.", code="no_target")


def _others(account: ConnectedAccount, people: object) -> list[str]:
    """The ``acct`` of each person but the account itself."""
    mine = account.handle.lstrip("@").lower()
    return [p.handle for p in (author(x) for x in (people if isinstance(people, list) else []))
            if p is not None and p.handle and p.remote_id != account.remote_id and p.handle.lower() != mine]


def _conversation(connector: MastodonConnector, http: MastodonHttp, conversation_id: str) -> dict[str, Any] | None:
    """The conversation with this id (``GET /api/v1/conversations`` has no read by id)."""
    params: dict[str, Any] = {"limit": 40}
    for _ in range(int(connector.setting("max_pages"))):
        r = http.call("GET", "/api/v1/conversations", params=params)
        found = next((c for c in dicts(json_body(r)) if str(c.get("id")) == conversation_id
                      and isinstance(c.get("last_status"), dict) and c["last_status"].get("id")), None)
        params["max_id"] = link_param(r, "next", "max_id")
        if found is not None or not params["max_id"]:
            return found
    return None


def find_reply(connector: MastodonConnector, http: MastodonHttp, account: ConnectedAccount,
               request: ReplyRequest, not_before: datetime) -> ReplyResult | None:
    """The account's answer made since ``not_before``, among the replies to the status answered
    (``.../context``) or, for a direct message, the conversation's last status."""
    target = request.in_reply_to
    if target:
        context = as_dict(json_body(http.call("GET", f"/api/v1/statuses/{quote(target, safe='')}/context")))
        candidates = [s for s in dicts(context.get("descendants")) if str(s.get("in_reply_to_id")) == target]
    elif request.kind == "dm" and request.thread_id:
        conversation = _conversation(connector, http, request.thread_id)
        candidates = [conversation["last_status"]] if conversation else []
    else:
        raise UncertainOutcome("A message without a status or conversation cannot be looked up.", code="no_lookup")
    for status in candidates:
        who = author(status.get("account"))
        if (who is not None and who.remote_id == account.remote_id
                and (created(status) or not_before) >= not_before - SKEW
                and flat(html_text(status.get("content"))).endswith(flat(request.text))):
            return ReplyResult(remote_id=str(status["id"]), url=text(status.get("url")) or None,
                               thread_id=request.thread_id)
    return None
