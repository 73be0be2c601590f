"""The append-only, hash-chained audit trail."""

from herald.audit.log import record, snapshot

__all__ = ["record", "snapshot"]
