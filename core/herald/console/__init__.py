"""The web console and its extension interface."""
