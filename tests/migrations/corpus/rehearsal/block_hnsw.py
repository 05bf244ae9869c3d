"""Rehearsal corpus, bad: a second HNSW graph built without CONCURRENTLY.

SHARE on document_segments for the whole build: every segment INSERT of
the worker waits until the graph is done.

Revision ID: block_hnsw
Revises: 0001
"""

from alembic import op

revision = "block_hnsw"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    op.execute(
        "CREATE INDEX ix_document_segments_embedding_l2 ON document_segments "
        "USING hnsw ((embedding_vector::halfvec(3072)) halfvec_l2_ops)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_document_segments_embedding_l2")
