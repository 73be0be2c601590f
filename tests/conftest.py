"""Herald's own tests use the fixtures of herald.testing (installed as a pytest plugin)."""
