"""Bad: a volatile default fills every existing row: a full rewrite under ACCESS EXCLUSIVE.

Revision ID: bad_volatile_default
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "bad_volatile_default"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.add_column(
        "documents",
        sa.Column("import_id", sa.Uuid(), server_default=sa.text("gen_random_uuid()")),
    )


def downgrade() -> None:
    op.drop_column("documents", "import_id")
