"""Discovering, checking, enabling and calling plugins. Internal: plugins use herald.plugins."""
