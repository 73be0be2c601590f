"""the CRM outbox (records on their way to a CRM sink, kept as the sync log) and CRM connections

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 21:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import herald.db.base

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
WHEN = herald.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('crm_outbox',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('sink', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('conversation_id', sa.String(length=32), nullable=True),
    sa.Column('fields', JSON, nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', WHEN, nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('crm_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', WHEN, nullable=False),
    sa.Column('updated_at', WHEN, nullable=False),
    sa.Column('sent_at', WHEN, nullable=True),
    sa.Column('case_number', sa.String(length=64), nullable=True),
    sa.Column('case_status', sa.String(length=120), nullable=True),
    sa.Column('case_owner', sa.String(length=200), nullable=True),
    sa.Column('case_checked_at', WHEN, nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_crm_outbox_tenant_id_tenants'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversation_id'], ['inbox_conversations.id'],
                            name=op.f('fk_crm_outbox_conversation_id_inbox_conversations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_outbox')),
    sa.UniqueConstraint('tenant_id', 'sink', 'idempotency_key', name='uq_crm_outbox_key')
    )
    with op.batch_alter_table('crm_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_crm_outbox_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_crm_outbox_tenant_created', ['tenant_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_crm_outbox_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('crm_connections',
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('sink', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('paused_until', WHEN, nullable=True),
    sa.Column('changed_at', WHEN, nullable=False),
    sa.Column('last_read_back_at', WHEN, nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_crm_connections_tenant_id_tenants'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'sink', name=op.f('pk_crm_connections'))
    )


def downgrade() -> None:
    op.drop_table('crm_connections')
    with op.batch_alter_table('crm_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crm_outbox_conversation_id'))
        batch_op.drop_index('ix_crm_outbox_tenant_created')
        batch_op.drop_index('ix_crm_outbox_due')
    op.drop_table('crm_outbox')
