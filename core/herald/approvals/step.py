"""The approval step-kind interface.

A workflow is a list of steps; each step has a kind. When a post enters a step Herald calls
``evaluate``: an automatic kind answers at once (passed or blocked, with reasons); a human kind
answers ``waiting`` and people decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from marshmallow import Schema

from herald.plugin_host.bound import TenantBound

Verdict = Literal["passed", "blocked", "waiting"]


@dataclass(frozen=True)
class StepOutcome:
    verdict: Verdict
    reasons: list[str] = field(default_factory=list)


class ApprovalStepKind(TenantBound):
    #: True if people decide this step (Herald then tracks deciders, quorum and deadlines).
    needs_people: ClassVar[bool] = False
    #: marshmallow schema of the step's own options in a workflow definition (or None).
    options_schema: ClassVar[type[Schema] | None] = None

    def evaluate(self, post: dict[str, Any], options: dict[str, Any]) -> StepOutcome:
        """Judge ``post`` (its current version, as a plain dict) under this step's ``options``."""
        raise NotImplementedError
