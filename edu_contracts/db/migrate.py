"""Apply, inspect and verify the canonical schema's Alembic migrations from code.

Services, the pytest plugin and the CLI all build their databases through
these functions, so there is exactly one way a schema comes to exist. The
Alembic configuration is built in memory and points at the migrations
folder inside this package: nothing to ship, nothing to keep in sync.

Every function takes a URL as users paste it (``postgresql://...``) and
translates SQLAlchemy and Alembic failures into :mod:`edu_contracts.errors`
at this boundary, with the URL's password hidden.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

import edu_contracts.db.models  # noqa: F401  (registers every table on Base.metadata)
from edu_contracts.db.base import Base
from edu_contracts.db.url import DatabaseURL, URLLike, normalize_url, redact_url
from edu_contracts.errors import DatabaseUnavailableError, MigrationError
from edu_contracts.redaction import scrub

__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "compare",
    "context_options",
    "current",
    "downgrade",
    "head",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")


def context_options() -> dict[str, Any]:
    """Options shared by migrations and :func:`compare`, so that "in sync"
    means the same thing to both: types and server defaults are compared too,
    not only tables and columns."""
    return {"compare_type": True, "compare_server_default": True}


def alembic_config(url: URLLike | None = None) -> Config:
    """An in-memory Alembic ``Config`` for this package's migrations.

    The URL goes into ``attributes`` rather than the ini options because
    ConfigParser interpolation would choke on a ``%`` in a password.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.attributes["url"] = normalize_url(url)
    return config


@contextmanager
def _connection(url: URLLike, *, transaction: bool = True) -> Iterator[Connection]:
    """A connection in a transaction, committed on success.

    Connecting is attempted separately from the work so that "cannot reach
    the server" and "the migration failed" become different errors. With
    ``transaction=False`` the caller (Alembic) opens and commits its own.
    """
    normalized = normalize_url(url)
    engine = sa.create_engine(normalized, poolclass=sa.NullPool)
    try:
        try:
            connection = engine.connect()
        except DBAPIError as exc:
            detail = scrub(_first_line(exc.orig), DatabaseURL.parse(url).secrets())
            raise DatabaseUnavailableError(
                f"cannot connect to PostgreSQL: {detail}",
                where=redact_url(normalized),
                fix="check that the server runs and that host, port, database name "
                "and credentials in the URL are right",
            ) from exc
        with connection:
            if not transaction:
                yield connection
                return
            with connection.begin():
                yield connection
    finally:
        engine.dispose()


def _first_line(error: BaseException | None) -> str:
    return str(error).strip().splitlines()[0] if error and str(error).strip() else "no detail"


def _run(action: str, url: URLLike, step: Any) -> None:
    """Run an Alembic command on ``url``, translating its failures.

    Alembic owns the transaction (env.py opens one around all revisions, so
    a failure still rolls everything back): a revision's ``autocommit_block()``
    can then commit it and run ``CREATE INDEX CONCURRENTLY`` outside, which
    inside a caller-owned transaction fails on an assertion.
    """
    with _connection(url, transaction=False) as connection:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        try:
            step(config)
        except CommandError as exc:
            raise MigrationError(
                f"{action} refused: {exc}",
                where=redact_url(url),
                fix=f"use a revision known to this package (head is {head()!r}) or 'base'",
            ) from exc
        except SQLAlchemyError as exc:
            detail = _first_line(getattr(exc, "orig", None) or exc)
            raise MigrationError(
                f"{action} failed and was rolled back: {detail}",
                where=redact_url(url),
                fix=_fix_for(detail),
            ) from exc


def _fix_for(detail: str) -> str:
    if "extension" in detail and "vector" in detail:
        return (
            "the server needs pgvector: install it (or use a pgvector/pgvector image), "
            "or have a superuser run CREATE EXTENSION vector in this database first"
        )
    return (
        "the database holds objects or data the migration did not expect; compare it "
        "with edu_contracts.db.migrate.compare() or start from an empty database"
    )


def upgrade(url: URLLike, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision`` in one transaction.

    The database needs the ``vector`` extension to be *available*; the first
    revision creates it if missing (which needs the right to create it).
    """
    _run(f"upgrade to {revision!r}", url, lambda config: command.upgrade(config, revision))


def downgrade(url: URLLike, revision: str) -> None:
    """Migrate down to ``revision`` (``"base"`` removes every canonical object).

    There is no default: dropping tables should never be what a typo does.
    """
    _run(f"downgrade to {revision!r}", url, lambda config: command.downgrade(config, revision))


def current(url: URLLike) -> str | None:
    """The revision the database is at, or ``None`` if it was never migrated."""
    with _connection(url) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str:
    """The newest revision this package ships."""
    script = ScriptDirectory.from_config(alembic_config())
    revision = script.get_current_head()
    if revision is None:  # pragma: no cover - the package always ships revisions
        raise MigrationError("no migration revisions found", where=str(MIGRATIONS_DIR))
    return revision


def compare(url: URLLike) -> list[Any]:
    """Differences between the live database and ``Base.metadata``, as Alembic
    autogenerate reports them; empty when the schema is exactly the models.

    A non-empty result means the migrations and the models have drifted
    apart (or someone changed the database by hand): each item is an Alembic
    diff tuple such as ``("add_column", None, "users", Column(...))``.
    """
    with _connection(url) as connection:
        context = MigrationContext.configure(connection, opts=context_options())
        try:
            diffs = list(compare_metadata(context, Base.metadata))
            return diffs + _index_method_diffs(connection)
        except SQLAlchemyError as exc:
            raise MigrationError(
                f"cannot compare the schema: {_first_line(getattr(exc, 'orig', None) or exc)}",
                where=redact_url(url),
                fix="run edu_contracts.db.migrate.upgrade() on the database first",
            ) from exc


def _index_method_diffs(connection: Connection) -> list[Any]:
    """Index access methods and operator classes, which autogenerate ignores.

    Alembic compares an index's columns and expressions but not ``USING`` or
    the operator class, so an HNSW index rebuilt with the wrong distance
    (``halfvec_l2_ops``) would pass as "in sync" while cosine search stopped
    using it. Reported as ``("modify_index_method", table, index, found,
    declared)``.
    """
    inspector = sa.inspect(connection)
    diffs: list[Any] = []
    for table in Base.metadata.sorted_tables:
        reflected = {ix["name"]: ix for ix in inspector.get_indexes(table.name)}
        for index in table.indexes:
            found_index = reflected.get(str(index.name))
            if found_index is None:
                continue  # a missing index is already an autogenerate diff
            options = found_index.get("dialect_options", {})
            found = (options.get("postgresql_using", "btree"), options.get("postgresql_ops", {}))
            declared = (
                index.dialect_options["postgresql"]["using"] or "btree",
                dict(index.dialect_options["postgresql"]["ops"]),
            )
            if found != declared:
                diffs.append(("modify_index_method", table.name, index.name, found, declared))
    return diffs
