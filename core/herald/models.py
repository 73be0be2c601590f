"""Imports every area's models so that the metadata is complete (Alembic, tests)."""

from herald.approvals.models import Workflow
from herald.audit.models import AuditChain, AuditEvent
from herald.builtin.network_sandbox import SandboxPost
from herald.content.models import Post, PostComment, PostVersion
from herald.events.models import OutboxEvent
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
    "AccountCredential", "ApiToken", "AuditChain", "AuditEvent", "ConnectFlow", "CustomRole", "Grant",
    "Heartbeat", "InAppNotification", "OrgUnit", "OutboxEvent", "Post", "PostComment", "PostVersion",
    "PostingSlot", "Publication", "PublicationAttempt", "SandboxPost", "SocialAccount", "Tenant",
    "TenantPlugin", "User", "Workflow",
]
