"""Approval workflows: the step-kind interface (the engine arrives with content)."""
