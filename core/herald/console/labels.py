"""Translated names for the codes Herald stores, one mapping per kind of code, so that a page in
Arabic does not show ``in_review``, ``invited``, ``brand`` or ``sandbox``. Pages keep the code
itself in a ``data-code`` attribute (or next to the name, in ``<code>``, where people type it).

The codes overlap between kinds (``active`` is a review under way but a person allowed in), so
each kind has its own function; :func:`install` makes them template globals."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, g, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

LABELS = {
    # post and review states
    "draft": _l("Draft"), "in_review": _l("In review"), "changes_requested": _l("Changes requested"),
    "approved": _l("Approved"), "rejected": _l("Rejected"), "scheduled": _l("Scheduled"),
    "publishing": _l("Publishing"), "published": _l("Published"), "partially_published": _l("Partly published"),
    "active": _l("Under way"), "superseded": _l("Superseded"), "withdrawn": _l("Withdrawn"),
    # publication states
    "failed": _l("Failed"), "needs_attention": _l("Needs attention"), "cancelled": _l("Cancelled"),
    "deleted": _l("Deleted from the network"),
    # step states
    "skipped": _l("Skipped"), "blocked": _l("Blocked"), "sent_back": _l("Sent back"), "done": _l("Done"),
    "current": _l("Current"), "waiting": _l("Waiting"),
    # decisions
    "approve": _l("Approved"), "send_back": _l("Sent back"), "reject": _l("Rejected"), "passed": _l("Passed"),
}

#: a person's status (``users.status``)
PERSON_STATUSES = {"active": _l("Active"), "invited": _l("Invited"), "disabled": _l("Disabled")}

#: an org unit's kind (``org_units.kind``; the API's list and the console's offer differ a little)
UNIT_KINDS = {
    "company": _l("Company"), "region": _l("Region"), "brand": _l("Brand"), "franchise": _l("Franchise"),
    "market": _l("Market"), "department": _l("Department"), "team": _l("Team"), "other": _l("Other"),
}

#: networks whose name is a word (brand names — X, Instagram — are shown as the connector names them)
NETWORK_WORDS = {"sandbox": _l("Sandbox")}

#: approval step kinds shipped with Herald (a plugin's kind is shown as the plugin names it)
STEP_KINDS = {"human_review": _l("Human review"), "style_guide": _l("Style-guide check")}

#: a workflow rule's conditions, worded as on the rule form
RULE_CONDITIONS = {
    "accounts_any": _l("Targets one of these accounts"),
    "account_labels_any": _l("Targets an account with one of these labels (one per line or comma-separated)"),
    "networks_any": _l("Goes to one of these networks (keys)"),
}

#: the workflow Herald applies when a unit has none (``approval_runs.workflow_name``)
IMPLICIT_WORKFLOW = "Implicit approval"
#: the name of the implicit workflow's one step (herald.approvals.rules)
IMPLICIT_STEP = "Approval"

#: why a workflow applies (``approval_runs.chosen_because``, written in English by
#: ``herald.approvals.rules.choose``): the fixed sentences, and the parts of a rule's sentence
CHOSEN_BECAUSE = {
    "No rule matched; the unit's default workflow applies.":
        _l("No rule matched; the unit's default workflow applies."),
    "No workflow is defined for this unit or above it; one approval by a manager is required.":
        _l("No workflow is defined for this unit or above it; one approval by a manager is required."),
}
_RULE_SENTENCE = re.compile(r"^Rule “(?P<name>.*)” matched: the post (?P<why>.*)\.$", re.S)
_WHY = [
    (re.compile(r"^targets (?P<v>.+)$", re.S), _l("it targets %(v)s")),
    (re.compile(r"^goes to (?P<v>.+)$", re.S), _l("it goes to %(v)s")),
    (re.compile(r"^has a variant in (?P<v>.+)$", re.S), _l("it has a variant in %(v)s")),
    (re.compile(r"^mentions (?P<v>.+)$", re.S), _l("it mentions %(v)s")),
    (re.compile(r"^is tagged (?P<v>.+)$", re.S), _l("it is tagged %(v)s")),
    (re.compile(r"^belongs to campaign (?P<v>.+)$", re.S), _l("it belongs to campaign %(v)s")),
    (re.compile(r"^carries paid promotion$"), _l("it carries paid promotion")),
    (re.compile(r"^carries no paid promotion$"), _l("it carries no paid promotion")),
    (re.compile(r"^always applies$"), _l("the rule always applies")),
]


def _named(mapping: dict[str, Any], code: str | None) -> str:
    if code is None:
        return ""
    found = mapping.get(code)
    return str(found) if found is not None else code


def label(code: str | None) -> str:
    """The person's-language name of a post, publication or step state or a decision; an unknown
    code is shown as it is."""
    return _named(LABELS, code)


def person_status(code: str | None) -> str:
    return _named(PERSON_STATUSES, code)


def unit_kind(code: str | None) -> str:
    return _named(UNIT_KINDS, code)


def step_kind(code: str | None, plugin_name: str | None = None) -> str:
    """A built-in step kind's translated name; a plugin's own name for its kind; else the code."""
    found = STEP_KINDS.get(code or "")
    return str(found) if found is not None else (plugin_name or code or "")


def rule_condition(code: str) -> str:
    return _named(RULE_CONDITIONS, code)


def _connector_names() -> dict[str, str]:
    """key → the connector's own display name, for the signed-in tenant's networks (once a request)."""
    if not has_request_context() or g.get("console_tenant") is None:
        return {}
    if "network_names" not in g:
        from herald.api.context import db
        from herald.tenancy.service import available_networks

        g.network_names = {key: getattr(cls, "display_name", None) or key
                           for key, cls in available_networks(db(), g.console_tenant.id).items()}
    return g.network_names


def network_name(key: str | None) -> str:
    """How a network is called on the page: translated where its name is a word ("Sandbox"), its
    connector's display name otherwise (X, Instagram), else its key."""
    if not key:
        return ""
    word = NETWORK_WORDS.get(key)
    if word is not None:
        return str(word)
    return _connector_names().get(key, key)


def workflow_name(name: str | None) -> str:
    """A workflow's own name; the one Herald gives when a unit has none, translated."""
    return _("Implicit approval") if name == IMPLICIT_WORKFLOW else (name or "")


def step_name(name: str | None, workflow: str | None) -> str:
    """A step's own name; the implicit workflow's one step (named by Herald), translated."""
    if workflow == IMPLICIT_WORKFLOW and name == IMPLICIT_STEP:
        return _("Approval")
    return name or ""


def chosen_because(text: str | None) -> str:
    """Why a workflow applies, in the person's language. A sentence Herald did not write (or one
    whose parts it cannot tell apart) is shown as stored."""
    if not text:
        return ""
    fixed = CHOSEN_BECAUSE.get(text)
    if fixed is not None:
        return str(fixed)
    found = _RULE_SENTENCE.match(text)
    if found is None:
        return text
    parts = []
    for piece in found.group("why").split("; "):
        for pattern, wording in _WHY:
            hit = pattern.match(piece)
            if hit:
                parts.append(str(wording) % hit.groupdict() if hit.groupdict() else str(wording))
                break
        else:
            return text
    return _("Rule “%(name)s” matched: %(reasons)s.", name=found.group("name"), reasons=_("; ").join(parts))


def install(app: Flask) -> None:
    """Make the label functions template globals (``label``, ``person_status``, ``unit_kind``…)."""
    from herald.console.permission_labels import role_name

    for fn in (label, person_status, unit_kind, step_kind, rule_condition, network_name, workflow_name, step_name,
               chosen_because, role_name):
        app.add_template_global(fn, fn.__name__)
