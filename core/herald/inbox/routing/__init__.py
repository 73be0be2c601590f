"""Routing rules: ordered conditions and actions that decide where a conversation goes."""
