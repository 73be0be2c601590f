"""inbox: authors, conversations, items, timeline, polling, teams, SLAs, routing rules, saved replies and views, replies

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 21:00:19.766042
"""

import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import herald.db.base

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbox_authors',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('network', sa.String(length=32), nullable=False),
    sa.Column('remote_id', sa.String(length=200), nullable=False),
    sa.Column('handle', sa.String(length=200), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('followers', sa.Integer(), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('tags', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('spam', sa.Boolean(), nullable=False),
    sa.Column('first_seen_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('erased_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inbox_authors_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_authors')),
    sa.UniqueConstraint('tenant_id', 'network', 'remote_id', name='uq_inbox_authors_remote')
    )
    op.create_table('inbox_saved_replies',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inbox_saved_replies_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_saved_replies'))
    )
    op.create_index(op.f('ix_inbox_saved_replies_tenant_id'), 'inbox_saved_replies', ['tenant_id'], unique=False)
    op.create_table('inbox_saved_views',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('filters', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inbox_saved_views_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_saved_views'))
    )
    op.create_index(op.f('ix_inbox_saved_views_tenant_id'), 'inbox_saved_views', ['tenant_id'], unique=False)
    op.create_table('inbox_teams',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('unit_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('business_hours', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('holidays', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('assignment', sa.String(length=16), nullable=False),
    sa.Column('last_assigned_user_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inbox_teams_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_teams')),
    sa.UniqueConstraint('tenant_id', 'name', name='uq_inbox_teams_name')
    )
    op.create_index(op.f('ix_inbox_teams_tenant_id'), 'inbox_teams', ['tenant_id'], unique=False)
    op.create_table('inbox_author_notes',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('author_id', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['inbox_authors.id'], name=op.f('fk_inbox_author_notes_author_id_inbox_authors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inbox_author_notes_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_author_notes'))
    )
    op.create_index(op.f('ix_inbox_author_notes_author_id'), 'inbox_author_notes', ['author_id'], unique=False)
    op.create_table('inbox_routing_rules',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('org_unit_id', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('definition', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_inbox_routing_rules_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inbox_routing_rules_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_routing_rules'))
    )
    op.create_index('ix_inbox_routing_rules_order', 'inbox_routing_rules', ['tenant_id', 'position'], unique=False)
    op.create_table('inbox_sla_policies',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=True),
    sa.Column('priority', sa.String(length=16), nullable=True),
    sa.Column('first_response_s', sa.Integer(), nullable=True),
    sa.Column('resolution_s', sa.Integer(), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['inbox_teams.id'], name=op.f('fk_inbox_sla_policies_team_id_inbox_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inbox_sla_policies_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_sla_policies'))
    )
    op.create_index(op.f('ix_inbox_sla_policies_tenant_id'), 'inbox_sla_policies', ['tenant_id'], unique=False)
    op.create_table('inbox_team_members',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('away', sa.Boolean(), nullable=False),
    sa.Column('away_until', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('added_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['inbox_teams.id'], name=op.f('fk_inbox_team_members_team_id_inbox_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inbox_team_members_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_inbox_team_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'user_id', name=op.f('pk_inbox_team_members'))
    )
    op.create_table('inbox_conversations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('network', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('thread_key', sa.String(length=300), nullable=False),
    sa.Column('author_id', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=True),
    sa.Column('assignee_id', sa.String(length=32), nullable=True),
    sa.Column('tags', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('sentiment', sa.Float(), nullable=True),
    sa.Column('intent', sa.String(length=64), nullable=True),
    sa.Column('preview', sa.String(length=300), nullable=False),
    sa.Column('snoozed_until', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('first_inbound_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_inbound_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_message_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('routing', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('sla_policy_id', sa.String(length=32), nullable=True),
    sa.Column('sla_cycle', sa.Integer(), nullable=False),
    sa.Column('sla_started_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_response_due_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_responded_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolution_due_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sla_due_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('urgency_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sla_state', sa.String(length=16), nullable=False),
    sa.Column('sla_check_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sla_pauses', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('resolved_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('replying_user_id', sa.String(length=32), nullable=True),
    sa.Column('replying_until', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['social_accounts.id'], name=op.f('fk_inbox_conversations_account_id_social_accounts')),
    sa.ForeignKeyConstraint(['author_id'], ['inbox_authors.id'], name=op.f('fk_inbox_conversations_author_id_inbox_authors')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inbox_conversations_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_conversations')),
    sa.UniqueConstraint('tenant_id', 'account_id', 'thread_key', name='uq_inbox_conversations_thread')
    )
    op.create_index('ix_inbox_conversations_account', 'inbox_conversations', ['account_id', 'status', 'last_message_at'], unique=False)
    op.create_index('ix_inbox_conversations_assignee', 'inbox_conversations', ['tenant_id', 'assignee_id', 'status'], unique=False)
    op.create_index('ix_inbox_conversations_author', 'inbox_conversations', ['author_id'], unique=False)
    op.create_index('ix_inbox_conversations_newest', 'inbox_conversations', ['tenant_id', 'status', 'last_message_at', 'id'], unique=False)
    op.create_index('ix_inbox_conversations_sla_check', 'inbox_conversations', ['sla_check_at'], unique=False)
    op.create_index('ix_inbox_conversations_snoozed', 'inbox_conversations', ['snoozed_until'], unique=False)
    op.create_index('ix_inbox_conversations_team', 'inbox_conversations', ['tenant_id', 'team_id', 'status'], unique=False)
    op.create_index('ix_inbox_conversations_urgent', 'inbox_conversations', ['tenant_id', 'status', 'urgency_at', 'id'], unique=False)
    op.create_table('inbox_poll_states',
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('stream', sa.String(length=16), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('cursor', sa.String(length=500), nullable=True),
    sa.Column('next_poll_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_polled_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_owner', sa.String(length=120), nullable=True),
    sa.Column('lease_expires_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('budget_limit', sa.Integer(), nullable=True),
    sa.Column('budget_remaining', sa.Integer(), nullable=True),
    sa.Column('budget_reset_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('consecutive_errors', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('unsupported', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['social_accounts.id'], name=op.f('fk_inbox_poll_states_account_id_social_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inbox_poll_states_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'stream', name=op.f('pk_inbox_poll_states'))
    )
    op.create_index('ix_inbox_poll_states_next', 'inbox_poll_states', ['next_poll_at'], unique=False)
    op.create_table('inbox_items',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('conversation_id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('network', sa.String(length=32), nullable=False),
    sa.Column('remote_id', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('direction', sa.String(length=16), nullable=False),
    sa.Column('author_id', sa.String(length=32), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('in_reply_to', sa.String(length=200), nullable=True),
    sa.Column('root_id', sa.String(length=200), nullable=True),
    sa.Column('thread_id', sa.String(length=200), nullable=True),
    sa.Column('media', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('enrichment', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('edited_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reply_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['social_accounts.id'], name=op.f('fk_inbox_items_account_id_social_accounts')),
    sa.ForeignKeyConstraint(['author_id'], ['inbox_authors.id'], name=op.f('fk_inbox_items_author_id_inbox_authors')),
    sa.ForeignKeyConstraint(['conversation_id'], ['inbox_conversations.id'], name=op.f('fk_inbox_items_conversation_id_inbox_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inbox_items_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_items')),
    sa.UniqueConstraint('tenant_id', 'network', 'account_id', 'remote_id', name='uq_inbox_items_remote')
    )
    op.create_index('ix_inbox_items_author', 'inbox_items', ['author_id', 'created_at'], unique=False)
    op.create_index('ix_inbox_items_conversation', 'inbox_items', ['conversation_id', 'created_at'], unique=False)
    op.create_table('inbox_replies',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('conversation_id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('in_reply_to', sa.String(length=200), nullable=True),
    sa.Column('private', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('author_user_id', sa.String(length=32), nullable=False),
    sa.Column('approval_post_id', sa.String(length=32), nullable=True),
    sa.Column('due_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_token', sa.String(length=40), nullable=True),
    sa.Column('lease_expires_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempt_count', sa.Integer(), nullable=False),
    sa.Column('uncertain_since', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lookup_hints', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('remote_id', sa.String(length=200), nullable=True),
    sa.Column('remote_url', sa.String(length=2000), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['social_accounts.id'], name=op.f('fk_inbox_replies_account_id_social_accounts')),
    sa.ForeignKeyConstraint(['conversation_id'], ['inbox_conversations.id'], name=op.f('fk_inbox_replies_conversation_id_inbox_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inbox_replies_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_replies'))
    )
    op.create_index('ix_inbox_replies_conversation', 'inbox_replies', ['conversation_id', 'created_at'], unique=False)
    op.create_index('ix_inbox_replies_state', 'inbox_replies', ['state', 'due_at'], unique=False)
    op.create_table('inbox_sla_outcomes',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('conversation_id', sa.String(length=32), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=True),
    sa.Column('policy_id', sa.String(length=32), nullable=True),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('metric', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('due_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('business_seconds', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['inbox_conversations.id'], name=op.f('fk_inbox_sla_outcomes_conversation_id_inbox_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inbox_sla_outcomes_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_sla_outcomes')),
    sa.UniqueConstraint('conversation_id', 'cycle', 'metric', 'outcome', name='uq_inbox_sla_outcomes_cycle')
    )
    op.create_index('ix_inbox_sla_outcomes_team_time', 'inbox_sla_outcomes', ['tenant_id', 'team_id', 'at'], unique=False)
    op.create_table('inbox_timeline',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('conversation_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.String(length=32), nullable=True),
    sa.Column('item_id', sa.String(length=32), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['inbox_conversations.id'], name=op.f('fk_inbox_timeline_conversation_id_inbox_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inbox_timeline_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_timeline'))
    )
    op.create_index('ix_inbox_timeline_conversation', 'inbox_timeline', ['conversation_id', 'at'], unique=False)
    _rename_inbox_permissions({"inbox.view": ["inbox.read"], "inbox.respond": ["inbox.reply", "inbox.assign"]})


def _rename_inbox_permissions(renames: dict[str, list[str]]) -> None:
    # Custom roles composed before the inbox existed keep what they allowed, under the new names.
    roles = sa.table("custom_roles", sa.column("id", sa.String), sa.column("permissions", sa.JSON))
    conn = op.get_bind()
    for role_id, permissions in conn.execute(sa.select(roles.c.id, roles.c.permissions)).all():
        if isinstance(permissions, str):

            permissions = json.loads(permissions)
        renamed: list[str] = []
        for code in permissions or []:
            for new in renames.get(code, [code]):
                if new not in renamed:
                    renamed.append(new)
        if renamed != permissions:
            conn.execute(roles.update().where(roles.c.id == role_id).values(permissions=renamed))


def downgrade() -> None:
    _rename_inbox_permissions({"inbox.read": ["inbox.view"], "inbox.reply": ["inbox.respond"],
                               "inbox.assign": ["inbox.respond"], "inbox.admin": []})
    op.drop_index('ix_inbox_timeline_conversation', table_name='inbox_timeline')
    op.drop_table('inbox_timeline')
    op.drop_index('ix_inbox_sla_outcomes_team_time', table_name='inbox_sla_outcomes')
    op.drop_table('inbox_sla_outcomes')
    op.drop_index('ix_inbox_replies_state', table_name='inbox_replies')
    op.drop_index('ix_inbox_replies_conversation', table_name='inbox_replies')
    op.drop_table('inbox_replies')
    op.drop_index('ix_inbox_items_conversation', table_name='inbox_items')
    op.drop_index('ix_inbox_items_author', table_name='inbox_items')
    op.drop_table('inbox_items')
    op.drop_index('ix_inbox_poll_states_next', table_name='inbox_poll_states')
    op.drop_table('inbox_poll_states')
    op.drop_index('ix_inbox_conversations_urgent', table_name='inbox_conversations')
    op.drop_index('ix_inbox_conversations_team', table_name='inbox_conversations')
    op.drop_index('ix_inbox_conversations_snoozed', table_name='inbox_conversations')
    op.drop_index('ix_inbox_conversations_sla_check', table_name='inbox_conversations')
    op.drop_index('ix_inbox_conversations_newest', table_name='inbox_conversations')
    op.drop_index('ix_inbox_conversations_author', table_name='inbox_conversations')
    op.drop_index('ix_inbox_conversations_assignee', table_name='inbox_conversations')
    op.drop_index('ix_inbox_conversations_account', table_name='inbox_conversations')
    op.drop_table('inbox_conversations')
    op.drop_table('inbox_team_members')
    op.drop_index(op.f('ix_inbox_sla_policies_tenant_id'), table_name='inbox_sla_policies')
    op.drop_table('inbox_sla_policies')
    op.drop_index('ix_inbox_routing_rules_order', table_name='inbox_routing_rules')
    op.drop_table('inbox_routing_rules')
    op.drop_index(op.f('ix_inbox_author_notes_author_id'), table_name='inbox_author_notes')
    op.drop_table('inbox_author_notes')
    op.drop_index(op.f('ix_inbox_teams_tenant_id'), table_name='inbox_teams')
    op.drop_table('inbox_teams')
    op.drop_index(op.f('ix_inbox_saved_views_tenant_id'), table_name='inbox_saved_views')
    op.drop_table('inbox_saved_views')
    op.drop_index(op.f('ix_inbox_saved_replies_tenant_id'), table_name='inbox_saved_replies')
    op.drop_table('inbox_saved_replies')
    op.drop_table('inbox_authors')
