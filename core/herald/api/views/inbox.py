"""The inbox API: conversations, triage, replies, teams, SLA policies, routing rules, saved replies
and views, authors. Thin: every rule lives in :mod:`herald.inbox`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from herald.api.blueprint import bp
from herald.api.context import actor, db
from herald.api.endpoint import endpoint
from herald.api.pagination import Page, paginate
from herald.api.schemas import inbox as s
from herald.authz.check import in_tenant, require
from herald.errors import NotFound, ValidationFailed
from herald.inbox import authors, governance, queries, replies, rules, saved, teams, triage
from herald.inbox.access import get_conversation
from herald.inbox.assignment import assign
from herald.inbox.models import Conversation, InboxItem, InboxReply, RoutingRule, SlaPolicy, Team, TimelineEntry
from herald.tenancy.models import SocialAccount

TAG = "Inbox"
ADMIN_TAG = "Inbox administration"
P = "/tenants/<tenant_id>/inbox"


def _filters(tenant_id: str, query: dict[str, Any]) -> dict[str, Any]:
    filters = {k: v for k, v in query.items() if k not in ("limit", "cursor", "order", "view_id")}
    if query.get("view_id"):
        view = saved.get_view(db(), actor(), tenant_id, query["view_id"])
        base = dict(view.filters or {})
        base.update({k: v for k, v in filters.items() if v not in (None, False) and k != "descendants"})
        filters = base
    return filters


def _with_lease(convs: list[Conversation]) -> list[Conversation]:
    session = db()
    for conv in convs:
        conv.replying = replies.lease_info(session, conv)  # type: ignore[attr-defined]
    return convs


# ----------------------------------------------------------------------------- conversations
@endpoint(bp, f"{P}/conversations", "GET", summary="List conversations (an inbox view)", tag=TAG,
          query=s.ConversationListQuery, response=s.ConversationOut, many=True)
def list_conversations(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    in_tenant(session, who, tenant_id)
    columns, descending = queries.ORDERS[query["order"]]
    stmt = queries.select_conversations(session, who, tenant_id, _filters(tenant_id, query))
    found = paginate(session, stmt, columns, query["limit"], query["cursor"], descending=descending)
    return Page(_with_lease(list(found.items)), found.next_cursor)


@endpoint(bp, f"{P}/conversations/count", "GET", summary="Count the conversations of a view, by status",
          tag=TAG, query=s.ConversationListQuery, response=s.CountsOut)
def count_conversations(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    in_tenant(session, who, tenant_id)
    filters = _filters(tenant_id, query)
    return {"total": queries.count(session, who, tenant_id, filters),
            "by_status": queries.counts_by_status(session, who, tenant_id, filters)}


@endpoint(bp, f"{P}/conversations/<conversation_id>", "GET",
          summary="Get a conversation with its items, author, timeline and reply checks", tag=TAG,
          response=s.ConversationDetail)
def get_conversation_detail(tenant_id: str, conversation_id: str):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    conv = get_conversation(session, who, tenant_id, conversation_id)
    conv.items = session.execute(select(InboxItem).where(InboxItem.conversation_id == conv.id)  # type: ignore[attr-defined]
                                 .order_by(InboxItem.created_at, InboxItem.id).limit(500)).scalars().all()
    conv.timeline = session.execute(select(TimelineEntry).where(  # type: ignore[attr-defined]
        TimelineEntry.conversation_id == conv.id).order_by(TimelineEntry.at.desc(), TimelineEntry.id.desc())
        .limit(200)).scalars().all()[::-1]
    conv.author = session.get(authors.InboxAuthor, conv.author_id) if conv.author_id else None  # type: ignore[attr-defined]
    conv.reply_checks = _reply_checks(conv)  # type: ignore[attr-defined]
    return _with_lease([conv])[0]


def _reply_checks(conv: Conversation) -> dict[str, Any]:
    """The reply box's live checks, with the window's closing time as ISO 8601."""
    found = replies.limits(db(), conv)
    closes = found.get("window_closes_at")
    return {**found, "window_closes_at": closes.isoformat()} if isinstance(closes, datetime) else found


@endpoint(bp, f"{P}/conversations/<conversation_id>", "PATCH",
          summary="Triage a conversation: status, priority, tags, snooze, spam, team and assignee", tag=TAG,
          body=s.ConversationUpdate, response=s.ConversationOut)
def update_conversation(tenant_id: str, conversation_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    conv = get_conversation(session, who, tenant_id, conversation_id)
    _apply(conv, body)
    session.commit()
    return _with_lease([conv])[0]


def _apply(conv: Conversation, body: dict[str, Any]) -> None:
    session, who = db(), actor()
    if "team_id" in body or "assignee_id" in body:
        from herald.inbox.access import require_on

        require_on(session, who, "inbox.assign", conv)
        _check_assignment(conv.tenant_id, body)
        assign(session, who, conv, **{k: body[k] for k in ("team_id", "assignee_id") if k in body})
    if "spam" in body:
        triage.mark_spam(session, who, conv, body["spam"])
    if "status" in body:
        triage.set_status(session, who, conv, body["status"])
    if "priority" in body:
        triage.set_priority(session, who, conv, body["priority"])
    if body.get("add_tags") or body.get("remove_tags"):
        triage.change_tags(session, who, conv, body.get("add_tags", []), body.get("remove_tags", []))
    if "snoozed_until" in body:
        triage.snooze(session, who, conv, body["snoozed_until"])


def _check_assignment(tenant_id: str, body: dict[str, Any]) -> None:
    session = db()
    if body.get("team_id"):
        teams.get_team(session, tenant_id, body["team_id"])
    if body.get("assignee_id"):
        from herald.people.models import User

        user = session.get(User, body["assignee_id"])
        if user is None or user.tenant_id != tenant_id or not user.active:
            raise ValidationFailed("Unknown assignee.", {"assignee_id": [f"No active user {body['assignee_id']!r}."]})


@endpoint(bp, f"{P}/conversations/bulk", "POST",
          summary="One action on many conversations (a selection or a whole filter), all or nothing", tag=TAG,
          body=s.BulkAction, response=s.BulkResult)
def bulk_conversations(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    in_tenant(session, who, tenant_id)
    if "conversation_ids" in body:
        convs = [get_conversation(session, who, tenant_id, cid) for cid in dict.fromkeys(body["conversation_ids"])]
    else:
        stmt = queries.select_conversations(session, who, tenant_id, body["filter"]).limit(10_001)
        convs = list(session.execute(stmt).scalars())
        if len(convs) > 10_000:
            raise ValidationFailed("The filter selects more than 10,000 conversations; narrow it.",
                                   {"filter": ["Selects more than 10,000 conversations."]})
    if body["action"] == "assign":
        _check_assignment(tenant_id, body)
    result = triage.bulk(session, who, convs, body["action"], body)
    session.commit()
    return result


@endpoint(bp, f"{P}/conversations/<conversation_id>/timeline", "GET", summary="A conversation's timeline",
          tag=TAG, query=s.ListQuery, response=s.TimelineOut, many=True)
def conversation_timeline(tenant_id: str, conversation_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    conv = get_conversation(session, actor(), tenant_id, conversation_id)
    stmt = select(TimelineEntry).where(TimelineEntry.conversation_id == conv.id)
    return paginate(session, stmt, [TimelineEntry.at, TimelineEntry.id], query["limit"], query["cursor"])


@endpoint(bp, f"{P}/conversations/<conversation_id>/notes", "POST",
          summary="Add an internal note (@mentions notify the person)", tag=TAG, body=s.NoteCreate,
          response=s.NoteOut, status=201)
def add_conversation_note(tenant_id: str, conversation_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    conv = get_conversation(session, who, tenant_id, conversation_id)
    note = triage.add_note(session, who, conv, body["text"])
    session.commit()
    return note


@endpoint(bp, f"{P}/conversations/<conversation_id>/lease", "POST",
          summary="Start answering (others see who is replying); take over explicitly", tag=TAG,
          body=s.LeaseRequest, response=s.LeaseOut)
def take_reply_lease(tenant_id: str, conversation_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    conv = get_conversation(session, who, tenant_id, conversation_id)
    replies.take_lease(session, who, conv, take_over=body["take_over"])
    session.commit()
    return replies.lease_info(session, conv)


@endpoint(bp, f"{P}/conversations/<conversation_id>/lease", "DELETE", summary="Stop answering", tag=TAG)
def release_reply_lease(tenant_id: str, conversation_id: str):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    conv = get_conversation(session, who, tenant_id, conversation_id)
    replies.release_lease(session, who, conv)
    session.commit()


# ----------------------------------------------------------------------------- replies
@endpoint(bp, f"{P}/conversations/<conversation_id>/reply-check", "POST",
          summary="Check a reply against the network's rules without sending it", tag=TAG, body=s.ReplyCheck,
          response=s.ReplyCheckOut)
def check_reply(tenant_id: str, conversation_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    conv = get_conversation(session, who, tenant_id, conversation_id, "inbox.reply")
    request, problems = replies.check(session, conv, text=body["text"], in_reply_to=body.get("in_reply_to"),
                                      private=body["private"])
    connector = replies.connector_of(session, conv)
    closes = connector.reply_window_closes_at(request)
    return {"kind": request.kind, "length": connector.text_length(body["text"]),
            "window_closes_at": closes.isoformat() if closes else None, "problems": problems}


@endpoint(bp, f"{P}/conversations/<conversation_id>/replies", "POST",
          summary="Answer from Herald (checked, then sent exactly once)", tag=TAG, body=s.ReplyCreate,
          response=s.ReplyOut, status=202)
def create_reply(tenant_id: str, conversation_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    conv = get_conversation(session, who, tenant_id, conversation_id)
    text = body["text"]
    if body.get("saved_reply_id"):
        saved.get_saved_reply(session, tenant_id, body["saved_reply_id"])
    reply = replies.create(session, who, conv, text=text, in_reply_to=body.get("in_reply_to"),
                           private=body["private"], take_over=body["take_over"])
    session.commit()
    return reply


@endpoint(bp, f"{P}/conversations/<conversation_id>/replies", "GET", summary="The replies sent from Herald",
          tag=TAG, query=s.ListQuery, response=s.ReplyOut, many=True)
def list_replies(tenant_id: str, conversation_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    conv = get_conversation(session, actor(), tenant_id, conversation_id)
    stmt = select(InboxReply).where(InboxReply.conversation_id == conv.id)
    return paginate(session, stmt, [InboxReply.created_at, InboxReply.id], query["limit"], query["cursor"])


@endpoint(bp, f"{P}/conversations/<conversation_id>/replies/<reply_id>", "DELETE",
          summary="Cancel a reply that is not yet being sent", tag=TAG, response=s.ReplyOut)
def cancel_reply(tenant_id: str, conversation_id: str, reply_id: str):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    conv = get_conversation(session, who, tenant_id, conversation_id)
    reply = replies.cancel(session, who, conv, replies.get(session, conv, reply_id))
    session.commit()
    return reply


# ----------------------------------------------------------------------------- what admins manage
def _managed(path: str, id_param: str, noun: str, name: str, *, save: Any, delete: Any, body_in: Any,
             body_patch: Any, out: Any, tag: str = ADMIN_TAG, create_summary: str | None = None) -> None:
    """POST ``path``, PATCH and DELETE ``path/<id_param>``: create, change and delete one kind
    of row through its service's ``save(session, actor, tenant_id, body[, row_id])`` and
    ``delete(session, actor, tenant_id, row_id)``, committed when the service returns."""
    def create(tenant_id: str, body: dict[str, Any]) -> Any:
        row = save(db(), actor(), tenant_id, body)
        db().commit()
        return row

    def update(tenant_id: str, body: dict[str, Any], **ids: str) -> Any:
        row = save(db(), actor(), tenant_id, body, ids[id_param])
        db().commit()
        return row

    def remove(tenant_id: str, **ids: str) -> None:
        delete(db(), actor(), tenant_id, ids[id_param])
        db().commit()

    create.__name__, update.__name__, remove.__name__ = f"create_{name}", f"update_{name}", f"delete_{name}"
    endpoint(bp, f"{P}/{path}", "POST", summary=create_summary or f"Create {noun}", tag=tag, body=body_in,
             response=out, status=201)(create)
    endpoint(bp, f"{P}/{path}/<{id_param}>", "PATCH", summary=f"Change {noun}", tag=tag, body=body_patch,
             response=out)(update)
    endpoint(bp, f"{P}/{path}/<{id_param}>", "DELETE", summary=f"Delete {noun}", tag=tag)(remove)


_managed("sla-policies", "policy_id", "an SLA policy", "sla_policy", save=teams.save_policy,
         delete=teams.delete_policy, body_in=s.SlaPolicyIn, body_patch=s.SlaPolicyPatch, out=s.SlaPolicyOut)
_managed("routing-rules", "rule_id", "a routing rule", "routing_rule", save=rules.save_rule, delete=rules.delete_rule,
         body_in=s.RoutingRuleIn, body_patch=s.RoutingRulePatch, out=s.RoutingRuleOut)
_managed("saved-replies", "saved_reply_id", "a saved reply", "saved_reply", save=saved.save_saved_reply,
         delete=saved.delete_saved_reply, body_in=s.SavedReplyIn, body_patch=s.SavedReplyPatch,
         out=s.SavedReplyOut)
_managed("views", "view_id", "a saved view", "saved_view", save=saved.save_view, delete=saved.delete_view,
         body_in=s.SavedViewIn, body_patch=s.SavedViewPatch, out=s.SavedViewOut, tag=TAG,
         create_summary="Save a view")


# ----------------------------------------------------------------------------- teams
def _team_out(team: Team) -> Team:
    team.member_list = teams.members(db(), team)  # type: ignore[attr-defined]
    return team


@endpoint(bp, f"{P}/teams", "GET", summary="List teams", tag=ADMIN_TAG, query=s.ListQuery, response=s.TeamOut,
          many=True)
def list_teams(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    in_tenant(session, actor(), tenant_id)
    found = paginate(session, select(Team).where(Team.tenant_id == tenant_id), [Team.name, Team.id],
                     query["limit"], query["cursor"])
    return Page([_team_out(t) for t in found.items], found.next_cursor)


@endpoint(bp, f"{P}/teams", "POST", summary="Create a team", tag=ADMIN_TAG, body=s.TeamIn, response=s.TeamOut,
          status=201)
def create_team(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    team = teams.save_team(db(), actor(), tenant_id, _team_body(body))
    db().commit()
    return _team_out(team)


def _team_body(body: dict[str, Any]) -> dict[str, Any]:
    if "holidays" in body:
        body = {**body, "holidays": [d.isoformat() for d in body["holidays"]]}
    return body


@endpoint(bp, f"{P}/teams/<team_id>", "GET", summary="Get a team", tag=ADMIN_TAG, response=s.TeamOut)
def get_team(tenant_id: str, team_id: str):  # type: ignore[no-untyped-def]
    in_tenant(db(), actor(), tenant_id)
    return _team_out(teams.get_team(db(), tenant_id, team_id))


@endpoint(bp, f"{P}/teams/<team_id>", "PATCH", summary="Change a team (members, units, hours, assignment)",
          tag=ADMIN_TAG, body=s.TeamPatch, response=s.TeamOut)
def update_team(tenant_id: str, team_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    team = teams.save_team(db(), actor(), tenant_id, _team_body(body), team_id)
    db().commit()
    return _team_out(team)


@endpoint(bp, f"{P}/teams/<team_id>", "DELETE", summary="Delete a team", tag=ADMIN_TAG)
def delete_team(tenant_id: str, team_id: str):  # type: ignore[no-untyped-def]
    teams.delete_team(db(), actor(), tenant_id, team_id)
    db().commit()


@endpoint(bp, f"{P}/teams/<team_id>/members/<user_id>/away", "PUT",
          summary="Mark a member away (no automatic assignments) or back", tag=ADMIN_TAG, body=s.AwayIn,
          response=s.MemberOut)
def set_member_away(tenant_id: str, team_id: str, user_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    member = teams.set_away(db(), actor(), tenant_id, team_id, user_id, body["away"], body["away_until"])
    db().commit()
    return member


# ----------------------------------------------------------------------------- SLA policies
@endpoint(bp, f"{P}/sla-policies", "GET", summary="List SLA policies", tag=ADMIN_TAG, query=s.ListQuery,
          response=s.SlaPolicyOut, many=True)
def list_sla_policies(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    in_tenant(session, actor(), tenant_id)
    return paginate(session, select(SlaPolicy).where(SlaPolicy.tenant_id == tenant_id),
                    [SlaPolicy.name, SlaPolicy.id], query["limit"], query["cursor"])


@endpoint(bp, f"{P}/sla-outcomes", "GET", summary="Met, at-risk and breached SLA targets per team and period",
          tag=ADMIN_TAG, query=s.SlaOutcomeQuery)
def sla_outcomes(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    require(session, who, "inbox.read", in_tenant(session, who, tenant_id))
    if query["until"] <= query["since"]:
        raise ValidationFailed("The period is empty.", {"until": ["Must be after since."]})
    return {"items": queries.sla_outcomes(session, tenant_id, query["since"], query["until"], query["team_id"])}


# ----------------------------------------------------------------------------- routing rules
@endpoint(bp, f"{P}/routing-rules", "GET", summary="List routing rules in order", tag=ADMIN_TAG,
          query=s.ListQuery, response=s.RoutingRuleOut, many=True)
def list_routing_rules(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    in_tenant(session, actor(), tenant_id)
    return paginate(session, select(RoutingRule).where(RoutingRule.tenant_id == tenant_id),
                    [RoutingRule.position, RoutingRule.id], query["limit"], query["cursor"])


@endpoint(bp, f"{P}/routing-rules/order", "PUT", summary="Reorder the routing rules", tag=ADMIN_TAG,
          body=s.RuleOrder, response=s.RoutingRuleOut, many=True)
def reorder_routing_rules(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    ordered = rules.reorder(db(), actor(), tenant_id, body["rule_ids"])
    db().commit()
    return Page(ordered, None)


@endpoint(bp, f"{P}/routing-rules/try", "POST", summary="Try a rule on sample text before saving it",
          tag=ADMIN_TAG, body=s.RuleTry, response=s.RuleTryOut)
def try_routing_rule(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    return rules.try_rule(db(), actor(), tenant_id, body["definition"], body["sample"])


# ----------------------------------------------------------------------------- settings
@endpoint(bp, f"{P}/settings", "GET", summary="The tenant's inbox settings (which replies need approval)",
          tag=ADMIN_TAG, response=s.InboxSettingsOut)
def get_inbox_settings(tenant_id: str):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    teams.require_admin(session, who, tenant_id)
    return governance.settings_of(session, tenant_id)


@endpoint(bp, f"{P}/settings", "PATCH", summary="Change which replies need approval before they are sent",
          tag=ADMIN_TAG, body=s.InboxSettingsIn, response=s.InboxSettingsOut)
def update_inbox_settings(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    row = governance.update_settings(db(), actor(), tenant_id, body)
    db().commit()
    return row


# ----------------------------------------------------------------------------- saved replies
@endpoint(bp, f"{P}/saved-replies", "GET",
          summary="List saved replies (for a language; filled in for a conversation)", tag=TAG,
          query=s.SavedReplyQuery, response=s.SavedReplyOut, many=True)
def list_saved_replies(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    found = saved.list_saved_replies(session, who, tenant_id, query["language"])
    if query["conversation_id"]:
        conv = get_conversation(session, who, tenant_id, query["conversation_id"])
        for row in found:
            session.expunge(row)
            row.text = saved.render(session, who, conv, row.text)
    return Page(found, None)


# ----------------------------------------------------------------------------- saved views
@endpoint(bp, f"{P}/views", "GET", summary="List saved views (yours and shared), with their counts", tag=TAG,
          response=s.SavedViewOut, many=True)
def list_saved_views(tenant_id: str):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    found = saved.list_views(session, who, tenant_id)
    for view in found:
        view.count = queries.count(session, who, tenant_id, view.filters or {})  # type: ignore[attr-defined]
    return Page(found, None)


# ----------------------------------------------------------------------------- authors
def _author_out(author: authors.InboxAuthor, tenant_id: str) -> authors.InboxAuthor:
    session, who = db(), actor()
    author.note_list = authors.notes(session, author)  # type: ignore[attr-defined]
    author.item_list = authors.history(session, who, tenant_id, author)  # type: ignore[attr-defined]
    return author


@endpoint(bp, f"{P}/authors/<author_id>", "GET", summary="An author: profile, history and notes", tag=TAG,
          response=s.AuthorOut)
def get_author(tenant_id: str, author_id: str):  # type: ignore[no-untyped-def]
    return _author_out(authors.get_author(db(), actor(), tenant_id, author_id), tenant_id)


@endpoint(bp, f"{P}/authors/<author_id>/tags", "PUT", summary="Tag an author (e.g. vip)", tag=TAG,
          body=s.AuthorTags, response=s.AuthorOut)
def tag_author(tenant_id: str, author_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    author = authors.get_author(db(), actor(), tenant_id, author_id)
    authors.set_tags(db(), actor(), tenant_id, author, body["tags"])
    db().commit()
    return _author_out(author, tenant_id)


@endpoint(bp, f"{P}/authors/<author_id>/notes", "POST", summary="Add an internal note about an author", tag=TAG,
          body=s.NoteCreate, response=s.AuthorNoteOut, status=201)
def add_author_note(tenant_id: str, author_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    author = authors.get_author(db(), actor(), tenant_id, author_id)
    note = authors.add_note(db(), actor(), tenant_id, author, body["text"])
    db().commit()
    return note


@endpoint(bp, f"{P}/authors/<author_id>/erase", "POST",
          summary="Erase an author's personal data (their items anonymised; audited)", tag=ADMIN_TAG,
          response=s.ErasureOut)
def erase_author(tenant_id: str, author_id: str):  # type: ignore[no-untyped-def]
    author = authors.get_author(db(), actor(), tenant_id, author_id)
    result = authors.erase(db(), actor(), tenant_id, author)
    db().commit()
    return result


# ----------------------------------------------------------------------------- polling
@endpoint(bp, f"{P}/social-accounts/<account_id>/poll", "POST",
          summary="Poll an account's mentions and direct messages now", tag=ADMIN_TAG, body=s.PollRequest,
          response=s.PollOut, many=True)
def poll_account(tenant_id: str, account_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    from herald.inbox import polling

    session, who = db(), actor()
    in_tenant(session, who, tenant_id)
    account = session.get(SocialAccount, account_id)
    if account is None or account.tenant_id != tenant_id:
        raise NotFound(f"No social account {account_id!r}.")
    require(session, who, "inbox.admin", account)
    session.commit()
    streams = [body["stream"]] if body["stream"] else list(polling.STREAMS)
    return Page([polling.poll(account_id, stream, force=True) for stream in streams], None)


