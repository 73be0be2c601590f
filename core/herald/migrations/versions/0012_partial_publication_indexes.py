"""publications: partial indexes over the publications still in flight

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

WAITING = "state = 'scheduled'"
IN_FLIGHT = "state = 'publishing'"
QUEUED = "state = 'publishing' AND lease_owner LIKE 'dispatch:%'"


def upgrade() -> None:
    # The scheduler's claim, recovery and back-pressure read only publications in flight. Indexes
    # over just those stay small however long the history grows, and a publication that comes to
    # rest (published, failed…) leaves them instead of adding entries to every one of them.
    op.drop_index('ix_publications_state_due', table_name='publications')
    op.drop_index('ix_publications_lease', table_name='publications')
    op.create_index('ix_publications_due', 'publications', ['due_at'],
                    postgresql_where=sa.text(WAITING), sqlite_where=sa.text(WAITING))
    op.create_index('ix_publications_lease', 'publications', ['lease_expires_at'],
                    postgresql_where=sa.text(IN_FLIGHT), sqlite_where=sa.text(IN_FLIGHT))
    op.create_index('ix_publications_queued', 'publications', ['lease_owner'],
                    postgresql_where=sa.text(QUEUED), sqlite_where=sa.text(QUEUED))


def downgrade() -> None:
    op.drop_index('ix_publications_queued', table_name='publications')
    op.drop_index('ix_publications_lease', table_name='publications')
    op.drop_index('ix_publications_due', table_name='publications')
    op.create_index('ix_publications_lease', 'publications', ['state', 'lease_expires_at'])
    op.create_index('ix_publications_state_due', 'publications', ['state', 'due_at'])
