"""Editing posts under governance: a saved version, what it does to the post's review, and what
it does to what was scheduled — the one place content, approvals and publishing meet, so none
of them needs the others above it."""
