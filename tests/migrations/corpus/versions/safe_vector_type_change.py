"""Safe: expand with a new halfvec column beside the old one; backfill and index later.

Revision ID: safe_vector_type_change
Revises: 0001
"""

from alembic import op

revision = "safe_vector_type_change"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.execute("ALTER TABLE document_segments ADD COLUMN embedding_half halfvec(3072)")


def downgrade() -> None:
    op.drop_column("document_segments", "embedding_half")
