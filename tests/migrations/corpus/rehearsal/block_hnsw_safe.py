"""Rehearsal corpus, safe: the same graph built CONCURRENTLY in an autocommit block.

SHARE UPDATE EXCLUSIVE: inserts and searches go on during the build.

Revision ID: block_hnsw_safe
Revises: 0001
"""

from alembic import op

revision = "block_hnsw_safe"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("SET maintenance_work_mem = '256MB'")
        op.execute(
            "CREATE INDEX CONCURRENTLY ix_document_segments_embedding_l2 ON document_segments "
            "USING hnsw ((embedding_vector::halfvec(3072)) halfvec_l2_ops)"
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_document_segments_embedding_l2")
