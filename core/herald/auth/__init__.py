"""Authentication: the auth-provider interface and API tokens."""
