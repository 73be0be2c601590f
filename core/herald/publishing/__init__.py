"""Scheduling and publishing: publications (one per post and social account, in the variant
the account's audience reads), their attempts, account tokens and rate-limit state, the scheduler
that dispatches due publications and the executor that publishes them exactly once."""
