"""The human review step: people holding the step's role decide."""

from __future__ import annotations

from typing import Any

from herald.plugins import ApprovalStepKind, StepOutcome, hookimpl

HERALD_HOOK_API = "1.0"


class HumanReview(ApprovalStepKind):
    key = "human_review"
    display_name = "Human review"
    needs_people = True

    def evaluate(self, post: dict[str, Any], options: dict[str, Any]) -> StepOutcome:
        return StepOutcome("waiting")


@hookimpl(trylast=True)
def herald_approval_step_kinds() -> list[type[ApprovalStepKind]]:
    return [HumanReview]
