"""publications: a partial index over those dispatched and not yet taken by a worker

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

QUEUED = "state = 'publishing' AND lease_owner LIKE 'dispatch:%'"


def upgrade() -> None:
    # The scheduler counts these before every claim (back-pressure): with the index the count
    # reads at most the queue's worth of rows, however many publications are in flight.
    op.create_index('ix_publications_queued', 'publications', ['lease_owner'],
                    postgresql_where=sa.text(QUEUED), sqlite_where=sa.text(QUEUED))


def downgrade() -> None:
    op.drop_index('ix_publications_queued', table_name='publications')
