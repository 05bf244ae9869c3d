"""``edu-contracts seed`` refuses any database that holds something, before it migrates.

Issue 16, point 4: ``seed`` looked only at its own tables, so it migrated
and seeded a database that held other tables with rows. Each shape here is
a real database on the plugin's Postgres holding something that is not
ours; ``seed`` must refuse it naming what is there, and leave it exactly as
it was (no migration, no extension, no row), unless ``--append`` is given.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator

import psycopg
import pytest

from edu_contracts.cli import seed as seed_command
from edu_contracts.db import migrate
from edu_contracts.errors import SeedError
from edu_contracts.testing.fixtures import PostgresServer


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _seed(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    seed_command.register(parser.add_subparsers())
    args = parser.parse_args(["seed", *argv])
    return int(args.handler(args))


def _state(url: str) -> list[tuple[str, ...]]:
    """Every relation, extension and row count of the database: what must not change."""
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        relations = conn.execute(
            "SELECT n.nspname, c.relname, c.relkind::text FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_toast%' ORDER BY 1, 2"
        ).fetchall()
        extensions = conn.execute("SELECT extname FROM pg_extension ORDER BY 1").fetchall()
        counts = []
        for schema, name, kind in relations:
            if kind == "r":
                query = psycopg.sql.SQL("SELECT count(*) FROM {}.{}").format(
                    psycopg.sql.Identifier(schema), psycopg.sql.Identifier(name)
                )
                counts.append((schema, name, str(conn.execute(query).fetchone()[0])))
    return [tuple(map(str, r)) for r in relations] + [tuple(e) for e in extensions] + counts


def _sql(*statements: str) -> Callable[[str], None]:
    def apply(url: str) -> None:
        with psycopg.connect(_libpq(url), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    return apply


def _migrated_then(*statements: str) -> Callable[[str], None]:
    def apply(url: str) -> None:
        migrate.upgrade(url)
        _sql(*statements)(url)

    return apply


SHAPES: dict[str, tuple[Callable[[str], None], list[str]]] = {
    "another table with rows": (
        _sql("CREATE TABLE invoices (id int)", "INSERT INTO invoices VALUES (1), (2)"),
        ["public.invoices (2 rows, not an edu-contracts table)"],
    ),
    "another table, empty": (
        _sql("CREATE TABLE invoices (id int)"),
        ["public.invoices (0 rows, not an edu-contracts table)"],
    ),
    "a table in another schema": (
        _sql("CREATE SCHEMA billing", "CREATE TABLE billing.ledger (id int)",
             "INSERT INTO billing.ledger SELECT generate_series(1, 1500)"),
        ["billing.ledger (1,000+ rows, not an edu-contracts table)"],
    ),
    "a table named like ours, not migrated by us": (
        _sql("CREATE TABLE users (id int)"),
        ["public.users (0 rows, not an edu-contracts table)"],
    ),
    "our table name in another schema": (
        _migrated_then("CREATE SCHEMA other", "CREATE TABLE other.users (id int)"),
        ["other.users (0 rows, not an edu-contracts table)"],
    ),
    "our migrated tables with a row": (
        _migrated_then(
            "INSERT INTO users (id, email, display_name) "
            "VALUES (gen_random_uuid(), 'a@example.org', 'A')"
        ),
        ["public.users (1 row)"],
    ),
    "a materialized view": (
        _sql("CREATE MATERIALIZED VIEW mv AS SELECT 1 AS one"),
        ["public.mv (1 row, not an edu-contracts table)"],
    ),
    "an unpopulated materialized view": (
        _sql("CREATE MATERIALIZED VIEW mv AS SELECT 1 AS one WITH NO DATA"),
        ["public.mv (an unpopulated materialized view, not an edu-contracts table)"],
    ),
    "a partitioned table": (
        _sql("CREATE TABLE events (at date) PARTITION BY RANGE (at)",
             "CREATE TABLE events_2026 PARTITION OF events "
             "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
             "INSERT INTO events VALUES ('2026-05-01')"),
        ["public.events (1 row, not an edu-contracts table)"],
    ),
    "twenty tables": (
        _sql(*(f"CREATE TABLE t{i:02d} (id int)" for i in range(20))),
        ["public.t00 (0 rows", "and 12 more table(s)"],
    ),
}  # fmt: skip


@pytest.fixture
def fresh_url(edu_postgres: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    url = edu_postgres.create_database(f"refuse_{abs(hash(request.node.name)) % 10**8}")
    yield url
    edu_postgres.drop_database(url)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_seed_refuses_a_database_that_holds_anything_and_changes_nothing(
    fresh_url: str, shape: str
) -> None:
    prepare, expected = SHAPES[shape]
    prepare(fresh_url)
    before = _state(fresh_url)
    with pytest.raises(SeedError) as info:
        _seed("--url", fresh_url, "--scenario", "tiny")
    message = info.value.message
    assert message.startswith("the database is not empty"), message
    for part in expected:
        assert part in message, message
    assert "--append" in (info.value.fix or "")
    assert _state(fresh_url) == before, "a refused seed changed the database"


def test_append_seeds_beside_other_tables_and_leaves_them_alone(fresh_url: str) -> None:
    _sql("CREATE TABLE invoices (id int)", "INSERT INTO invoices VALUES (7)")(fresh_url)
    assert _seed("--url", fresh_url, "--scenario", "tiny", "--append") == 0
    with psycopg.connect(_libpq(fresh_url)) as conn:
        assert conn.execute("SELECT id FROM invoices").fetchall() == [(7,)]
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (1,)


def test_a_database_migrated_by_us_and_empty_is_seeded(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    assert _seed("--url", fresh_url, "--scenario", "tiny") == 0
