"""Bad: a second HNSW graph on the large segment table, concurrent but with no memory set for it.

Revision ID: bad_vector_index_build
Revises: 0001
"""

from alembic import op

revision = "bad_vector_index_build"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute(
            "CREATE INDEX CONCURRENTLY ix_document_segments_embedding_l2 ON document_segments "
            "USING hnsw ((embedding_vector::halfvec(3072)) halfvec_l2_ops)"
        )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_document_segments_embedding_l2")
