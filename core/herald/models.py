"""Imports every area's models so that the metadata is complete (Alembic, tests)."""

from herald.approvals.models import ApprovalDecision, ApprovalRun, ExternalReview, Workflow, WorkflowRule
from herald.audit.models import AuditChain, AuditEvent
from herald.auth.models import (
    BrowserSession,
    ReplayEntry,
    SignInFailure,
    SsoGroupMapping,
    SsoLink,
    SsoState,
    TenantIdentityPolicy,
    TotpFactor,
    UserLink,
)
from herald.builtin.network_sandbox import SandboxPost
from herald.builtin.network_sandbox_models import SandboxAccountState, SandboxEngagement
from herald.content.models import Post, PostComment, PostVersion
from herald.crm.models import CrmConnection, CrmOutboxRecord
from herald.events.models import OutboxEvent
from herald.inbox.models import (
    AuthorNote,
    Conversation,
    InboxAuthor,
    InboxItem,
    InboxReply,
    PollState,
    RoutingRule,
    SavedReply,
    SavedView,
    SlaOutcome,
    SlaPolicy,
    Team,
    TeamMember,
    TimelineEntry,
)
from herald.library.models import Asset
from herald.notifications.models import InAppNotification, NotificationPreference
from herald.people.models import ApiToken, CustomRole, Grant, User
from herald.plugin_host.models import TenantPlugin
from herald.publishing.models import (
    AccountCredential,
    ConnectFlow,
    Heartbeat,
    PostingSlot,
    Publication,
    PublicationAttempt,
)
from herald.tenancy.models import OrgUnit, SocialAccount, Tenant

__all__ = [
    "AccountCredential",
    "ApiToken",
    "ApprovalDecision",
    "ApprovalRun",
    "Asset",
    "AuditChain",
    "AuditEvent",
    "AuthorNote",
    "BrowserSession",
    "ConnectFlow",
    "Conversation",
    "CrmConnection",
    "CrmOutboxRecord",
    "CustomRole",
    "ExternalReview",
    "Grant",
    "Heartbeat",
    "InAppNotification",
    "InboxAuthor",
    "InboxItem",
    "InboxReply",
    "NotificationPreference",
    "OrgUnit",
    "OutboxEvent",
    "PollState",
    "Post",
    "PostComment",
    "PostVersion",
    "PostingSlot",
    "Publication",
    "PublicationAttempt",
    "ReplayEntry",
    "RoutingRule",
    "SandboxAccountState",
    "SandboxEngagement",
    "SandboxPost",
    "SavedReply",
    "SavedView",
    "SignInFailure",
    "SlaOutcome",
    "SlaPolicy",
    "SocialAccount",
    "SsoGroupMapping",
    "SsoLink",
    "SsoState",
    "Team",
    "TeamMember",
    "Tenant",
    "TenantIdentityPolicy",
    "TenantPlugin",
    "TimelineEntry",
    "TotpFactor",
    "User",
    "UserLink",
    "Workflow",
    "WorkflowRule",
]
