"""The ``herald`` command line."""

from herald.cli.main import main

__all__ = ["main"]
