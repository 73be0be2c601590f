"""keyed audit chain: each event names the instance key whose HMAC its hash is

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 08:30:00

Existing events keep key_id NULL: they are legacy events whose hash is plain SHA-256, and
``herald audit verify`` checks and reports them as such.
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=32), nullable=True))


def downgrade() -> None:
    # a plain ALTER (SQLite 3.35+ has it): a batch table copy would lose the append-only triggers
    op.execute('ALTER TABLE audit_events DROP COLUMN key_id')
