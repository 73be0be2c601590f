"""Posts: compose, edit under a lease, version history, compare and restore."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select

from herald.api.blueprint import bp
from herald.api.context import actor, db
from herald.api.endpoint import endpoint
from herald.api.pagination import paginate
from herald.api.schemas.audit import AuditEventOut
from herald.api.schemas.common import ListQuery
from herald.api.schemas.content import (
    CommentCreate,
    CommentOut,
    CompareOut,
    CompareQuery,
    PostCreate,
    PostListQuery,
    PostOut,
    PostSave,
    RestoreBody,
    VersionOut,
)
from herald.audit.models import AuditEvent
from herald.content import comments, service
from herald.content.diff import diff
from herald.content.models import Post, PostComment, PostVersion
from herald.editing import posts as editing
from herald.library.usage import approved_assets_only
from herald.tenancy.service import unit_ids_in_scope

TAG = "Posts"
BASE = "/tenants/<tenant_id>/posts"


COMPUTED = ("content", "uses_only_approved_assets")
#: what a post's answer takes from its row as it is
_PLAIN = tuple(c for c in PostOut().fields if c not in COMPUTED)


def _out(post: Post) -> dict[str, Any]:
    return _outs([post])[0]


def _outs(posts: list[Post], current: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The posts with their current content (``current``, else read in one query whatever their
    number), and whether they use only approved library assets (one query, when they use any)."""
    if not posts:
        return []
    session = db()
    if current is None:
        contents = service.current_contents(session, posts)
        current = [contents[p.id] for p in posts]
    approved = approved_assets_only(session, posts[0].tenant_id, current)
    return [{**{c: getattr(post, c) for c in _PLAIN}, "content": content, "uses_only_approved_assets": ok}
            for post, content, ok in zip(posts, current, approved, strict=True)]


@endpoint(bp, BASE, "POST", summary="Create a post (version 1); every problem is reported at once", tag=TAG,
          body=PostCreate, response=PostOut, status=201)
def create_post(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    post = service.create_post(db(), actor(), tenant_id, **body)
    db().commit()
    return _out(post)


@endpoint(bp, BASE, "GET", summary="Posts on units you can see", tag=TAG, query=PostListQuery,
          response=PostOut, many=True)
def list_posts(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    units = unit_ids_in_scope(session, who, tenant_id, "posts.view", query["org_unit_id"], query["descendants"])
    # each post beside its current version's content: the page is one statement
    stmt = (select(Post, PostVersion.content)
            .join(PostVersion, and_(PostVersion.post_id == Post.id, PostVersion.number == Post.current_version))
            .where(Post.tenant_id == tenant_id, Post.org_unit_id.in_(units)))
    for key in ("campaign", "status", "author_id"):
        if query[key]:
            stmt = stmt.where(getattr(Post, key) == query[key])
    page = paginate(session, stmt, [Post.created_at, Post.id], query["limit"], query["cursor"], rows=True)
    page.items = _outs([post for post, _ in page.items], [content for _, content in page.items])
    return page


@endpoint(bp, BASE + "/<post_id>", "GET", summary="A post with its current content", tag=TAG, response=PostOut)
def get_post(tenant_id: str, post_id: str):  # type: ignore[no-untyped-def]
    return _out(service.get_post(db(), actor(), tenant_id, post_id))


@endpoint(bp, BASE + "/<post_id>/content", "PUT",
          summary="Save new content as a new version (based on base_version; takes the edit lease)",
          tag=TAG, body=PostSave, response=PostOut)
def save_post(tenant_id: str, post_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    post = editing.save_post(db(), actor(), tenant_id, post_id, **body)
    db().commit()
    return _out(post)


@endpoint(bp, BASE + "/<post_id>/lease", "POST", summary="Take (or renew) the edit lease", tag=TAG, response=PostOut)
def take_lease(tenant_id: str, post_id: str):  # type: ignore[no-untyped-def]
    session = db()
    post = service.take_lease(session, actor(), service.get_post(session, actor(), tenant_id, post_id, "posts.edit"))
    session.commit()
    return _out(post)


@endpoint(bp, BASE + "/<post_id>/lease", "DELETE", summary="Give the edit lease back", tag=TAG, status=204)
def release_lease(tenant_id: str, post_id: str):  # type: ignore[no-untyped-def]
    session = db()
    service.release_lease(session, actor(), service.get_post(session, actor(), tenant_id, post_id))
    session.commit()


@endpoint(bp, BASE + "/<post_id>/lease/break", "POST", summary="Break another editor's lease (managers; audited)",
          tag=TAG, response=PostOut)
def break_lease(tenant_id: str, post_id: str):  # type: ignore[no-untyped-def]
    post = service.break_lease(db(), actor(), tenant_id, post_id)
    db().commit()
    return _out(post)


@endpoint(bp, BASE + "/<post_id>/versions", "GET", summary="Version history, newest first", tag=TAG,
          query=ListQuery, response=VersionOut, many=True)
def list_versions(tenant_id: str, post_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    post = service.get_post(db(), actor(), tenant_id, post_id)
    stmt = select(PostVersion).where(PostVersion.post_id == post.id)
    return paginate(db(), stmt, [PostVersion.number], query["limit"], query["cursor"], descending=True)


@endpoint(bp, BASE + "/<post_id>/versions/<int:number>", "GET", summary="One version", tag=TAG,
          response=VersionOut)
def get_version(tenant_id: str, post_id: str, number: int):  # type: ignore[no-untyped-def]
    return service.version(db(), service.get_post(db(), actor(), tenant_id, post_id), number)


@endpoint(bp, BASE + "/<post_id>/compare", "GET", summary="Field-level differences between two versions",
          tag=TAG, query=CompareQuery, response=CompareOut)
def compare(tenant_id: str, post_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    post = service.get_post(db(), actor(), tenant_id, post_id)
    a, b = service.version(db(), post, query["from_"]), service.version(db(), post, query["to"])
    return {"from_": a.number, "to": b.number, "changes": diff(a.content, b.content)}


@endpoint(bp, BASE + "/<post_id>/versions/<int:number>/restore", "POST",
          summary="Restore an old version as a new version", tag=TAG, body=RestoreBody, response=PostOut)
def restore(tenant_id: str, post_id: str, number: int, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    post = editing.restore_version(db(), actor(), tenant_id, post_id, number, body["base_version"])
    db().commit()
    return _out(post)


@endpoint(bp, BASE + "/<post_id>/comments", "POST",
          summary="Comment on a post or one of its versions, mentioning colleagues", tag=TAG,
          body=CommentCreate, response=CommentOut, status=201)
def add_comment(tenant_id: str, post_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    comment = comments.add_comment(db(), actor(), tenant_id, post_id, body=body["body"],
                                   version_number=body["version"], mentions=body["mentions"])
    db().commit()
    return comment


@endpoint(bp, BASE + "/<post_id>/comments", "GET", summary="The post's comments, oldest first", tag=TAG,
          query=ListQuery, response=CommentOut, many=True)
def list_comments(tenant_id: str, post_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    post = service.get_post(db(), actor(), tenant_id, post_id)
    stmt = select(PostComment).where(PostComment.post_id == post.id)
    return paginate(db(), stmt, [PostComment.created_at, PostComment.id], query["limit"], query["cursor"])


@endpoint(bp, BASE + "/<post_id>/history", "GET", summary="The whole story of the post, in order", tag=TAG,
          query=ListQuery, response=AuditEventOut, many=True)
def history(tenant_id: str, post_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    post = service.get_post(db(), actor(), tenant_id, post_id)
    stmt = select(AuditEvent).where(AuditEvent.chain == tenant_id, AuditEvent.object_type == "post",
                                    AuditEvent.object_id == post.id)
    return paginate(db(), stmt, [AuditEvent.chain_seq], query["limit"], query["cursor"])
