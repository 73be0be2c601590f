"""inbox: routing waits for the enrichers

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 00:30:00

When a tenant has enrichers, a new conversation is routed once its item has been enriched (so
that rules can use language, sentiment and intent), not in the transaction that stored it.
``routing_pending_since`` marks the conversations that wait; the inbox sweep routes any that
waited too long without enrichment. ``inbox_items.enriched_at`` says when an item's
annotations were written (None: not yet, or no enricher).
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

WHEN = herald.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column('inbox_conversations', sa.Column('routing_pending_since', WHEN, nullable=True))
    op.create_index('ix_inbox_conversations_routing_pending', 'inbox_conversations', ['routing_pending_since'])
    op.add_column('inbox_items', sa.Column('enriched_at', WHEN, nullable=True))


def downgrade() -> None:
    op.drop_column('inbox_items', 'enriched_at')
    op.drop_index('ix_inbox_conversations_routing_pending', table_name='inbox_conversations')
    op.drop_column('inbox_conversations', 'routing_pending_since')
