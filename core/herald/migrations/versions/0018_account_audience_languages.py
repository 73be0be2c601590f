"""social accounts name the languages of their audience

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 11:30:00

Planning gives each account the one variant of a post in its audience's language
(``herald.content.variant_choice``). Existing accounts get an empty list: they name no
audience language and receive the post's "any language" variant, else its first language.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('social_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience_languages', JSON, nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('social_accounts', schema=None) as batch_op:
        batch_op.drop_column('audience_languages')
