"""Permissions: the fixed catalogue, built-in roles, and the one permission check."""

from herald.authz.actor import Actor
from herald.authz.check import can, require, visible_unit_filter

__all__ = ["Actor", "can", "require", "visible_unit_filter"]
