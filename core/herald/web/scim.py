"""SCIM 2.0 user provisioning (RFC 7643/7644) at ``/scim/v2/Users``.

Authenticated only by a tenant service token carrying the ``scim`` scope; like every token it
acts with its service principal's grants (``users.view`` / ``users.manage``). A user's
``userName`` is their email. Deactivation (PATCH ``active: false``, PUT, or DELETE — Herald never
deletes people, so their posts, approvals and audit history stay) ends their sessions and revokes
their tokens at once."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, g, request
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from herald.api import json_input
from herald.api.context import db
from herald.authz import Actor, require
from herald.authz.check import in_tenant
from herald.errors import Conflict, Forbidden, HeraldError, NotFound, Unauthorized, ValidationFailed
from herald.people import service as people
from herald.people.models import ApiToken, User
from herald.web.request_trust import public_base

bp = Blueprint("scim", __name__, url_prefix="/scim/v2")
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
MEDIA = "application/scim+json"
FILTER = re.compile(r'^\s*userName\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)
MAX_COUNT = 200


class ScimError(HeraldError):
    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.scim_type = status, scim_type


def _json(body: Any, status: int = 200, **headers: str) -> Response:
    resp = Response(json.dumps(body), status=status, mimetype=MEDIA)
    for k, v in headers.items():
        resp.headers[k] = v
    return resp


def _error(status: int, detail: str, scim_type: str | None = None) -> Response:
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return _json(body, status)


@bp.errorhandler(HeraldError)
def _herald_error(exc: HeraldError) -> Response:
    scim_type = getattr(exc, "scim_type", None)
    if scim_type is None and isinstance(exc, Conflict):
        scim_type = "uniqueness"
    if scim_type is None and isinstance(exc, ValidationFailed):
        scim_type = "invalidValue"
    status = 400 if isinstance(exc, ValidationFailed) else exc.status
    return _error(status, exc.detail, scim_type)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    return _error(exc.code or 500, exc.description or exc.name)


def _actor() -> Actor:
    """The acting service principal; only a live service token with the ``scim`` scope counts."""
    who: Actor | None = g.get("actor")
    if who is None or who.token_id is None:
        raise Unauthorized("Send a tenant service token with the scim scope: Authorization: Bearer <token>.")
    token = db().get(ApiToken, who.token_id)
    if token is None or token.kind != "service" or "scim" not in (token.scopes or []):
        raise Forbidden("SCIM needs a tenant service token with the scim scope.")
    return who


def _tenant_id(who: Actor) -> str:
    assert who.tenant_id is not None
    return who.tenant_id


def _location(user: User) -> str:
    return f"{public_base()}/scim/v2/Users/{user.id}"


def _resource(user: User) -> dict[str, Any]:
    return {
        "schemas": [USER_SCHEMA], "id": user.id, "userName": user.email, "displayName": user.display_name,
        "name": {"formatted": user.display_name}, "active": user.status == "active",
        "emails": [{"value": user.email, "primary": True, "type": "work"}],
        "meta": {"resourceType": "User", "created": user.created_at.isoformat(),
                 "lastModified": (user.updated_at or user.created_at).isoformat(), "location": _location(user)},
    }


def _body() -> dict[str, Any]:
    if request.mimetype not in (MEDIA, "application/json"):
        raise ScimError(415, f"Send the body as {MEDIA}.")
    try:
        data = json_input.loads(request.get_data(cache=True) or b"null")
    except json_input.ForbiddenText as exc:
        raise ScimError(400, f"{exc.detail} ({', '.join(exc.errors)})", "invalidValue") from exc
    except json_input.EdgeRefusal as exc:
        raise ScimError(400, exc.detail, "invalidSyntax") from exc
    if not isinstance(data, dict):
        raise ScimError(400, "The body must be a JSON object.", "invalidSyntax")
    return data


def _user(who: Actor, user_id: str) -> User:
    require(db(), who, "users.view", in_tenant(db(), who, _tenant_id(who)))
    user = db().get(User, user_id)
    if user is None or user.tenant_id != who.tenant_id or user.kind != "person":
        raise NotFound(f"No user {user_id!r}.")
    return user


def _bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):  # some IdPs send strings
        return value.lower() == "true"
    raise ScimError(400, f"{field} must be a boolean.", "invalidValue")


def _str(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise ScimError(400, f"{field} must be a non-empty string of at most {limit} characters.", "invalidValue")
    return value.strip()


def _email(value: Any) -> str:
    email = _str(value, "userName", 320).lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise ScimError(400, "userName must be an email address.", "invalidValue")
    return email


def _display_name(data: dict[str, Any], fallback: str) -> str:
    if data.get("displayName"):
        return _str(data["displayName"], "displayName", 200)
    name = data.get("name") if isinstance(data.get("name"), dict) else {}
    if name.get("formatted"):
        return _str(name["formatted"], "name.formatted", 200)
    joined = " ".join(str(name[k]) for k in ("givenName", "familyName") if isinstance(name.get(k), str))
    return joined.strip()[:200] or fallback.split("@")[0]


def _apply(who: Actor, user: User, changes: dict[str, Any]) -> User:
    """Apply userName/displayName/active changes through the people service."""
    active = changes.pop("active", None)
    if changes:
        people.update_user(db(), who, _tenant_id(who), user.id, changes)
    if active is False and user.status != "disabled":
        require(db(), who, "users.manage", in_tenant(db(), who, _tenant_id(who)))
        people.disable_user(db(), who, user)
    elif active is True and user.status != "active":
        people.update_user(db(), who, _tenant_id(who), user.id, {"status": "active"})
    return user


# ----------------------------------------------------------------------------- routes
@bp.get("/Users")
def list_users() -> Response:
    who = _actor()
    session = db()
    require(session, who, "users.view", in_tenant(session, who, _tenant_id(who)))
    stmt = select(User).where(User.tenant_id == who.tenant_id, User.kind == "person")
    raw_filter = request.args.get("filter")
    if raw_filter:
        found = FILTER.match(raw_filter)
        if not found:
            raise ScimError(400, 'Only the filter userName eq "<email>" is supported.', "invalidFilter")
        stmt = stmt.where(User.email == found.group(1).replace('\\"', '"').strip().lower())
    try:
        start = max(1, int(request.args.get("startIndex", "1")))
        count = min(MAX_COUNT, max(0, int(request.args.get("count", "100"))))
    except ValueError as exc:
        raise ScimError(400, "startIndex and count must be integers.", "invalidValue") from exc
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    users = session.execute(stmt.order_by(User.created_at, User.id).offset(start - 1).limit(count)).scalars().all()
    return _json({"schemas": [LIST_SCHEMA], "totalResults": total, "startIndex": start,
                  "itemsPerPage": len(users), "Resources": [_resource(u) for u in users]})


@bp.get("/Users/<user_id>")
def get_user(user_id: str) -> Response:
    return _json(_resource(_user(_actor(), user_id)))


@bp.post("/Users")
def create_user() -> Response:
    who = _actor()
    data = _body()
    email = _email(data.get("userName"))
    active = _bool(data.get("active", True), "active")
    user = people.create_user(db(), who, _tenant_id(who), email=email, display_name=_display_name(data, email))
    if not active:
        people.disable_user(db(), who, user)
    db().commit()
    return _json(_resource(user), 201, Location=_location(user))


@bp.put("/Users/<user_id>")
def replace_user(user_id: str) -> Response:
    who = _actor()
    user = _user(who, user_id)
    data = _body()
    email = _email(data.get("userName"))
    changes: dict[str, Any] = {"display_name": _display_name(data, email),
                               "active": _bool(data.get("active", True), "active")}
    if email != user.email:
        changes["email"] = email
    _apply(who, user, changes)
    db().commit()
    return _json(_resource(user))


_PATHS = {"active": "active", "displayname": "display_name", "username": "email", "name.formatted": "display_name",
          'emails[type eq "work"].value': "email", "emails[primary eq true].value": "email"}


@bp.patch("/Users/<user_id>")
def patch_user(user_id: str) -> Response:
    who = _actor()
    user = _user(who, user_id)
    data = _body()
    ops = data.get("Operations")
    if not isinstance(ops, list) or not ops or len(ops) > 50:
        raise ScimError(400, "Operations must be a non-empty list.", "invalidSyntax")
    changes: dict[str, Any] = {}
    for op in ops:
        if not isinstance(op, dict) or str(op.get("op", "")).lower() not in ("add", "replace"):
            raise ScimError(400, "Only add and replace operations are supported.", "invalidSyntax")
        path, value = op.get("path"), op.get("value")
        pairs = ([(k, v) for k, v in value.items()] if path is None and isinstance(value, dict)
                 else [(path, value)])
        for key, val in pairs:
            target = _PATHS.get(str(key).strip().lower()) if isinstance(key, str) else None
            if target is None and key == "name" and isinstance(val, dict):
                target, val = "display_name", _display_name({"name": val}, user.email)
            if target is None:
                raise ScimError(400, f"Unsupported attribute path {key!r}.", "invalidPath")
            if target == "active":
                changes["active"] = _bool(val, "active")
            elif target == "email":
                email = _email(val)
                if email != user.email:
                    changes["email"] = email
            else:
                changes["display_name"] = _str(val, "displayName", 200)
    _apply(who, user, changes)
    db().commit()
    return _json(_resource(user))


@bp.delete("/Users/<user_id>")
def delete_user(user_id: str) -> Response:
    """Deactivates: Herald keeps people so that their work and history stay attributed."""
    who = _actor()
    user = _user(who, user_id)
    _apply(who, user, {"active": False})
    db().commit()
    return Response(status=204)


@bp.get("/ServiceProviderConfig")
def service_provider_config() -> Response:
    """What this SCIM service supports, for identity providers that ask first."""
    _actor()
    return _json({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": True}, "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_COUNT}, "changePassword": {"supported": False},
        "sort": {"supported": False}, "etag": {"supported": False},
        "authenticationSchemes": [{"type": "oauthbearertoken", "name": "Herald service token",
                                   "description": "A tenant service token with the scim scope", "primary": True}],
    })
