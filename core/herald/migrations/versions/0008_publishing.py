"""publishing: schedules, publications, attempts, account tokens and rate-limit state, heartbeats

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import herald.db.base

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('heartbeats',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('started_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('beat_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('info', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_heartbeats'))
    )
    with op.batch_alter_table('heartbeats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_heartbeats_beat_at'), ['beat_at'], unique=False)

    op.create_table('network_sandbox_posts',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('account_remote_id', sa.String(length=200), nullable=False),
    sa.Column('handle', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('media_count', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('marker', sa.String(length=64), nullable=True),
    sa.Column('likes', sa.Integer(), nullable=False),
    sa.Column('views', sa.Integer(), nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_network_sandbox_posts_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_sandbox_posts'))
    )
    with op.batch_alter_table('network_sandbox_posts', schema=None) as batch_op:
        batch_op.create_index('ix_network_sandbox_posts_marker', ['tenant_id', 'marker'], unique=False)
        batch_op.create_index('ix_network_sandbox_posts_tenant_created', ['tenant_id', 'created_at'], unique=False)

    op.create_table('account_credentials',
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('sealed_tokens', sa.Text(), nullable=True),
    sa.Column('token_expires_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('blocked_until', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('blocked_reason', sa.Text(), nullable=True),
    sa.Column('last_refreshed_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reconnect_reason', sa.Text(), nullable=True),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['social_accounts.id'], name=op.f('fk_account_credentials_account_id_social_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_account_credentials_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_account_credentials'))
    )
    with op.batch_alter_table('account_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_credentials_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('connect_flows',
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('code_verifier', sa.String(length=128), nullable=False),
    sa.Column('redirect_uri', sa.String(length=2000), nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['social_accounts.id'], name=op.f('fk_connect_flows_account_id_social_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_connect_flows_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('state', name=op.f('pk_connect_flows'))
    )
    with op.batch_alter_table('connect_flows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_connect_flows_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('posting_slots',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('local_time', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['social_accounts.id'], name=op.f('fk_posting_slots_account_id_social_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_posting_slots_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posting_slots')),
    sa.UniqueConstraint('account_id', 'weekday', 'local_time', name=op.f('uq_posting_slots_account_id'))
    )
    with op.batch_alter_table('posting_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posting_slots_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posting_slots_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('publications',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('post_id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('network', sa.String(length=32), nullable=False),
    sa.Column('variant_key', sa.String(length=80), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('scheduled_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('local_time', sa.String(length=32), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('due_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_token', sa.String(length=40), nullable=True),
    sa.Column('lease_owner', sa.String(length=120), nullable=True),
    sa.Column('lease_expires_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dispatched_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempt_count', sa.Integer(), nullable=False),
    sa.Column('transient_failures', sa.Integer(), nullable=False),
    sa.Column('uncertain_since', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('remote_id', sa.String(length=200), nullable=True),
    sa.Column('remote_url', sa.String(length=2000), nullable=True),
    sa.Column('extra_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_code', sa.String(length=100), nullable=True),
    sa.Column('published_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['social_accounts.id'], name=op.f('fk_publications_account_id_social_accounts')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_publications_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_publications_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('post_id', 'account_id', 'variant_key', name='uq_publications_post_account_variant')
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index('ix_publications_account_time', ['account_id', 'scheduled_at'], unique=False)
        batch_op.create_index('ix_publications_lease', ['state', 'lease_expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_publications_post_id'), ['post_id'], unique=False)
        batch_op.create_index('ix_publications_state_due', ['state', 'due_at'], unique=False)
        batch_op.create_index('ix_publications_tenant_time', ['tenant_id', 'scheduled_at'], unique=False)

    op.create_table('publication_attempts',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('publication_id', sa.String(length=32), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('worker', sa.String(length=120), nullable=True),
    sa.Column('started_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('error_code', sa.String(length=100), nullable=True),
    sa.Column('remote_id', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_publication_attempts_publication_id_publications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_attempts')),
    sa.UniqueConstraint('publication_id', 'number', name=op.f('uq_publication_attempts_publication_id'))
    )
    with op.batch_alter_table('publication_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_attempts_publication_id'), ['publication_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('publication_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_attempts_publication_id'))

    op.drop_table('publication_attempts')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index('ix_publications_tenant_time')
        batch_op.drop_index('ix_publications_state_due')
        batch_op.drop_index(batch_op.f('ix_publications_post_id'))
        batch_op.drop_index('ix_publications_lease')
        batch_op.drop_index('ix_publications_account_time')

    op.drop_table('publications')
    with op.batch_alter_table('posting_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posting_slots_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_posting_slots_account_id'))

    op.drop_table('posting_slots')
    with op.batch_alter_table('connect_flows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_connect_flows_tenant_id'))

    op.drop_table('connect_flows')
    with op.batch_alter_table('account_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_credentials_tenant_id'))

    op.drop_table('account_credentials')
    with op.batch_alter_table('network_sandbox_posts', schema=None) as batch_op:
        batch_op.drop_index('ix_network_sandbox_posts_tenant_created')
        batch_op.drop_index('ix_network_sandbox_posts_marker')

    op.drop_table('network_sandbox_posts')
    with op.batch_alter_table('heartbeats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_heartbeats_beat_at'))

    op.drop_table('heartbeats')
