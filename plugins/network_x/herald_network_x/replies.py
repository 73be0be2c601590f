"""Answers from the account: public replies to posts (mentions, replies to its posts) and
direct messages — checked before sending, sent once, looked up after an uncertain outcome.

- ``kind="mention"`` or ``"comment"``, ``in_reply_to`` = the post answered → ``POST /2/tweets``
  with ``reply.in_reply_to_tweet_id`` (280 weighted characters, as any post; up to 4 images or
  one video or GIF);
- ``kind="dm"``, ``thread_id`` = the conversation → ``POST /2/dm_conversations/:id/messages``;
  without a conversation, ``recipient_id`` = the person → ``POST /2/dm_conversations/with/:id/
  messages`` (X creates the conversation if needed). Text only, up to 10,000 characters; X has
  no messaging window.

X takes no idempotency key and no marker a reply could carry: after an uncertain outcome the
reply is recognised by what it is — the account's own post or message, with the same text,
answering the same post or in the same conversation, created at or after the attempt.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from herald.plugins import (
    ConnectedAccount,
    DuplicateContent,
    NetworkError,
    PermanentError,
    Problem,
    ReplyRequest,
    ReplyResult,
    UncertainOutcome,
)
from herald_network_x.grants import DM_WRITE_SCOPES, access_token, missing_scope_error, missing_scopes, require_scopes
from herald_network_x.http import XHttp
from herald_network_x.items import is_account, refers
from herald_network_x.messages import MESSAGE_CREATE, conversation_url, dm_params, json_object, read_page
from herald_network_x.payload import (
    as_dict,
    as_text,
    aware,
    conversation_id,
    created_of,
    data_of,
    dict_items,
    numeric_id,
)
from herald_network_x.text import same_text

if TYPE_CHECKING:
    from herald_network_x.connector import XConnector

PUBLIC_KINDS = ("mention", "comment")
KINDS = (*PUBLIC_KINDS, "dm")
DM_MAX_CHARS = 10_000
#: X keeps direct-message events this long.
DM_RETENTION = timedelta(days=30)
#: look-ups accept answers this much older than ``not_before``, for clock skew with X.
CLOCK_SKEW = timedelta(minutes=2)
THREAD_HINT = "x_dm_thread_id"
RECIPIENT_HINT = "x_dm_recipient_id"


class DirectMessageRefused(PermanentError):
    """X refused the message for the person's sake (they do not accept direct messages from the
    account, or blocked it): sending again cannot help."""


# ----------------------------------------------------------------------------- before sending
def reply_problems(conn: XConnector, request: ReplyRequest, problems: list[Problem]) -> list[Problem]:
    """X's rules over the generic checks in ``problems``: direct messages counted in characters
    (not X's weighted count) up to 10,000 and text only, the ids each kind needs, and what media
    a public reply takes."""
    if request.kind not in KINDS:
        return [Problem("kind", "unsupported", f"X does not send replies of kind {request.kind!r}.")]
    if request.kind == "dm" and not conn.dms_enabled():
        return [Problem("kind", "unsupported", "Direct messages are turned off in this tenant's X settings.")]
    if any(p.field == "kind" and p.code == "unsupported" for p in problems):
        return problems
    if request.kind == "dm":
        problems = [p for p in problems if p.code != "too_long"]
        if len(request.text) > DM_MAX_CHARS:
            problems.append(Problem("text", "too_long", f"X allows {DM_MAX_CHARS:,} characters in a direct "
                                    f"message; this text has {len(request.text):,}."))
        if request.media:
            problems.append(Problem("media", "unsupported", "Herald sends direct messages on X as text only."))
        thread, person = request.thread_id, request.recipient_id
        if thread is not None and conversation_id(thread) is None:
            problems.append(Problem("thread_id", "invalid", f"{thread!r} is not an X conversation id."))
        elif thread is None and person is not None and numeric_id(person) is None:
            problems.append(Problem("recipient_id", "invalid", f"{person!r} is not an X user id."))
        elif thread is None and person is None:
            problems.append(Problem("thread_id", "missing", "A direct message names its conversation or the "
                                    "person it goes to."))
        return problems
    if numeric_id(request.in_reply_to) is None:
        problems.append(Problem("in_reply_to", "missing" if not request.in_reply_to else "invalid",
                                "A reply on X names the post it answers (its numeric id)."))
    kinds = [m.kind for m in request.media]
    if len(kinds) > 4:
        problems.append(Problem("media", "too_many", f"X allows at most 4 media items; this reply has {len(kinds)}."))
    if any(k in ("video", "gif") for k in kinds) and len(kinds) > 1:
        problems.append(Problem("media", "video_alone",
                                "X accepts either up to 4 images or a single video or GIF, not both."))
    problems.extend(Problem(f"media[{i}]", "unsupported_kind", f"X does not accept {k!r} media.")
                    for i, k in enumerate(kinds) if k not in ("image", "video", "gif"))
    return problems


# ----------------------------------------------------------------------------- sending
def send_reply(conn: XConnector, account: ConnectedAccount, request: ReplyRequest) -> ReplyResult:
    """Send once; refuse what X's rules refuse before calling it."""
    problems = conn.validate_reply(request, conn.now())
    if problems:
        raise PermanentError(" ".join(p.message for p in problems), code=problems[0].code)
    token = access_token(account)
    if request.kind == "dm":
        return _send_message(conn, account, token, request)
    return _send_public(conn, account, token, request)


def _send_public(conn: XConnector, account: ConnectedAccount, token: str, request: ReplyRequest) -> ReplyResult:
    with conn._http() as http:
        media_ids = conn._upload_files(http, token, request.media)
        body: dict[str, Any] = {"text": request.text, "reply": {"in_reply_to_tweet_id": request.in_reply_to}}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        try:
            post_id = conn._create(http, token, body)
        except DuplicateContent as exc:
            # X keeps no two posts of the account with one text: this reply is probably out already
            found = _find_public(conn, http, account, token, request, conn.now() - timedelta(days=1))
            if found is not None:
                return found
            raise DuplicateContent(f"X refuses this reply as a duplicate of one of the account's posts: "
                                   f"{exc.message}", code=exc.code, status=exc.status) from exc
        except UncertainOutcome as exc:
            raise UncertainOutcome(f"X may have posted the reply: {exc.message}", code=exc.code,
                                   status=exc.status) from exc
    return ReplyResult(remote_id=post_id, url=conn._post_url(account, post_id),
                       thread_id=request.thread_id or request.root_id)


def _send_message(conn: XConnector, account: ConnectedAccount, token: str, request: ReplyRequest) -> ReplyResult:
    require_scopes(account, DM_WRITE_SCOPES, "sending direct messages")
    thread = conversation_id(request.thread_id)
    recipient = None if thread else numeric_id(request.recipient_id)
    base = f"{conn._url('api_base_url')}/2/dm_conversations"
    url = f"{base}/{quote(thread, safe='')}/messages" if thread else f"{base}/with/{recipient}/messages"
    hints = {k: v for k, v in {THREAD_HINT: thread, RECIPIENT_HINT: recipient}.items() if v}
    with conn._http() as http:
        try:
            response = http.call("POST", url, token=token, json={"text": request.text}, creates=True)
        except UncertainOutcome as exc:
            raise UncertainOutcome(f"X may have sent the message: {exc.message}", code=exc.code, status=exc.status,
                                   hints=hints) from exc
        except PermanentError as exc:
            raise _refusal(account, exc) from exc
    try:
        data = data_of(json_object(response, "the message"))
    except NetworkError as exc:
        raise UncertainOutcome("X accepted the message but its answer could not be read; it may have been sent.",
                               code="bad_response", status=response.status_code, hints=hints) from exc
    event_id = numeric_id(data.get("dm_event_id"))
    if event_id is None:
        # a success without the id: the message went out (or may have), so never resend blindly
        raise UncertainOutcome("X accepted the message without saying its id.", code="bad_response",
                               status=response.status_code, hints=hints)
    landed = conversation_id(data.get("dm_conversation_id")) or thread
    return ReplyResult(remote_id=event_id, thread_id=landed,
                       url=f"{conn._url('web_base_url')}/messages/{landed}" if landed else None)


def _refusal(account: ConnectedAccount, exc: PermanentError) -> PermanentError:
    if exc.status != 403:
        return exc
    lacking = missing_scopes(account, DM_WRITE_SCOPES)
    if lacking:
        return missing_scope_error("sending direct messages", lacking)
    if "not permitted" in exc.message.lower() or "direct message" in exc.message.lower():
        return DirectMessageRefused(f"X will not deliver this message: {exc.message}", code="dm_not_permitted",
                                    status=403)
    return PermanentError(f"X refused the message: {exc.message} (the account may not be in this conversation, "
                          "or the app lacks direct-message access).", code="dm_forbidden", status=403)


# ----------------------------------------------------------------------------- after an uncertain outcome
def find_reply(conn: XConnector, account: ConnectedAccount, request: ReplyRequest,
               not_before: datetime) -> ReplyResult | None:
    """The answer an earlier attempt of ``request`` sent, None when it certainly was not sent;
    :class:`UncertainOutcome` when X cannot tell (yet)."""
    token = access_token(account)
    earliest = aware(not_before) - CLOCK_SKEW
    if request.kind == "dm":
        return _find_message(conn, account, token, request, earliest)
    if numeric_id(request.in_reply_to) is None:
        raise UncertainOutcome("Without the post it answers, X cannot tell whether the reply went out.",
                               code="reply_unknown")
    with conn._http() as http:
        return _find_public(conn, http, account, token, request, earliest)


def _find_public(conn: XConnector, http: XHttp, account: ConnectedAccount, token: str, request: ReplyRequest,
                 earliest: datetime) -> ReplyResult | None:
    """The account's own recent posts (recent search ``from:``), as for a post's look-up."""
    conn._check_search_window(earliest)
    posts, complete = conn._own_posts_since(http, token, account, earliest)
    for post in posts:
        post_id = numeric_id(post.get("id"))
        if post_id and same_text(request.text, as_text(post.get("text"))) and refers(post, "replied_to",
                                                                                     request.in_reply_to):
            return ReplyResult(remote_id=post_id, url=conn._post_url(account, post_id),
                               thread_id=request.thread_id or request.root_id)
    conn._check_search_settled(earliest, complete)
    return None


def _find_message(conn: XConnector, account: ConnectedAccount, token: str, request: ReplyRequest,
                  earliest: datetime) -> ReplyResult | None:
    """Reads the conversation back to the attempt for the account's own message with the text."""
    hints = request.lookup_hints
    thread = conversation_id(request.thread_id) or conversation_id(hints.get(THREAD_HINT))
    person = numeric_id(request.recipient_id) or numeric_id(hints.get(RECIPIENT_HINT))
    if thread is None and person is None:
        raise UncertainOutcome("Neither the conversation nor the person is known; X cannot tell whether the "
                               "message went out.", code="dm_unknown")
    if conn.now() - earliest > DM_RETENTION:
        raise UncertainOutcome("The attempt is older than the 30 days of messages X keeps.", code="beyond_retention")
    params = dm_params()
    url = conversation_url(conn, thread, person)
    with conn._http() as http:
        for _ in range(int(conn._cfg("dm_max_pages"))):
            body = read_page(http, url, token, params, account)
            older = False
            for event in dict_items(body.get("data")):
                created = created_of(event)
                if created is not None and created < earliest:
                    older = True  # newest first: the rest is from before the attempt
                    continue
                event_id = numeric_id(event.get("id"))
                kind = event.get("event_type")
                if (event_id and (kind is None or kind == MESSAGE_CREATE)
                        and is_account(account, numeric_id(event.get("sender_id")))
                        and same_text(request.text, as_text(event.get("text")))):
                    landed = conversation_id(event.get("dm_conversation_id")) or thread
                    return ReplyResult(remote_id=event_id, thread_id=landed)
            next_token = as_text(as_dict(body.get("meta")).get("next_token"))
            if older or not next_token:
                return None
            params["pagination_token"] = next_token
    raise UncertainOutcome("More messages followed the attempt than one look-up reads; X cannot tell yet whether "
                           "the message went out.", code="dm_too_many")
