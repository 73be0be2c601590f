"""Database engine, sessions and the declarative base shared by every area's models."""

from herald.db.base import Base, JSONType, UTCDateTime
from herald.db.engine import Database

__all__ = ["Base", "Database", "JSONType", "UTCDateTime"]
