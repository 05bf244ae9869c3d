"""Bad: CONCURRENTLY inside the revision's transaction fails at deploy.

Revision ID: bad_concurrent_in_transaction
Revises: 0001
"""

from alembic import op

revision = "bad_concurrent_in_transaction"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_documents_mime_type", "documents", ["mime_type"], postgresql_concurrently=True
    )


def downgrade() -> None:
    op.drop_index("ix_documents_mime_type", table_name="documents")
