"""The public API for plugin authors. Import from here only; nothing else in Herald is API.

    from herald.plugins import hookimpl, NetworkConnector, Capabilities

A plugin is a module (named by an entry point in the ``herald`` group) that sets
``HERALD_HOOK_API`` and implements hooks from :mod:`herald.hookspecs` with ``@hookimpl``.
"""

from herald.approvals.step import ApprovalStepKind, StepOutcome
from herald.auth.provider import (
    AuthProvider,
    DirectoryUser,
    ExternalIdentity,
    Identity,
    ReplayCache,
    SsoContext,
    SsoRefused,
    SsoStart,
    UserDirectory,
)
from herald.clock import utcnow
from herald.console.extension import ConsoleExtension, MenuEntry
from herald.crm.sink import CrmRecord, CrmSink
from herald.enrichment.enricher import Enricher
from herald.events.subscriber import Event, EventSubscriber
from herald.hookspecs import HOOK_API_VERSION, hookimpl
from herald.networks.connector import (
    AuthorProfile,
    Capabilities,
    ConnectedAccount,
    MediaFile,
    Mention,
    MentionPage,
    NetworkConnector,
    Problem,
    PublishRequest,
    PublishResult,
    RateBudget,
    RemoteProfile,
    ReplyRequest,
    ReplyResult,
    TokenSet,
    VariantDraft,
)
from herald.networks.errors import (
    AuthExpired,
    AuthRevoked,
    DuplicateContent,
    NetworkError,
    NotSupported,
    PermanentError,
    RateLimited,
    TransientError,
    UncertainOutcome,
)
from herald.notifications.notifier import Notification, Notifier
from herald.plugin_host.inbound import record_inbound_event, tenant_plugin_settings
from herald.plugin_host.settings import PluginSettings

__all__ = [
    "HOOK_API_VERSION",
    "ApprovalStepKind",
    "AuthExpired",
    "AuthProvider",
    "AuthRevoked",
    "AuthorProfile",
    "Capabilities",
    "ConnectedAccount",
    "ConsoleExtension",
    "CrmRecord",
    "CrmSink",
    "DirectoryUser",
    "DuplicateContent",
    "Enricher",
    "Event",
    "EventSubscriber",
    "ExternalIdentity",
    "Identity",
    "MediaFile",
    "Mention",
    "MentionPage",
    "MenuEntry",
    "NetworkConnector",
    "NetworkError",
    "NotSupported",
    "Notification",
    "Notifier",
    "PermanentError",
    "PluginSettings",
    "Problem",
    "PublishRequest",
    "PublishResult",
    "RateBudget",
    "RateLimited",
    "RemoteProfile",
    "ReplayCache",
    "ReplyRequest",
    "ReplyResult",
    "SsoContext",
    "SsoRefused",
    "SsoStart",
    "StepOutcome",
    "TokenSet",
    "TransientError",
    "UncertainOutcome",
    "UserDirectory",
    "VariantDraft",
    "hookimpl",
    "record_inbound_event",
    "tenant_plugin_settings",
    "utcnow",
]
