"""Part of the plugin facade: declaring a tenant's notification channels in a channel notifier's
settings, and choosing the channels a notification reaches (see ``herald.notifications.channels``)."""

from herald.notifications.channels import (
    DEFAULT_KINDS,
    LANGUAGES,
    NAME,
    Channel,
    ChannelSchema,
    JsonList,
    JsonMapping,
    check_every_channel_has_a_url,
    configured,
    reached,
)

__all__ = ["DEFAULT_KINDS", "LANGUAGES", "NAME", "Channel", "ChannelSchema", "JsonList", "JsonMapping",
           "check_every_channel_has_a_url", "configured", "reached"]
