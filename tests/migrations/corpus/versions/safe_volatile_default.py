"""Safe: add the column bare, set the default for new rows; backfill outside the migration.

Revision ID: safe_volatile_default
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "safe_volatile_default"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.add_column("documents", sa.Column("import_id", sa.Uuid(), nullable=True))
    op.alter_column("documents", "import_id", server_default=sa.text("gen_random_uuid()"))


def downgrade() -> None:
    op.drop_column("documents", "import_id")
