"""Scheduling and publishing: publications (one per post variant and social account), their
attempts, account tokens and rate-limit state, the scheduler that dispatches due publications
and the executor that publishes them exactly once."""
