"""Safe: the same index built CONCURRENTLY outside the transaction.

Revision ID: safe_concurrent_in_transaction
Revises: 0001
"""

from alembic import op

revision = "safe_concurrent_in_transaction"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_documents_mime_type", "documents", ["mime_type"], postgresql_concurrently=True
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index(
            "ix_documents_mime_type", table_name="documents", postgresql_concurrently=True
        )
