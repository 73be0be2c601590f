"""The grants a request has read, remembered until something could change them.

One request often checks several permissions for the same person (the tenant's units in scope,
then the unit it names, then each object it touches). Each check needs the person's grants with
their units' paths; this memo reads them once per transaction. It forgets them when the session
flushes or runs a bulk write touching grants, roles, units or users, and when the transaction
ends (the next one may see other people's changes)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from herald.people.models import CustomRole, Grant, User
from herald.tenancy.models import OrgUnit

_KEY = "herald.grant_memo"
_WATCHED = (Grant, CustomRole, OrgUnit, User)


def grant_rows(session: Session, user_id: str) -> list[tuple[str, str, str]]:
    """(role key, unit id, unit path) of each of the user's grants."""
    memo: dict[str, Any] = session.info.setdefault(_KEY, {})
    rows = memo.get(user_id)
    if rows is None:
        rows = [tuple(r) for r in session.execute(
            select(Grant.role_key, OrgUnit.id, OrgUnit.path).join(OrgUnit, OrgUnit.id == Grant.org_unit_id)
            .where(Grant.user_id == user_id)).all()]
        memo[user_id] = rows
    return rows


def forget(session: Session) -> None:
    session.info.pop(_KEY, None)


@sa_event.listens_for(Session, "before_flush")
def _on_flush(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    if _KEY in session.info and any(isinstance(o, _WATCHED) for o in (*session.new, *session.dirty,
                                                                          *session.deleted)):
        forget(session)


@sa_event.listens_for(Session, "do_orm_execute")
def _on_bulk(state: ORMExecuteState) -> None:
    if _KEY in state.session.info and not state.is_select:
        forget(state.session)


@sa_event.listens_for(Session, "after_commit")
def _on_commit(session: Session) -> None:
    forget(session)


@sa_event.listens_for(Session, "after_rollback")
def _on_rollback(session: Session) -> None:
    forget(session)
