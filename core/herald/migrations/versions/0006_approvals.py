"""approval runs and decisions, entry rules, external reviews, content library

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import herald.db.base

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assets',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('org_unit_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('mime_type', sa.String(length=100), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('storage_key', sa.String(length=300), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('tags', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('licence', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('expires_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=32), nullable=False),
    sa.Column('decided_by', sa.String(length=32), nullable=True),
    sa.Column('decided_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.String(length=2000), nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_assets_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_assets_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assets'))
    )
    op.create_index('ix_assets_tenant_unit', 'assets', ['tenant_id', 'org_unit_id'], unique=False)
    op.create_table('workflow_rules',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('org_unit_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('conditions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('workflow_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_workflow_rules_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_workflow_rules_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_rules'))
    )
    op.create_index(op.f('ix_workflow_rules_org_unit_id'), 'workflow_rules', ['org_unit_id'], unique=False)
    op.create_index(op.f('ix_workflow_rules_tenant_id'), 'workflow_rules', ['tenant_id'], unique=False)
    op.create_table('approval_runs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('post_id', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('workflow_id', sa.String(length=32), nullable=True),
    sa.Column('workflow_name', sa.String(length=200), nullable=False),
    sa.Column('steps', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('rule_id', sa.String(length=32), nullable=True),
    sa.Column('chosen_because', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('start_step', sa.Integer(), nullable=False),
    sa.Column('current_step', sa.Integer(), nullable=False),
    sa.Column('step_started_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('step_due_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('overdue_handled_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalated_to_role', sa.String(length=64), nullable=True),
    sa.Column('submitted_by', sa.String(length=32), nullable=False),
    sa.Column('started_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_approval_runs_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_approval_runs_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_runs'))
    )
    op.create_index('ix_approval_runs_active', 'approval_runs', ['tenant_id', 'status'], unique=False)
    op.create_index(op.f('ix_approval_runs_post_id'), 'approval_runs', ['post_id'], unique=False)
    op.create_index(op.f('ix_approval_runs_step_due_at'), 'approval_runs', ['step_due_at'], unique=False)
    op.create_table('external_reviews',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('post_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('secret_digest', sa.String(length=64), nullable=False),
    sa.Column('can_decide', sa.Boolean(), nullable=False),
    sa.Column('invited_by', sa.String(length=32), nullable=False),
    sa.Column('expires_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_external_reviews_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_external_reviews_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_reviews')),
    sa.UniqueConstraint('secret_digest', name=op.f('uq_external_reviews_secret_digest'))
    )
    op.create_index(op.f('ix_external_reviews_post_id'), 'external_reviews', ['post_id'], unique=False)
    op.create_index(op.f('ix_external_reviews_tenant_id'), 'external_reviews', ['tenant_id'], unique=False)
    op.create_table('approval_decisions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('run_id', sa.String(length=32), nullable=False),
    sa.Column('post_id', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('step_index', sa.Integer(), nullable=False),
    sa.Column('decider_id', sa.String(length=32), nullable=True),
    sa.Column('external_review_id', sa.String(length=32), nullable=True),
    sa.Column('decider_label', sa.String(length=400), nullable=False),
    sa.Column('decision', sa.String(length=32), nullable=False),
    sa.Column('comment', sa.String(length=5000), nullable=False),
    sa.Column('reasons', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['approval_runs.id'], name=op.f('fk_approval_decisions_run_id_approval_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_decisions'))
    )
    op.create_index(op.f('ix_approval_decisions_post_id'), 'approval_decisions', ['post_id'], unique=False)
    op.create_index(op.f('ix_approval_decisions_run_id'), 'approval_decisions', ['run_id'], unique=False)
    with op.batch_alter_table('posts') as batch:
        batch.add_column(sa.Column('approved_version', sa.Integer(), nullable=True))
    with op.batch_alter_table('workflows') as batch:
        batch.add_column(sa.Column('restart_from_step', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('workflows') as batch:
        batch.add_column(sa.Column('due_calendar', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('workflows') as batch:
        batch.drop_column('due_calendar')
    with op.batch_alter_table('workflows') as batch:
        batch.drop_column('restart_from_step')
    with op.batch_alter_table('posts') as batch:
        batch.drop_column('approved_version')
    op.drop_index(op.f('ix_approval_decisions_run_id'), table_name='approval_decisions')
    op.drop_index(op.f('ix_approval_decisions_post_id'), table_name='approval_decisions')
    op.drop_table('approval_decisions')
    op.drop_index(op.f('ix_external_reviews_tenant_id'), table_name='external_reviews')
    op.drop_index(op.f('ix_external_reviews_post_id'), table_name='external_reviews')
    op.drop_table('external_reviews')
    op.drop_index(op.f('ix_approval_runs_step_due_at'), table_name='approval_runs')
    op.drop_index(op.f('ix_approval_runs_post_id'), table_name='approval_runs')
    op.drop_index('ix_approval_runs_active', table_name='approval_runs')
    op.drop_table('approval_runs')
    op.drop_index(op.f('ix_workflow_rules_tenant_id'), table_name='workflow_rules')
    op.drop_index(op.f('ix_workflow_rules_org_unit_id'), table_name='workflow_rules')
    op.drop_table('workflow_rules')
    op.drop_index('ix_assets_tenant_unit', table_name='assets')
    op.drop_table('assets')
