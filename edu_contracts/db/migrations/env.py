"""Alembic environment: runs revisions on the connection ``migrate`` hands over.

:mod:`edu_contracts.db.migrate` opens the connection itself (so it can turn
connection failures into typed errors) and passes it in
``config.attributes["connection"]``; offline mode (``--sql``) renders SQL
from the URL in ``config.attributes["url"]`` for DBAs who apply it by hand.
"""

from __future__ import annotations

from alembic import context

import edu_contracts.db.models  # noqa: F401  (registers every table)
from edu_contracts.db.base import Base
from edu_contracts.db.migrate import context_options

config = context.config


def run_offline() -> None:
    """Emit the migration SQL instead of executing it."""
    context.configure(
        url=config.attributes["url"],
        target_metadata=Base.metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **context_options(),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run the revisions inside the caller's transaction, all or nothing."""
    connection = config.attributes["connection"]
    context.configure(connection=connection, target_metadata=Base.metadata, **context_options())
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
