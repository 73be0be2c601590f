"""Herald — self-hosted enterprise social media management.

Only :mod:`herald.plugins` is public API for plugin authors; ``hookimpl`` is re-exported
here so that ``from herald import hookimpl`` works as well.
"""

from herald.hookspecs import HOOK_API_VERSION, hookimpl

__version__ = "0.1.0"

__all__ = ["HOOK_API_VERSION", "__version__", "hookimpl"]
