"""Whether a database is empty enough to seed: the refusal that keeps ``seed`` from harm.

Seeding migrates (fifteen tables and an extension) and then writes rows, so
"empty" is judged on the whole database, before anything is migrated, not
only on our own tables. A database is empty when every table in every
non-system schema is one of ours (the canonical tables and Alembic's version
table, in the schema we migrate into, and only once our migrations have been
applied there) and none of ours holds a row. Any other table, with rows or
without, means the database belongs to someone: it is refused unless the
caller asks to ``append``. Tables an extension created (PostGIS's
``spatial_ref_sys``) are the extension's, not a user's, and are left out.

Counting stays cheap on any size: each table is asked for at most
:data:`COUNT_CAP` + 1 rows, and at most :data:`LISTED` tables are counted
for the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import Connection as PgConnection
from psycopg import errors as pg_errors
from psycopg import sql

from edu_contracts.errors import SeedError

__all__ = ["COUNT_CAP", "LISTED", "Occupant", "occupants", "refuse_unless_empty"]

COUNT_CAP = 1000
"""Rows counted per table; more shows as "1,000+"."""
LISTED = 8
"""Tables named in the refusal; the rest are summed up as "and N more"."""

_VERSION_TABLE = "alembic_version"

_TABLES = """
SELECT n.nspname, c.relname, c.relkind, c.relispopulated
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm', 'f')
  AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp\\_%%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_depend d
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname, c.relname
"""


@dataclass(frozen=True)
class Occupant:
    """A table that makes a database not empty."""

    schema: str
    table: str
    ours: bool
    """A canonical table (refused only for its rows) or someone else's (refused outright)."""
    rows: int | None = None
    """Rows found, up to ``COUNT_CAP + 1``; None when not counted or not readable."""
    note: str = ""

    def describe(self) -> str:
        if self.note:
            count = self.note
        elif self.rows is None:
            count = "rows not counted"
        elif self.rows > COUNT_CAP:
            count = f"{COUNT_CAP:,}+ rows"
        else:
            count = f"{self.rows:,} row{'s' if self.rows != 1 else ''}"
        owner = "" if self.ours else ", not an edu-contracts table"
        return f"{self.schema}.{self.table} ({count}{owner})"


def _count(connection: PgConnection[Any], schema: str, table: str) -> int | None:
    query = sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {}.{} LIMIT {}) AS sample").format(
        sql.Identifier(schema), sql.Identifier(table), sql.Literal(COUNT_CAP + 1)
    )
    try:
        with connection.transaction():  # a savepoint: a refused read must not end the rest
            row = connection.execute(query).fetchone()
    except (pg_errors.InsufficientPrivilege, pg_errors.ObjectNotInPrerequisiteState):
        return None
    return int(row[0]) if row else 0


def occupants(connection: PgConnection[Any], canonical: tuple[str, ...]) -> list[Occupant]:
    """Every table that makes the database non-empty, in schema and name order."""
    schema_row = connection.execute("SELECT current_schema()").fetchone()
    home = str(schema_row[0]) if schema_row and schema_row[0] else "public"
    tables = [(str(s), str(t), str(k), bool(p)) for s, t, k, p in connection.execute(_TABLES)]
    migrated = any(s == home and t == _VERSION_TABLE for s, t, _, _ in tables)
    ours = set(canonical) | {_VERSION_TABLE}
    found: list[Occupant] = []
    counted = 0
    for schema, table, kind, populated in tables:
        mine = migrated and schema == home and table in ours
        if mine and table == _VERSION_TABLE:
            continue  # our migration marker: its one row is not data
        if mine:
            rows = _count(connection, schema, table)
            if rows == 0:
                continue
            found.append(Occupant(schema, table, True, rows))
            continue
        note = ""
        rows = None
        if counted < LISTED:
            if kind == "f":
                note = "a foreign table, not read"
            elif kind == "m" and not populated:
                note = "an unpopulated materialized view"
            else:
                rows = _count(connection, schema, table)
                note = "" if rows is not None else "not readable by this user"
            counted += 1
        found.append(Occupant(schema, table, False, rows, note))
    return found


def refuse_unless_empty(
    connection: PgConnection[Any], canonical: tuple[str, ...], where: str
) -> None:
    """Raise ``SeedError`` naming what the database holds, unless it holds nothing of anyone's."""
    found = occupants(connection, canonical)
    if not found:
        return
    listed = ", ".join(o.describe() for o in found[:LISTED])
    more = f", and {len(found) - LISTED} more table(s)" if len(found) > LISTED else ""
    raise SeedError(
        f"the database is not empty: it holds {listed}{more}; seeding never writes into a "
        "database that holds data or tables that are not its own",
        where=where,
        fix="seed a fresh database (createdb), or pass --append to add this scenario beside "
        "what is there",
    )
