"""Bad: vector(3072) -> halfvec(3072) rewrites every vector and rebuilds the HNSW graph.

Revision ID: bad_vector_type_change
Revises: 0001
"""

from alembic import op

revision = "bad_vector_type_change"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.execute(
        "ALTER TABLE document_segments ALTER COLUMN embedding_vector TYPE halfvec(3072) "
        "USING embedding_vector::halfvec(3072)"
    )


def downgrade() -> None:
    op.execute(
        "ALTER TABLE document_segments ALTER COLUMN embedding_vector TYPE vector(3072) "
        "USING embedding_vector::vector(3072)"
    )
