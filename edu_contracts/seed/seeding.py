"""``seed_database``: migrate if needed, refuse a non-empty database, load a scenario.

The refusal is the safety rule: seeding never drops, truncates or
overwrites. A database that holds any row, or any table that is not ours,
is refused before anything is migrated, unless the caller asks to
``append`` (see :mod:`.emptiness`); an append that repeats a seed already
loaded fails on the first duplicate key and rolls back entirely.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import Connection as PgConnection
from psycopg import errors as pg_errors
from sqlalchemy.exc import DBAPIError

from edu_contracts.db import migrate
from edu_contracts.db.url import DatabaseURL, URLLike
from edu_contracts.errors import SeedError
from edu_contracts.seed.emptiness import refuse_unless_empty
from edu_contracts.seed.loader import (
    TABLE_ORDER,
    BulkWriter,
    LoadStats,
    embedded_count,
    hnsw_definition,
)
from edu_contracts.seed.rows import scenario_rows
from edu_contracts.seed.scenario import Scenario

__all__ = ["REBUILD_MIN_VECTORS", "seed_database"]

REBUILD_MIN_VECTORS = 1
"""Rebuild when a load brings at least this many vectors *and* more than the table holds:
building the graph once costs about a fifth of maintaining it row by row (measured:
7 ms against 39 ms per 3072-d vector on 10,000 rows)."""


def _driver(connection: sa.Connection) -> PgConnection[Any]:
    raw = connection.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    return raw


def seed_database(
    url: URLLike,
    scenario: Scenario,
    *,
    seed: int = 0,
    append: bool = False,
    batch_rows: int = 2000,
    on_batch: Callable[[LoadStats], None] | None = None,
    on_phase: Callable[[str], None] | None = None,
    revision: str | None = None,
) -> LoadStats:
    """Load ``scenario`` for ``seed`` into the database at ``url``; return what was written.

    ``revision`` is the schema to seed (default: head); a migration rehearsal
    seeds at the previous release's head, before the new revisions.
    """
    parsed = DatabaseURL.parse(url)
    target = parsed.sqlalchemy()
    where = parsed.redacted()
    phase = on_phase or (lambda _: None)
    wanted = revision or migrate.head()
    engine = sa.create_engine(target, poolclass=sa.NullPool)
    try:
        if not append:  # judged before migrating: a migration is a write too
            with engine.connect() as connection:
                refuse_unless_empty(_driver(connection), TABLE_ORDER, where)
        if migrate.current(target) != wanted:
            phase("migrating to the canonical schema")
            migrate.upgrade(target, wanted)
        with engine.connect() as connection, connection.begin():
            raw = _driver(connection)
            return _load(raw, scenario, seed, append, batch_rows, on_batch, phase, where)
    except DBAPIError as exc:
        raise _translate(exc, seed, append, where) from exc
    except psycopg.Error as exc:
        raise _translate(exc, seed, append, where) from exc
    finally:
        engine.dispose()


def _load(
    raw: PgConnection[Any],
    scenario: Scenario,
    seed: int,
    append: bool,
    batch_rows: int,
    on_batch: Callable[[LoadStats], None] | None,
    phase: Callable[[str], None],
    where: str,
) -> LoadStats:
    if not append:  # again inside the load transaction: rows may have arrived meanwhile
        refuse_unless_empty(raw, TABLE_ORDER, where)
    definition = hnsw_definition(raw)
    rebuild = (
        definition is not None
        and scenario.embedded_segments >= REBUILD_MIN_VECTORS
        and scenario.embedded_segments > embedded_count(raw)
    )
    if rebuild and definition is not None:
        phase("dropping the HNSW index inside the load transaction (rebuilt before commit)")
        raw.execute("SET LOCAL maintenance_work_mem = '1GB'")
        raw.execute(f'DROP INDEX "{_index_name(definition)}"')
    phase("loading")
    writer = BulkWriter(raw, batch_rows=batch_rows, on_batch=on_batch)
    stats = writer.add_all(scenario_rows(scenario, seed))
    if rebuild and definition is not None:
        phase("rebuilding the HNSW index")
        started = time.perf_counter()
        raw.execute(definition)  # the server's own rendering of the index
        stats.index_seconds = time.perf_counter() - started
        stats.index_rebuilt = True
    phase("committing")
    return stats


def _index_name(definition: str) -> str:
    # "CREATE INDEX <name> ON public.document_segments USING hnsw (...)"
    return definition.split()[2]


def _translate(exc: Exception, seed: int, append: bool, where: str) -> SeedError:
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, pg_errors.UniqueViolation) and append:
        return SeedError(
            f"rows of seed {seed} are already in the database; nothing was loaded",
            where=where,
            fix="append with another --seed: one seed always makes the same rows and ids",
        )
    detail = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return SeedError(
        f"seeding failed and was rolled back: {detail}",
        where=where,
        fix="check that the database is reachable and migrated (edu-contracts db check)",
    )
