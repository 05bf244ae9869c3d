"""Bad: renaming a column release 1.0.0 still reads and writes.

Revision ID: bad_rename_in_use
Revises: 0001
"""

from alembic import op

revision = "bad_rename_in_use"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.alter_column("documents", "mime_type", new_column_name="content_type")


def downgrade() -> None:
    op.alter_column("documents", "content_type", new_column_name="mime_type")
