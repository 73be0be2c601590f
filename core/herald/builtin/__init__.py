"""Core behaviour shipped as plugins on the same hooks a vendor uses.

They are registered before installed plugins and mark their hooks ``trylast``, so an installed
plugin can take over. They are enabled for every tenant unless its admin disables them."""

BUILTIN_PLUGINS: list[tuple[str, str]] = [
    ("local_auth", "herald.builtin.local_auth"),
    ("human_review", "herald.builtin.human_review"),
    ("style_guide", "herald.builtin.style_guide"),
    ("inapp_notifier", "herald.builtin.inapp_notifier"),
    ("email_notifier", "herald.builtin.email_notifier"),
    ("webhooks", "herald.builtin.webhooks"),
    ("inbox", "herald.builtin.inbox"),
    ("requested_time", "herald.builtin.requested_time"),
    ("network_sandbox", "herald.builtin.network_sandbox"),
]
