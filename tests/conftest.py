"""Herald's own tests use the fixtures of herald.testing (installed as a pytest plugin)."""

from inbox_support import inbox_clock, inbox_world  # noqa: F401  (the inbox tests' fixtures)
from publishing_support import sandbox  # noqa: F401  (a tenant with a sandbox account)
