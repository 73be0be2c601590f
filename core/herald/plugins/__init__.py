"""The public API for plugin authors. Import from here only; nothing else in Herald is API.

    from herald.plugins import hookimpl, NetworkConnector, Capabilities

A plugin is a module (named by an entry point in the ``herald`` group) that sets
``HERALD_HOOK_API`` and implements hooks from :mod:`herald.hookspecs` with ``@hookimpl``.
"""

from herald.api.json_input import EdgeRefusal as RequestBodyRefused
from herald.api.json_input import loads as read_request_json
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
from herald.crm.sink import CrmCase, CrmRecord, CrmResult, CrmSink
from herald.enrichment.enricher import Enricher
from herald.events.subscriber import Event, EventSubscriber
from herald.hookspecs import HOOK_API_VERSION, hookimpl
from herald.listening.query.ast import And as QueryAnd
from herald.listening.query.ast import Node as QueryNode
from herald.listening.query.ast import Not as QueryNot
from herald.listening.query.ast import Or as QueryOr
from herald.listening.query.ast import Term as QueryTerm
from herald.networks.connector import (
    AuthorProfile,
    Capabilities,
    CompiledQuery,
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
    SearchPage,
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
from herald.notifications.kinds import NotificationKind
from herald.notifications.notifier import Notification, Notifier
from herald.outbound import OutboundPolicy, OutboundRefused, OutboundUrl
from herald.outbound import check_url as check_outbound_url
from herald.outbound import current_policy as outbound_policy
from herald.outbound import http_client as outbound_http_client
from herald.outbound import pin_session as outbound_requests_session
from herald.outbound import refuse_internal as refuse_internal_destination
from herald.outbound import smtp_connection as outbound_smtp_connection
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
    "CompiledQuery",
    "ConnectedAccount",
    "ConsoleExtension",
    "CrmCase",
    "CrmRecord",
    "CrmResult",
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
    "NotificationKind",
    "Notifier",
    "OutboundPolicy",
    "OutboundRefused",
    "OutboundUrl",
    "PermanentError",
    "PluginSettings",
    "Problem",
    "PublishRequest",
    "PublishResult",
    "QueryAnd",
    "QueryNode",
    "QueryNot",
    "QueryOr",
    "QueryTerm",
    "RateBudget",
    "RateLimited",
    "RemoteProfile",
    "ReplayCache",
    "ReplyRequest",
    "ReplyResult",
    "RequestBodyRefused",
    "SearchPage",
    "SsoContext",
    "SsoRefused",
    "SsoStart",
    "StepOutcome",
    "TokenSet",
    "TransientError",
    "UncertainOutcome",
    "UserDirectory",
    "VariantDraft",
    "check_outbound_url",
    "hookimpl",
    "outbound_http_client",
    "outbound_policy",
    "outbound_requests_session",
    "outbound_smtp_connection",
    "read_request_json",
    "record_inbound_event",
    "refuse_internal_destination",
    "tenant_plugin_settings",
    "utcnow",
]
