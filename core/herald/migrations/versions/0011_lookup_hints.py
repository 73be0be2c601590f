"""publications.lookup_hints: what uncertain attempts told the connector's lookup

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The server default fills the rows that exist already (an empty JSON object on both
    # PostgreSQL's JSONB and SQLite's JSON-as-text).
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'lookup_hints', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'),
            server_default=sa.text("'{}'"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_column('lookup_hints')
