"""sandbox network: customers' engagement (mentions, comments, direct messages) and each account's bookkeeping

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 21:39:49.667108
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('network_sandbox_account_states',
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('account_remote_id', sa.String(length=200), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('simulated_until', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reads_window_start', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('mention_reads', sa.Integer(), nullable=False),
    sa.Column('dm_reads', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_network_sandbox_account_states_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'account_remote_id', name=op.f('pk_network_sandbox_account_states'))
    )
    op.create_table('network_sandbox_engagements',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('account_remote_id', sa.String(length=200), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('direction', sa.String(length=16), nullable=False),
    sa.Column('remote_id', sa.String(length=64), nullable=False),
    sa.Column('thread_id', sa.String(length=200), nullable=False),
    sa.Column('in_reply_to', sa.String(length=200), nullable=True),
    sa.Column('root_id', sa.String(length=200), nullable=True),
    sa.Column('author_remote_id', sa.String(length=200), nullable=False),
    sa.Column('author_handle', sa.String(length=200), nullable=False),
    sa.Column('author_display_name', sa.String(length=200), nullable=False),
    sa.Column('author_followers', sa.Integer(), nullable=True),
    sa.Column('author_verified', sa.Boolean(), nullable=True),
    sa.Column('author_language', sa.String(length=16), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('edited_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('marker', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_network_sandbox_engagements_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_sandbox_engagements')),
    sa.UniqueConstraint('tenant_id', 'account_remote_id', 'remote_id', name='uq_network_sandbox_engagements_remote'),
    sa.UniqueConstraint('tenant_id', 'account_remote_id', 'seq', name='uq_network_sandbox_engagements_seq')
    )
    with op.batch_alter_table('network_sandbox_engagements', schema=None) as batch_op:
        batch_op.create_index('ix_network_sandbox_engagements_marker', ['tenant_id', 'marker'], unique=False)
        batch_op.create_index('ix_network_sandbox_engagements_thread', ['tenant_id', 'account_remote_id', 'thread_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('network_sandbox_engagements', schema=None) as batch_op:
        batch_op.drop_index('ix_network_sandbox_engagements_thread')
        batch_op.drop_index('ix_network_sandbox_engagements_marker')

    op.drop_table('network_sandbox_engagements')
    op.drop_table('network_sandbox_account_states')
