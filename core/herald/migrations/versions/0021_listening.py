"""listening: queries, cursors, budgets, hashtag uses, hits stored once and their links to queries

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 00:00:00

The volume view counts a query's hits per bucket and sentiment label: the link table carries
the hit's created_at and sentiment_label, and ix_listening_hit_queries_volume (query_id,
created_at, sentiment_label) answers it from the index alone.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import herald.db.base

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('listening_queries',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('org_unit_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('exclusions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('ast', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('networks', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('account_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('owner_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('cadence_s', sa.Integer(), nullable=False),
    sa.Column('compiled', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('next_run_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_run_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('lease_owner', sa.String(length=120), nullable=True),
    sa.Column('lease_expires_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('alert_state', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_listening_queries_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_listening_queries_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listening_queries'))
    )
    op.create_index('ix_listening_queries_due', 'listening_queries', ['enabled', 'next_run_at'], unique=False)
    op.create_index('ix_listening_queries_tenant', 'listening_queries', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_table('listening_budgets',
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('limit', sa.Integer(), nullable=True),
    sa.Column('remaining', sa.Integer(), nullable=True),
    sa.Column('reset_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paused_until', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['social_accounts.id'], name=op.f('fk_listening_budgets_account_id_social_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_listening_budgets_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_listening_budgets'))
    )
    op.create_table('listening_cursors',
    sa.Column('query_id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('network', sa.String(length=32), nullable=False),
    sa.Column('cursor', sa.String(length=4000), nullable=True),
    sa.Column('last_run_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('consecutive_errors', sa.Integer(), nullable=False),
    sa.Column('not_before', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['social_accounts.id'], name=op.f('fk_listening_cursors_account_id_social_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['query_id'], ['listening_queries.id'], name=op.f('fk_listening_cursors_query_id_listening_queries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_listening_cursors_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('query_id', 'account_id', name=op.f('pk_listening_cursors'))
    )
    op.create_table('listening_hits',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('network', sa.String(length=32), nullable=False),
    sa.Column('remote_id', sa.String(length=200), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=True),
    sa.Column('author_remote_id', sa.String(length=200), nullable=True),
    sa.Column('author_handle', sa.String(length=200), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=True),
    sa.Column('author_followers', sa.Integer(), nullable=True),
    sa.Column('author_verified', sa.Boolean(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('enrichment', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('sentiment', sa.Float(), nullable=True),
    sa.Column('sentiment_label', sa.String(length=16), nullable=True),
    sa.Column('intent', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['social_accounts.id'], name=op.f('fk_listening_hits_account_id_social_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_listening_hits_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listening_hits')),
    sa.UniqueConstraint('tenant_id', 'network', 'remote_id', name='uq_listening_hits_remote')
    )
    op.create_index('ix_listening_hits_tenant_created', 'listening_hits', ['tenant_id', 'created_at'], unique=False)
    op.create_table('listening_term_uses',
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('network', sa.String(length=32), nullable=False),
    sa.Column('window_started_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['social_accounts.id'], name=op.f('fk_listening_term_uses_account_id_social_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_listening_term_uses_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'term', name=op.f('pk_listening_term_uses'))
    )
    op.create_table('listening_hit_queries',
    sa.Column('query_id', sa.String(length=32), nullable=False),
    sa.Column('hit_id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sentiment_label', sa.String(length=16), nullable=True),
    sa.Column('found_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hit_id'], ['listening_hits.id'], name=op.f('fk_listening_hit_queries_hit_id_listening_hits'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['query_id'], ['listening_queries.id'], name=op.f('fk_listening_hit_queries_query_id_listening_queries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_listening_hit_queries_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('query_id', 'hit_id', name=op.f('pk_listening_hit_queries'))
    )
    op.create_index('ix_listening_hit_queries_hit', 'listening_hit_queries', ['hit_id'], unique=False)
    op.create_index('ix_listening_hit_queries_volume', 'listening_hit_queries', ['query_id', 'created_at', 'sentiment_label'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_listening_hit_queries_volume', table_name='listening_hit_queries')
    op.drop_index('ix_listening_hit_queries_hit', table_name='listening_hit_queries')
    op.drop_table('listening_hit_queries')
    op.drop_table('listening_term_uses')
    op.drop_index('ix_listening_hits_tenant_created', table_name='listening_hits')
    op.drop_table('listening_hits')
    op.drop_table('listening_cursors')
    op.drop_table('listening_budgets')
    op.drop_index('ix_listening_queries_tenant', table_name='listening_queries')
    op.drop_index('ix_listening_queries_due', table_name='listening_queries')
    op.drop_table('listening_queries')
