"""Salesforce for Herald: a CRM sink that upserts a message's author as a Contact (or Lead), a
Case for support and a Lead for sales, batched through sObject Collections, authenticated with
OAuth 2.0 JWT bearer (or refresh token, or username-password), paced by Salesforce's API usage;
cases' status and owner are read back for the conversation."""

from __future__ import annotations

from herald.plugins import CrmSink, NotificationKind, PluginSettings, hookimpl
from herald_crm_salesforce.settings import SETTINGS, SalesforceSettings
from herald_crm_salesforce.sink import SalesforceSink

HERALD_HOOK_API = "1.4"

__all__ = ["SalesforceSettings", "SalesforceSink"]


@hookimpl
def herald_crm_sinks() -> list[type[CrmSink]]:
    return [SalesforceSink]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return SETTINGS


@hookimpl
def herald_notification_kinds() -> list[NotificationKind]:
    return [NotificationKind("crm_salesforce.reconnect_needed", "Salesforce must be reconnected", "crm")]
