"""The workflow editor's form, both ways: a stored workflow into rows the page shows, the posted
form back into rows (so that adding, removing and moving steps work without script), and rows
into the body ``PUT …/workflow`` accepts. Errors come back keyed by the body's paths
(``steps[2].quorum``) and are moved to the form row each step came from."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from marshmallow import RAISE, ValidationError

from herald.api.schemas.workflows import WorkflowPut
from herald.console.form_errors import flatten

STYLE_GUIDE = "style_guide"
QUORUMS = ("any", "all", "n")
ON_DEADLINE = ("remind", "escalate", "auto_reject")
MAX_ROWS = 20
MAX_DUE = 10
KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]


@dataclass
class StepRow:
    """One step as the form holds it (strings where the person types)."""

    name: str = ""
    kind: str = "human_review"
    role: str = ""
    users: list[str] = field(default_factory=list)
    external: bool = False
    quorum: str = "any"
    approvals_needed: str = "1"
    deadline_hours: str = ""
    on_deadline: str = "remind"
    escalate_to_role: str = ""
    banned_phrases: str = ""
    required_hashtags: str = ""
    required_phrases: str = ""
    max_emoji: str = ""
    restrict_links: bool = False
    allowed_link_domains: str = ""
    options_json: str = ""
    due: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def from_step(cls, step: dict[str, Any], calendar: list[dict[str, Any]], index: int) -> StepRow:
        deciders = step.get("deciders") or {}
        options = dict(step.get("options") or {})
        row = cls(name=step.get("name", ""), kind=step.get("kind", "human_review"), role=deciders.get("role") or "",
                  users=list(deciders.get("users") or []), external=bool(deciders.get("external")),
                  quorum=step.get("quorum") or "any", approvals_needed=str(step.get("approvals_needed") or 1),
                  deadline_hours=str(step.get("deadline_hours") or ""),
                  on_deadline=step.get("on_deadline") or "remind",
                  escalate_to_role=step.get("escalate_to_role") or "",
                  due=[{"day": str(e["day_of_month"]), "campaign": e.get("campaign") or ""}
                       for e in calendar if e.get("step") == index])
        if row.kind == STYLE_GUIDE:
            row.banned_phrases = "\n".join(options.get("banned_phrases") or [])
            row.required_hashtags = "\n".join(options.get("required_hashtags") or [])
            row.required_phrases = "\n".join(options.get("required_phrases") or [])
            row.max_emoji = "" if options.get("max_emoji") is None else str(options["max_emoji"])
            domains = options.get("allowed_link_domains")
            row.restrict_links = domains is not None
            row.allowed_link_domains = "\n".join(domains or [])
        elif options:
            row.options_json = json.dumps(options, ensure_ascii=False, indent=1)
        return row

    @classmethod
    def from_form(cls, form: Any, i: int) -> StepRow:
        p = f"step-{i}-"
        get = lambda k, limit=2000: (form.get(p + k) or "")[:limit]  # noqa: E731
        due = []
        count = get("dues", 4)
        for j in range(min(int(count), MAX_DUE) if count.isdigit() else 0):
            day, campaign = get(f"due-{j}-day", 8).strip(), get(f"due-{j}-campaign", 200).strip()
            if day or campaign:
                due.append({"day": day, "campaign": campaign})
        return cls(name=get("name", 200).strip(), kind=get("kind", 64) or "human_review", role=get("role", 64),
                   users=list(dict.fromkeys([u[:40] for u in form.getlist(p + "users")]
                                            + _lines(get("user_ids", 5000))))[:50],
                   external=bool(form.get(p + "external")),
                   quorum=get("quorum", 16) or "any", approvals_needed=get("approvals_needed", 8).strip() or "1",
                   deadline_hours=get("deadline_hours", 8).strip(), on_deadline=get("on_deadline", 16) or "remind",
                   escalate_to_role=get("escalate_to_role", 64), banned_phrases=get("banned_phrases", 100_000),
                   required_hashtags=get("required_hashtags", 20_000), required_phrases=get("required_phrases", 30_000),
                   max_emoji=get("max_emoji", 8).strip(), restrict_links=bool(form.get(p + "restrict_links")),
                   allowed_link_domains=get("allowed_link_domains", 100_000), options_json=get("options_json", 20_000),
                   due=due)

    def options(self) -> Any:
        """The step's options: the style-guide form for style-guide steps, else the JSON field."""
        if self.kind == STYLE_GUIDE:
            return {"banned_phrases": _lines(self.banned_phrases),
                    "required_hashtags": [t.lstrip("#") for t in _lines(self.required_hashtags)],
                    "required_phrases": _lines(self.required_phrases),
                    "max_emoji": _number(self.max_emoji),
                    "allowed_link_domains": _lines(self.allowed_link_domains) if self.restrict_links else None}
        if not self.options_json.strip():
            return {}
        try:
            return json.loads(self.options_json)
        except ValueError:
            return self.options_json  # the schema says it is not an object

    def step(self) -> dict[str, Any]:
        deciders: dict[str, Any] = {"users": self.users, "external": self.external}
        if self.role:
            deciders["role"] = self.role
        return {"name": self.name, "kind": self.kind, "deciders": deciders, "quorum": self.quorum,
                "approvals_needed": _number(self.approvals_needed), "deadline_hours": _number(self.deadline_hours),
                "on_deadline": self.on_deadline, "escalate_to_role": self.escalate_to_role or None,
                "options": self.options()}


def _number(text: str) -> Any:
    """An integer, None for nothing, or the text itself (for the schema to name as not a number)."""
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text


@dataclass
class WorkflowForm:
    name: str = ""
    rows: list[StepRow] = field(default_factory=list)
    restart_from_row: str = "0"

    @classmethod
    def from_workflow(cls, wf: Any) -> WorkflowForm:
        if wf is None:
            return cls(rows=[StepRow()])
        calendar = list(wf.due_calendar or [])
        return cls(name=wf.name, rows=[StepRow.from_step(s, calendar, i) for i, s in enumerate(wf.steps)],
                   restart_from_row=str(wf.restart_from_step or 0))

    @classmethod
    def from_form(cls, form: Any) -> WorkflowForm:
        count = form.get("rows", "0")
        rows: list[StepRow] = []
        restart = (form.get("restart_from_step") or "0")[:4]
        for i in range(min(int(count), MAX_ROWS + 1) if count.isdigit() else 0):
            if form.get(f"step-{i}-remove"):
                continue
            rows.append(StepRow.from_form(form, i))
        return cls(name=(form.get("name") or "").strip()[:200], rows=rows, restart_from_row=restart)

    def apply(self, op: str) -> None:
        """A button that changes the form without saving it: add, remove-N, up-N, down-N, due-N."""
        verb, _, arg = op.partition("-")
        n = int(arg) if arg.isdigit() else -1
        restart = int(self.restart_from_row) if self.restart_from_row.isdigit() else 0
        if verb == "add" and len(self.rows) < MAX_ROWS:
            self.rows.append(StepRow())
        elif verb == "remove" and 0 <= n < len(self.rows):
            del self.rows[n]
            restart = restart - 1 if restart > n else (0 if restart == n else restart)
        elif verb in ("up", "down") and 0 <= n < len(self.rows):
            m = n - 1 if verb == "up" else n + 1
            if 0 <= m < len(self.rows):
                self.rows[n], self.rows[m] = self.rows[m], self.rows[n]
                restart = m if restart == n else (n if restart == m else restart)
        elif verb == "due" and 0 <= n < len(self.rows) and len(self.rows[n].due) < MAX_DUE:
            self.rows[n].due.append({"day": "", "campaign": ""})
        self.restart_from_row = str(restart)

    def body(self) -> tuple[dict[str, Any], list[int], list[tuple[int, int]]]:
        """The API body; the form row of each step (blank rows are left out); and the (row, entry)
        each due-calendar entry came from."""
        steps, origin, calendar, due_origin = [], [], [], []
        for i, row in enumerate(self.rows):
            if not row.name:
                continue
            index = len(steps)
            steps.append(row.step())
            origin.append(i)
            for j, entry in enumerate(row.due):
                calendar.append({"step": index, "day_of_month": _number(entry["day"]),
                                 "campaign": entry["campaign"] or None})
                due_origin.append((i, j))
        restart = int(self.restart_from_row) if self.restart_from_row.isdigit() else self.restart_from_row
        if isinstance(restart, int) and restart in origin:
            restart = origin.index(restart)
        return ({"name": self.name, "steps": steps, "restart_from_step": restart, "due_calendar": calendar},
                origin, due_origin)


def load(body: dict[str, Any]) -> dict[str, Any]:
    """The body through the API's own schema; raises ``ValidationError`` like the API would."""
    return WorkflowPut(unknown=RAISE).load(body)


STEP_KEY = re.compile(r"^steps\[(\d+)\]")
DUE_KEY = re.compile(r"^due_calendar\[(\d+)\]")


def to_rows(errors: dict[str, list[str]], origin: list[int], due_origin: list[tuple[int, int]]
            ) -> dict[str, list[str]]:
    """Error paths of the body renamed to the form's: ``steps[k]`` → ``row[i]``, a due-calendar
    entry → ``row[i].due[j]``; anything else keeps its name."""
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        found = STEP_KEY.match(key)
        due = DUE_KEY.match(key)
        if found and int(found.group(1)) < len(origin):
            key = f"row[{origin[int(found.group(1))]}]" + key[found.end():]
        elif due and int(due.group(1)) < len(due_origin):
            i, j = due_origin[int(due.group(1))]
            rest = key[due.end():]
            key = f"row[{i}].due[{j}]" + (".day" if rest == ".day_of_month" else rest)
        out.setdefault(key, []).extend(messages)
    return out


__all__ = ["KEY_RE", "ON_DEADLINE", "QUORUMS", "STYLE_GUIDE", "StepRow", "ValidationError", "WorkflowForm",
           "flatten", "load", "to_rows"]
