"""sso session attributes: what a provider needs at sign-out (e.g. an OIDC ID token), sealed

Revision ID: 0010
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('browser_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sso_attributes', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('browser_sessions', schema=None) as batch_op:
        batch_op.drop_column('sso_attributes')
