"""Content: posts, their per-network and per-language variants, versions and edit leases."""
