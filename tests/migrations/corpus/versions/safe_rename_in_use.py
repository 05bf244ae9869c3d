"""Safe (expand): the new name is added beside the old one; the old one goes in a later release.

Revision ID: safe_rename_in_use
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "safe_rename_in_use"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.add_column("documents", sa.Column("content_type", sa.String(255), nullable=True))


def downgrade() -> None:
    op.drop_column("documents", "content_type")
