"""Every hook Herald calls, grouped by area. This module is the contract plugin authors build on.

Conventions that hold for every hook:

* Registration hooks (``herald_*``-plural, e.g. :func:`herald_network_connectors`) take no
  arguments and return a list of classes; Herald instantiates them per use, passing the tenant
  and that tenant's plugin settings explicitly. Implementations keep no per-tenant state.
* Which implementations a call reaches depends on the tenant: only plugins the tenant enabled
  (built-in plugins are enabled unless the tenant disabled them). Herald filters at the call
  site; plugins never need to check.
* Results of every implementation are collected into a list, in the order pluggy calls them
  (``tryfirst`` first, ``trylast`` — used by built-in plugins — last). No hook is ``firstresult``
  unless its docstring says so.
* Never give a hook implementation's arguments default values: pluggy would not pass them.

The hook API is versioned by :data:`HOOK_API_VERSION` (``MAJOR.MINOR``). A plugin declares the
version it was built for as ``HERALD_HOOK_API`` in its module; Herald refuses to start with a
plugin whose major differs or whose minor is newer than its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from flask import Flask

    from herald.approvals.step import ApprovalStepKind
    from herald.auth.provider import AuthProvider
    from herald.console.extension import ConsoleExtension
    from herald.crm.sink import CrmSink
    from herald.enrichment.enricher import Enricher
    from herald.events.subscriber import EventSubscriber
    from herald.networks.connector import NetworkConnector
    from herald.notifications.kinds import NotificationKind
    from herald.notifications.notifier import Notifier
    from herald.plugin_host.settings import PluginSettings

HOOK_API_VERSION = "1.5"
PROJECT = "herald"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --------------------------------------------------------------------------- networks
@hookspec
def herald_network_connectors() -> list[type[NetworkConnector]]:
    """Register social network connectors.

    Called when Herald needs the networks a tenant can use: listing networks, attaching a
    social account (its ``network`` must be a key offered here), validating and publishing.

    :return: connector classes, subclasses of :class:`herald.plugins.NetworkConnector`, each
        with a unique ``key`` (e.g. ``"x"``). Two enabled plugins offering the same key is an
        error reported to the tenant admin.
    """


# --------------------------------------------------------------------------- approval steps
@hookspec
def herald_approval_step_kinds() -> list[type[ApprovalStepKind]]:
    """Register kinds of approval step (human review, style-guide check, AI checks…).

    Called when a tenant admin builds a workflow (to offer the kinds) and when a post enters a
    step (to evaluate it).

    :return: step-kind classes, subclasses of :class:`herald.plugins.ApprovalStepKind`, each
        with a unique ``key``.
    """


# --------------------------------------------------------------------------- auth providers
@hookspec
def herald_auth_providers() -> list[type[AuthProvider]]:
    """Register ways of signing in (local password, SAML, OIDC…).

    Called when a person signs in or asks for a token, and when the sign-in page lists the
    tenant's options.

    :return: provider classes, subclasses of :class:`herald.plugins.AuthProvider`, each with a
        unique ``key``.
    """


# --------------------------------------------------------------------------- CRM sinks
@hookspec
def herald_crm_sinks() -> list[type[CrmSink]]:
    """Register CRM destinations (Salesforce…) that engagement items can be pushed to.

    Called when an inbox item is routed to sales or support, and when admins list sinks.

    :return: sink classes, subclasses of :class:`herald.plugins.CrmSink`.
    """


# --------------------------------------------------------------------------- enrichers
@hookspec
def herald_enrichers() -> list[type[Enricher]]:
    """Register enrichers (AI taggers, sentiment, language detection…).

    Called when a post is saved or an engagement item arrives, so that every enabled
    enricher can annotate it.

    :return: enricher classes, subclasses of :class:`herald.plugins.Enricher`.
    """


# --------------------------------------------------------------------------- notifiers
@hookspec
def herald_notifiers() -> list[type[Notifier]]:
    """Register notification channels (in-app inbox, email, Slack, Teams…).

    Called whenever Herald notifies people (an approval is due, a post failed…). Every enabled
    notifier receives every notification; each decides whether it applies to the recipient.
    A notifier whose class sets ``audience = "channel"`` (since 1.3) posts to destinations shared
    by many people: it receives each notification once rather than once per recipient, with
    ``scope`` (org units, inbox teams) and ``page_url`` filled in, names the destinations that
    want it in ``destinations(notification)``, and gets one ``notify`` per destination
    (``notification.destination``).

    :return: notifier classes, subclasses of :class:`herald.plugins.Notifier`.
    """


@hookspec
def herald_notification_kinds() -> list[NotificationKind]:
    """Declare the kinds of notification this plugin sends, so people can turn each off channel
    by channel on their notification settings (Herald's own kinds are declared by Herald).

    Called when a person's notification preferences are shown or changed, for the plugins their
    tenant enabled. Put each kind's ``key`` on the notifications you send; prefix it with your
    plugin's name (``crm_salesforce.sync_failed``). A key Herald or another plugin already
    declares is ignored.

    :return: :class:`herald.plugins.NotificationKind` instances.
    """


# --------------------------------------------------------------------------- events
@hookspec
def herald_event_subscribers() -> list[type[EventSubscriber]]:
    """Register subscribers to Herald's domain events (outbound webhooks, customer journeys).

    Called after a change commits; each subscriber's :meth:`EventSubscriber.deliver` runs on
    the queue, never inside the request.

    :return: subscriber classes, subclasses of :class:`herald.plugins.EventSubscriber`.
    """


# --------------------------------------------------------------------------- console
@hookspec
def herald_console_extensions() -> list[ConsoleExtension]:
    """Add pages and menu entries to the web console.

    Called once when the app is built (to mount each extension's blueprint under
    ``/console/x/<plugin>/``) and when the console menu is drawn for a tenant (to show only the
    tenant's enabled plugins' entries).

    :return: :class:`herald.plugins.ConsoleExtension` instances.
    """


# --------------------------------------------------------------------------- settings
@hookspec
def herald_plugin_settings() -> PluginSettings | None:
    """Declare this plugin's per-tenant settings.

    Called for each plugin on its own (Herald knows whose answer it is) when a tenant admin
    views or changes the plugin's configuration, and when a connector, provider or sink is
    instantiated for a tenant.

    :return: a :class:`herald.plugins.PluginSettings` (a marshmallow schema, defaults, and the
        names of secret fields, which are encrypted at rest and never shown again), or None if
        the plugin has no settings.
    """


# --------------------------------------------------------------------------- lifecycle
@hookspec
def herald_tenant_plugin_changed(tenant_id: str, plugin: str, enabled: bool, settings: dict[str, Any]) -> None:
    """A tenant enabled, disabled or reconfigured a plugin.

    Called after the change is committed, for the plugin concerned only (even when it was just
    disabled), so it can prepare or release tenant resources it keeps outside Herald.

    :param tenant_id: the tenant.
    :param plugin: the plugin's name.
    :param enabled: whether it is now enabled.
    :param settings: the effective settings, secrets decrypted.
    :return: nothing.
    """


@hookspec
def herald_app_created(app: Flask) -> None:
    """The Flask app has been built. Called once per process, for every installed plugin
    (tenant enablement does not apply: a route a plugin adds must itself check the tenant).

    :param app: the application.
    :return: nothing.
    """
