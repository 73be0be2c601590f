"""Users, roles, role grants on org units, and API tokens."""
