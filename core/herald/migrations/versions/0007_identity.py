"""identity: browser sessions, scoped and service tokens, SSO links and group mappings

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import herald.db.base

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('replay_entries',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('expires_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_replay_entries'))
    )
    with op.batch_alter_table('replay_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replay_entries_expires_at'), ['expires_at'], unique=False)

    op.create_table('sign_in_failures',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failures'))
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_failures_scope_key_at', ['scope', 'key', 'at'], unique=False)

    op.create_table('sso_states',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('state', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('relay', sa.String(length=2000), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_sso_states_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_states'))
    )
    with op.batch_alter_table('sso_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_states_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('tenant_identity_policies',
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('sso_enforced', sa.Boolean(), nullable=False),
    sa.Column('break_glass_user_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_tenant_identity_policies_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_tenant_identity_policies'))
    )
    op.create_table('browser_sessions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=True),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('via', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=300), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=32), nullable=True),
    sa.Column('sso_provider', sa.String(length=64), nullable=True),
    sa.Column('sso_subject', sa.String(length=500), nullable=True),
    sa.Column('sso_session_index', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_browser_sessions_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_browser_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_browser_sessions'))
    )
    with op.batch_alter_table('browser_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_browser_sessions_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_browser_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('sso_group_mappings',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('group_name', sa.String(length=500), nullable=False),
    sa.Column('role_key', sa.String(length=64), nullable=False),
    sa.Column('org_unit_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_sso_group_mappings_org_unit_id_org_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_sso_group_mappings_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_group_mappings')),
    sa.UniqueConstraint('tenant_id', 'provider', 'group_name', 'role_key', 'org_unit_id', name=op.f('uq_sso_group_mappings_tenant_id'))
    )
    with op.batch_alter_table('sso_group_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_group_mappings_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('sso_links',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_sign_in_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_sso_links_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sso_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_links')),
    sa.UniqueConstraint('tenant_id', 'provider', 'subject', name=op.f('uq_sso_links_tenant_id'))
    )
    with op.batch_alter_table('sso_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_links_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sso_links_user_id'), ['user_id'], unique=False)

    op.create_table('totp_factors',
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('confirmed_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recovery_hashes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('last_step', sa.Integer(), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_totp_factors_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_totp_factors'))
    )
    op.create_table('user_links',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_user_links_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_links'))
    )
    with op.batch_alter_table('user_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_links_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_links_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='personal', nullable=False))
        batch_op.add_column(sa.Column('scopes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('last_used_address', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('created_by', sa.String(length=32), nullable=True))

    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=80), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='person', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('kind')

    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.drop_column('source')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('created_by')
        batch_op.drop_column('last_used_address')
        batch_op.drop_column('scopes')
        batch_op.drop_column('kind')

    with op.batch_alter_table('user_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_links_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_links_tenant_id'))

    op.drop_table('user_links')
    op.drop_table('totp_factors')
    with op.batch_alter_table('sso_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_links_user_id'))
        batch_op.drop_index(batch_op.f('ix_sso_links_tenant_id'))

    op.drop_table('sso_links')
    with op.batch_alter_table('sso_group_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_group_mappings_tenant_id'))

    op.drop_table('sso_group_mappings')
    with op.batch_alter_table('browser_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_browser_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_browser_sessions_tenant_id'))

    op.drop_table('browser_sessions')
    op.drop_table('tenant_identity_policies')
    with op.batch_alter_table('sso_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_states_tenant_id'))

    op.drop_table('sso_states')
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_failures_scope_key_at')

    op.drop_table('sign_in_failures')
    with op.batch_alter_table('replay_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_replay_entries_expires_at'))

    op.drop_table('replay_entries')
