"""The post form shared by compose and by editing a post: the form's rows of variants (as many as
the person added, each with its text, first comment, network, language and media), the post's
own fields (title, accounts, campaign, tags, notes, paid promotion, the time it should go out),
the content they make for the post service, the connectors' problems under the row they came
from, and the live check's answer.

Rows keep the number they were given on the page (a hidden ``row`` field per variant), so a row
removed by the script leaves the others' field names and their messages where they were."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from marshmallow import RAISE, ValidationError
from sqlalchemy import select

from herald.api.context import db
from herald.api.schemas.content import Content
from herald.api.schemas.names import clean_name
from herald.authz import can
from herald.authz.check import visible_unit_filter
from herald.console import compose_media, compose_preview
from herald.console.blueprint import can_somewhere, tenant, who
from herald.console.form_errors import flatten
from herald.console.i18n import select_timezone
from herald.console.publishing import time_zones
from herald.content import service
from herald.content.models import Post
from herald.errors import HeraldError, ValidationFailed
from herald.tenancy.models import OrgUnit, SocialAccount

MAX_ROWS = 20
#: variant fields the form does not show; an edit carries them over unchanged (hidden, as JSON)
KEPT_FIELDS = ("thread", "reply_to", "quote_of")
ROW_KEY = re.compile(r"^variant-(\d+)-")
VARIANT_KEY = re.compile(r"^variants\[(\d+)\]")


@dataclass
class Row:
    """One variant as the form shows it."""

    id: int
    network: str = ""
    language: str = ""
    text: str = ""
    first_comment: str = ""
    media: list[str] = field(default_factory=list)
    alt: dict[str, str] = field(default_factory=dict)
    kept: str = ""  # JSON of KEPT_FIELDS and media given by URL, for an edit to carry over

    def kept_fields(self) -> dict[str, Any]:
        """What the row carries over unchanged (a hand-made value that is not JSON: nothing)."""
        try:
            kept = json.loads(self.kept) if self.kept else {}
        except ValueError:
            kept = {}
        return kept if isinstance(kept, dict) else {}

    def is_empty(self) -> bool:
        return not self.text.strip() and not self.media and not any(self.kept_fields().values())


@dataclass
class Draft:
    """The whole form: the post's fields and its rows."""

    org_unit_id: str = ""
    title: str = ""
    targets: list[str] = field(default_factory=list)
    campaign: str = ""
    tags: str = ""
    notes: str = ""
    paid_promotion: bool = False
    rows: list[Row] = field(default_factory=lambda: [Row(0)])
    #: account id → the language of the variant it gets instead of its audience language's
    target_languages: dict[str, str] = field(default_factory=dict)
    #: when the post should go out once approved: wall-clock "YYYY-MM-DDTHH:MM" ("": not asked) and zone
    requested_local_time: str = ""
    requested_time_zone: str = ""

    @property
    def row_ids(self) -> list[int]:
        return [r.id for r in self.rows]


# ----------------------------------------------------------------------------- reading the form
def _row_ids(form: Any) -> list[int]:
    """The rows the form holds: its ``row`` fields, else the rows its field names mention."""
    named = [v for v in form.getlist("row") if v.isdigit()] if hasattr(form, "getlist") else []
    found = named or [m.group(1) for key in form for m in [ROW_KEY.match(key)] if m]
    ids = sorted({int(v) for v in found if int(v) < 1000})[:MAX_ROWS]
    return ids or [0]


def _split_tags(raw: str) -> list[str]:
    tags = [t.strip().lstrip("#") for t in re.split(r"[,\n]", raw)]
    return list(dict.fromkeys(t[:50] for t in tags if t))[:50]


def draft_from_form(form: Any, added: dict[int, list[str]] | None = None) -> Draft:
    """The form as posted; ``added``: assets just uploaded, by row."""
    rows = []
    for i in _row_ids(form):
        media = [m["asset_id"] for m in compose_media.media_of(form, i, (added or {}).get(i))]
        rows.append(Row(i, network=form.get(f"variant-{i}-network", "")[:32],
                        language=form.get(f"variant-{i}-language", "")[:35],
                        text=form.get(f"variant-{i}-text", "")[:20_000],
                        first_comment=form.get(f"variant-{i}-first_comment", "")[:5000],
                        media=media, alt={a: form.get(f"variant-{i}-alt-{a}", "")[:1000] for a in media},
                        kept=form.get(f"variant-{i}-kept", "")[:100_000]))
    targets = form.getlist("targets")[:100]
    languages = {a: form.get(f"target_language-{a}", "")[:35] for a in targets}
    return Draft(org_unit_id=form.get("org_unit_id", "")[:40], title=form.get("title", "")[:300],
                 targets=targets, campaign=form.get("campaign", "").strip()[:1000],
                 tags=form.get("tags", "")[:3000], notes=form.get("notes", "")[:5000],
                 paid_promotion=form.get("paid_promotion") == "1", rows=rows,
                 target_languages={a: lang for a, lang in languages.items() if lang},
                 requested_local_time=form.get("requested_local_time", "").strip()[:16],
                 requested_time_zone=form.get("requested_time_zone", "").strip()[:64])


def draft_from_content(content: dict[str, Any], org_unit_id: str, campaign: str | None) -> Draft:
    """A saved version's content as the form shows it (to edit it)."""
    rows = []
    for i, v in enumerate(content.get("variants") or []):
        picked = [m for m in v.get("media") or [] if m.get("asset_id")]
        by_url = [m for m in v.get("media") or [] if not m.get("asset_id")]
        kept: dict[str, Any] = {k: v[k] for k in KEPT_FIELDS if k in v}  # as stored: no change, no diff
        if by_url:
            kept["media"] = by_url
        rows.append(Row(i, network=v.get("network") or "", language=v.get("language") or "", text=v.get("text", ""),
                        first_comment=v.get("first_comment") or "", media=[m["asset_id"] for m in picked],
                        alt={m["asset_id"]: m.get("alt_text") or "" for m in picked},
                        kept=json.dumps(kept, ensure_ascii=False) if kept else ""))
    asked = content.get("requested_time") or {}
    return Draft(org_unit_id=org_unit_id, title=content.get("title", ""), targets=list(content.get("targets", [])),
                 campaign=campaign or "", tags=", ".join(content.get("tags") or []), notes=content.get("notes", ""),
                 paid_promotion=bool(content.get("paid_promotion")), rows=rows or [Row(0)],
                 target_languages={a: lang for a, lang in (content.get("target_languages") or {}).items() if lang},
                 requested_local_time=asked.get("local_time", ""), requested_time_zone=asked.get("time_zone", ""))


def change_rows(draft: Draft, action: str) -> bool:
    """Apply "Add variant" (``add_variant``) or "Remove variant" (``remove_variant-<row>``);
    True if ``action`` was one of them. The last row is never removed."""
    if action == "add_variant":
        if len(draft.rows) < MAX_ROWS:
            draft.rows.append(Row(max(draft.row_ids, default=-1) + 1))
        return True
    if action.startswith("remove_variant-"):
        gone = action.removeprefix("remove_variant-")
        if len(draft.rows) > 1:
            draft.rows = [r for r in draft.rows if str(r.id) != gone]
        return True
    return False


# ----------------------------------------------------------------------------- the post's content
def content_of(draft: Draft) -> tuple[dict[str, Any], list[int]]:
    """The post content the form describes, and the form row of each variant (rows without text
    or media are left out, so variant ``k`` of the content is form row ``rows[k]``)."""
    variants, rows = [], []
    for row in draft.rows:
        if row.is_empty():
            continue
        kept = row.kept_fields()
        by_url = kept.pop("media", None)
        media = compose_media.media_items(row.media, row.alt) + [m for m in (by_url if isinstance(by_url, list)
                                                                             else []) if isinstance(m, dict)]
        rows.append(row.id)
        variants.append({"network": row.network or None, "language": row.language or None, "text": row.text,
                         "media": media, "first_comment": row.first_comment.strip() or None,
                         **{k: kept[k] for k in KEPT_FIELDS if k in kept}})
    content: dict[str, Any] = {"title": draft.title, "targets": draft.targets, "variants": variants,
                               "tags": _split_tags(draft.tags), "notes": draft.notes,
                               "paid_promotion": draft.paid_promotion}
    if draft.target_languages:  # only when chosen: a post without overrides keeps its content as it was
        content["target_languages"] = dict(draft.target_languages)
    if draft.requested_local_time:
        content["requested_time"] = {"local_time": draft.requested_local_time,
                                     "time_zone": draft.requested_time_zone or select_timezone()}
    return content, rows


def by_row(errors: dict[str, Any], rows: list[int]) -> dict[str, list[str]]:
    """Error keys naming content variants, renamed to the form rows they came from."""
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        found = VARIANT_KEY.match(key)
        if found and int(found.group(1)) < len(rows):
            key = f"variants[{rows[int(found.group(1))]}]" + key[found.end():]
        out.setdefault(key, []).extend(messages if isinstance(messages, list) else [str(messages)])
    return out


def problems(content: dict[str, Any], rows: list[int], unit_of: Callable[[], OrgUnit],
             campaign: str = "") -> dict[str, list[str]]:
    """What the API's schema and the validation service find wrong, by field (nothing is
    written). ``unit_of`` gives the post's unit, checking the person's permission there;
    ``campaign`` is read as the API reads a campaign's name."""
    found = _content_problems(content, rows, unit_of)
    if campaign:
        try:
            clean_name(campaign, "campaign")
        except ValidationError as exc:
            found["campaign"] = [str(m) for m in exc.messages]
    return found


def _content_problems(content: dict[str, Any], rows: list[int], unit_of: Callable[[], OrgUnit]
                      ) -> dict[str, list[str]]:
    session = db()
    found: dict[str, list[str]] = {}
    if not content["targets"]:
        found["targets"] = [_("Choose at least one account.")]
    if not content["variants"]:
        found["variants"] = [_("Write the text of at least one variant.")]
    if found:
        return found
    try:
        Content(unknown=RAISE).load(content)  # the API's schema: what a media item may be
    except ValidationError as exc:
        return by_row(flatten(exc.normalized_messages()), rows)
    try:
        service.validate_content(session, who(), tenant().id, unit_of(), content)
    except ValidationFailed as exc:
        return by_row(exc.errors, rows)
    except HeraldError as exc:
        return {"org_unit_id": [exc.detail]}
    finally:
        session.rollback()
    return {}


def refusal(exc: HeraldError, rows: list[int]) -> dict[str, list[str]]:
    """A service's refusal as the form's problems."""
    return by_row(getattr(exc, "errors", None) or {"": [exc.detail]}, rows)


def check_answer(draft: Draft, unit_of: Callable[[], OrgUnit]) -> dict[str, Any]:
    """The live check's answer: the problems, and each row's preview as data and as HTML."""
    content, rows = content_of(draft)
    previews = compose_preview.previews_by_row(content, rows)
    return {"problems": problems(content, rows, unit_of, draft.campaign),
            "previews": {str(i): previews.get(i, []) for i in draft.row_ids},
            "previews_html": {str(i): compose_preview.fragment(i, previews.get(i, [])) for i in draft.row_ids}}


# ----------------------------------------------------------------------------- rendering
def accounts_for(unit_ids: list[str] | None = None, under: OrgUnit | None = None,
                 also: list[str] | None = None) -> list[SocialAccount]:
    """The accounts the form offers: on ``unit_ids``, or on ``under`` and its descendants
    (those the person may see), plus the accounts ``also`` names that they may see."""
    session = db()
    stmt = select(SocialAccount).where(SocialAccount.tenant_id == tenant().id, SocialAccount.archived_at.is_(None))
    if under is not None:
        units = select(OrgUnit.id).where(OrgUnit.tenant_id == tenant().id, OrgUnit.path.startswith(under.path))
        stmt = stmt.where(SocialAccount.org_unit_id.in_(units))
    else:
        stmt = stmt.where(SocialAccount.org_unit_id.in_(unit_ids or []))
    found = {a.id: a for a in session.scalars(stmt)}
    for account_id in also or []:
        acct = session.get(SocialAccount, account_id)
        if acct is not None and acct.tenant_id == tenant().id:
            found.setdefault(acct.id, acct)
    if under is not None:
        found = {k: a for k, a in found.items() if can(session, who(), "accounts.view", a)}
    return sorted(found.values(), key=lambda a: (a.network, a.handle))


def form_context(draft: Draft, accounts: list[SocialAccount], previews: dict[int, Any] | None = None
                 ) -> dict[str, Any]:
    """What the form's templates need besides the draft itself."""
    picked = {a for row in draft.rows for a in row.media}
    session = db()
    seen_units = select(OrgUnit.id).where(OrgUnit.tenant_id == tenant().id,
                                          visible_unit_filter(session, who(), "posts.view", tenant().id))
    campaigns = session.scalars(select(Post.campaign).distinct().where(
        Post.tenant_id == tenant().id, Post.org_unit_id.in_(seen_units), Post.campaign.is_not(None))
        .order_by(Post.campaign).limit(500)).all()
    return {"draft": draft, "campaigns": campaigns, "accounts": accounts, "time_zones": time_zones(),
            "requested_zone": draft.requested_time_zone or select_timezone(),
            "networks": sorted({a.network for a in accounts}),
            "assets": compose_media.pickable_assets(picked), "may_upload": can_somewhere("media.manage"),
            "previews": previews or {}, "max_rows": MAX_ROWS}
