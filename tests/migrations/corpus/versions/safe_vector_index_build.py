"""Safe: its own revision, memory sized for the graph, CONCURRENTLY.

Revision ID: safe_vector_index_build
Revises: 0001
"""

from alembic import op

revision = "safe_vector_index_build"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("SET maintenance_work_mem = '2GB'")
        op.execute("SET max_parallel_maintenance_workers = 2")
        op.execute(
            "CREATE INDEX CONCURRENTLY ix_document_segments_embedding_l2 ON document_segments "
            "USING hnsw ((embedding_vector::halfvec(3072)) halfvec_l2_ops)"
        )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_document_segments_embedding_l2")
