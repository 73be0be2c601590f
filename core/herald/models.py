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
from herald.content.models import Post, PostComment, PostVersion
from herald.events.models import OutboxEvent
from herald.library.models import Asset
from herald.notifications.models import InAppNotification
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
    "BrowserSession",
    "ConnectFlow",
    "CustomRole",
    "ExternalReview",
    "Grant",
    "Heartbeat",
    "InAppNotification",
    "OrgUnit",
    "OutboxEvent",
    "Post",
    "PostComment",
    "PostVersion",
    "PostingSlot",
    "Publication",
    "PublicationAttempt",
    "ReplayEntry",
    "SandboxPost",
    "SignInFailure",
    "SocialAccount",
    "SsoGroupMapping",
    "SsoLink",
    "SsoState",
    "Tenant",
    "TenantIdentityPolicy",
    "TenantPlugin",
    "TotpFactor",
    "User",
    "UserLink",
    "Workflow",
    "WorkflowRule",
]
