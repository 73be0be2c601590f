"""Enrichers: AI taggers, sentiment and language detection."""
