"""kernel: tenants, units, accounts, people, plugins, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-24 15:05:50.780032
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import herald.db.base

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_chains',
    sa.Column('chain', sa.String(length=40), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('chain', name=op.f('pk_audit_chains'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('chain', sa.String(length=40), nullable=False),
    sa.Column('chain_seq', sa.BigInteger(), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=True),
    sa.Column('actor_id', sa.String(length=32), nullable=True),
    sa.Column('actor_label', sa.String(length=400), nullable=False),
    sa.Column('action', sa.String(length=100), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('after', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('context', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    sa.UniqueConstraint('chain', 'chain_seq', name=op.f('uq_audit_events_chain'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index('ix_audit_events_tenant_at', ['tenant_id', 'at'], unique=False)

    op.create_table('tenants',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('slug', sa.String(length=63), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('default_locale', sa.String(length=16), nullable=False),
    sa.Column('default_time_zone', sa.String(length=64), nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenants')),
    sa.UniqueConstraint('slug', name=op.f('uq_tenants_slug'))
    )
    op.create_table('custom_roles',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.Column('permissions', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_custom_roles_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_roles')),
    sa.UniqueConstraint('tenant_id', 'key', name=op.f('uq_custom_roles_tenant_id'))
    )
    with op.batch_alter_table('custom_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custom_roles_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('org_units',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('parent_id', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('path', sa.String(length=2000), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=True),
    sa.Column('archived_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['org_units.id'], name=op.f('fk_org_units_parent_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_org_units_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_units'))
    )
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_units_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_units_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_org_units_tenant_path', ['tenant_id', 'path'], unique=False)

    op.create_table('tenant_plugins',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('plugin', sa.String(length=100), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('settings', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('secrets', sa.Text(), nullable=True),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_tenant_plugins_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenant_plugins')),
    sa.UniqueConstraint('tenant_id', 'plugin', name=op.f('uq_tenant_plugins_tenant_id'))
    )
    with op.batch_alter_table('tenant_plugins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tenant_plugins_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('is_operator', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=True),
    sa.Column('time_zone', sa.String(length=64), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_users_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('tenant_id', 'email', name=op.f('uq_users_tenant_id'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_api_tokens_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('grants',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('role_key', sa.String(length=64), nullable=False),
    sa.Column('org_unit_id', sa.String(length=32), nullable=False),
    sa.Column('granted_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_grants_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_grants_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_grants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grants')),
    sa.UniqueConstraint('user_id', 'role_key', 'org_unit_id', name=op.f('uq_grants_user_id'))
    )
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grants_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grants_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grants_user_id'), ['user_id'], unique=False)

    op.create_table('inapp_notifications',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('recipient_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=2000), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_inapp_notifications_recipient_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inapp_notifications_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inapp_notifications'))
    )
    with op.batch_alter_table('inapp_notifications', schema=None) as batch_op:
        batch_op.create_index('ix_inapp_notifications_recipient', ['recipient_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inapp_notifications_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('social_accounts',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('org_unit_id', sa.String(length=32), nullable=False),
    sa.Column('network', sa.String(length=32), nullable=False),
    sa.Column('handle', sa.String(length=200), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('time_zone', sa.String(length=64), nullable=True),
    sa.Column('connection_state', sa.String(length=32), nullable=False),
    sa.Column('labels', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('archived_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_social_accounts_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_social_accounts_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_accounts')),
    sa.UniqueConstraint('tenant_id', 'network', 'handle', name=op.f('uq_social_accounts_tenant_id'))
    )
    with op.batch_alter_table('social_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_social_accounts_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_social_accounts_tenant_id'), ['tenant_id'], unique=False)
    _append_only_audit()


def downgrade() -> None:
    _drop_append_only_audit()
    with op.batch_alter_table('social_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_social_accounts_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_social_accounts_org_unit_id'))

    op.drop_table('social_accounts')
    with op.batch_alter_table('inapp_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inapp_notifications_tenant_id'))
        batch_op.drop_index('ix_inapp_notifications_recipient')

    op.drop_table('inapp_notifications')
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grants_user_id'))
        batch_op.drop_index(batch_op.f('ix_grants_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_grants_org_unit_id'))

    op.drop_table('grants')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_tenant_id'))

    op.drop_table('users')
    with op.batch_alter_table('tenant_plugins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tenant_plugins_tenant_id'))

    op.drop_table('tenant_plugins')
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.drop_index('ix_org_units_tenant_path')
        batch_op.drop_index(batch_op.f('ix_org_units_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_org_units_parent_id'))

    op.drop_table('org_units')
    with op.batch_alter_table('custom_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custom_roles_tenant_id'))

    op.drop_table('custom_roles')
    op.drop_table('tenants')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_tenant_at')
        batch_op.drop_index('ix_audit_events_object')

    op.drop_table('audit_events')
    op.drop_table('audit_chains')


# The audit log is append-only in the database itself: UPDATE and DELETE are refused by
# triggers, whoever the client is. (TRUNCATE by a superuser is outside row triggers; the hash
# chain and its head make that detectable, see herald.audit.verify.)
def _append_only_audit() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION herald_audit_append_only() RETURNS trigger AS $$
            BEGIN
              RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP;
            END $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION herald_audit_append_only()
        """)
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events
                BEGIN SELECT RAISE(ABORT, 'audit_events is append-only ({verb} refused)'); END
            """)


def _drop_append_only_audit() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS herald_audit_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
