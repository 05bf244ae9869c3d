"""Bad: a plain CREATE INDEX on a table that holds data blocks every write for the build.

Revision ID: bad_index_not_concurrent
Revises: 0001
"""

from alembic import op

revision = "bad_index_not_concurrent"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.create_index("ix_documents_mime_type", "documents", ["mime_type"])


def downgrade() -> None:
    op.drop_index("ix_documents_mime_type", table_name="documents")
