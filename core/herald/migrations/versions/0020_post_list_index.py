"""posts: an index in the post list's order

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 20:45:00

The post list is a keyset page of a tenant's posts by (created_at, id). Without an index in that
order PostgreSQL reads and sorts every post of the tenant for each page, so the first page's
cost grew with the tenant's size; with it, a page reads about the rows it shows.
"""

from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_posts_tenant_created', 'posts', ['tenant_id', 'created_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_posts_tenant_created', table_name='posts')
