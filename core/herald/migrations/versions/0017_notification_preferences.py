"""notification preferences per person, kind and channel; an index over unread notifications

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 11:15:00
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

UNREAD = "read_at IS NULL"


def upgrade() -> None:
    op.create_table('notification_preferences',
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=100), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_notification_preferences_tenant_id_tenants'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', 'channel', name=op.f('pk_notification_preferences'))
    )
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_preferences_tenant_id'), ['tenant_id'], unique=False)
    # The console's header counts a person's unread notifications on every page.
    op.create_index('ix_inapp_notifications_unread', 'inapp_notifications', ['recipient_id'],
                    postgresql_where=sa.text(UNREAD), sqlite_where=sa.text(UNREAD))


def downgrade() -> None:
    op.drop_index('ix_inapp_notifications_unread', table_name='inapp_notifications')
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_preferences_tenant_id'))
    op.drop_table('notification_preferences')
