"""governed replies: inbox settings (which replies need approval) and the purpose of a post

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 14:10:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import herald.db.base

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbox_settings',
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('approval_accounts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('approval_account_labels', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('approval_tags', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inbox_settings_tenant_id_tenants'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_inbox_settings'))
    )
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=16), server_default='post', nullable=False))
    with op.batch_alter_table('inbox_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_replies_approval_post_id'), ['approval_post_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inbox_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_replies_approval_post_id'))
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('purpose')
    op.drop_table('inbox_settings')
