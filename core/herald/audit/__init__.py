"""The append-only, hash-chained audit trail."""

from herald.audit.log import appended_last, record, snapshot

__all__ = ["appended_last", "record", "snapshot"]
