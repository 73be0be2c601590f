"""Notifications: the notifier interface and the in-app inbox."""
