"""Bad: varchar(500) -> varchar(200) rewrites (and may truncate) under ACCESS EXCLUSIVE.

Revision ID: bad_column_type_change
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "bad_column_type_change"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.alter_column("documents", "title", type_=sa.String(200), existing_type=sa.String(500))


def downgrade() -> None:
    op.alter_column("documents", "title", type_=sa.String(500), existing_type=sa.String(200))
