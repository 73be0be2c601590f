"""Tenants, the org-unit tree and the social accounts attached to units."""
