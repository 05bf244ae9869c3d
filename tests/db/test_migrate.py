"""Migrations build exactly the models, both ways, on throwaway databases."""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from edu_contracts.db import migrate
from edu_contracts.db.base import Base
from edu_contracts.db.url import normalize_url
from edu_contracts.errors import DatabaseUnavailableError, MigrationError, ServiceError
from tests.db.test_models import SEED_TABLES

# The index as pg_get_indexdef shows it (Postgres adds the inner parentheses).
HNSW_DDL = "USING hnsw (((embedding_vector)::halfvec(3072)) halfvec_cosine_ops)"
ENUMS = {
    "document_status",
    "document_source_kind",
    "flashcard_state",
    "quiz_question_kind",
    "study_session_kind",
    "usage_period",
}

# Everything Postgres knows about the schema that Alembic's autogenerate does
# not compare (CHECK bodies, FK actions, index methods), one text per object.
CATALOG_SQL = """
SELECT 'constraint ' || rel.relname || '.' || con.conname || ': ' || pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
JOIN pg_namespace ns ON ns.oid = rel.relnamespace
WHERE ns.nspname = 'public' AND rel.relname <> 'alembic_version'
UNION ALL
SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes
WHERE schemaname = 'public' AND tablename <> 'alembic_version'
UNION ALL
SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' '
    || coalesce(udt_name, '') || ' ' || is_nullable || ' ' || coalesce(column_default, '')
FROM information_schema.columns
WHERE table_schema = 'public' AND table_name <> 'alembic_version'
UNION ALL
SELECT 'enum ' || t.typname || ': ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname
"""


@contextlib.contextmanager
def _connect(url: str) -> Iterator[sa.Connection]:
    engine = sa.create_engine(normalize_url(url), poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _catalog(url: str) -> set[str]:
    with _connect(url) as connection:
        return set(connection.execute(sa.text(CATALOG_SQL)).scalars())


def _tables(url: str) -> set[str]:
    with _connect(url) as connection:
        return set(sa.inspect(connection).get_table_names())


@pytest.fixture
def empty_url(edu_postgres: Any) -> Iterator[str]:
    """A new empty database for one test; dropped afterwards."""
    url = edu_postgres.create_database(f"migr_{uuid.uuid4().hex[:12]}")
    yield url
    edu_postgres.drop_database(url)


def test_upgrade_builds_the_15_tables_enums_and_hnsw_index(empty_url: str) -> None:
    assert migrate.current(empty_url) is None
    migrate.upgrade(empty_url)
    assert migrate.current(empty_url) == migrate.head() == "0001"
    assert _tables(empty_url) == set(SEED_TABLES) | {"alembic_version"}
    catalog = _catalog(empty_url)
    assert {
        line.split(":")[0].removeprefix("enum ") for line in catalog if line.startswith("enum")
    } == ENUMS
    [hnsw] = [line for line in catalog if "ix_document_segments_embedding_hnsw" in line]
    assert hnsw.endswith(HNSW_DDL)


def test_freshly_migrated_database_matches_the_models(edu_database_url: str) -> None:
    assert migrate.compare(edu_database_url) == []


def test_migrations_and_create_all_build_the_same_catalog(
    edu_database_url: str, empty_url: str
) -> None:
    # compare() cannot see CHECK bodies or FK actions; the catalogs can.
    with _connect(empty_url) as connection:
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS vector"))
        Base.metadata.create_all(connection)
        connection.commit()
    assert _catalog(empty_url) == _catalog(edu_database_url)


def test_downgrade_to_base_then_upgrade_again(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    before = _catalog(empty_url)
    migrate.downgrade(empty_url, "base")
    assert migrate.current(empty_url) is None
    assert _tables(empty_url) == {"alembic_version"}
    assert not any(line.startswith("enum") for line in _catalog(empty_url))
    migrate.upgrade(empty_url)
    assert _catalog(empty_url) == before
    assert migrate.compare(empty_url) == []


def test_compare_reports_drift(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    with _connect(empty_url) as connection:
        connection.execute(sa.text("ALTER TABLE users ALTER COLUMN display_name TYPE varchar(50)"))
        connection.execute(sa.text("DROP INDEX ix_documents_status"))
        connection.execute(sa.text("DROP INDEX ix_document_segments_embedding_hnsw"))
        connection.execute(
            sa.text(
                "CREATE INDEX ix_document_segments_embedding_hnsw ON document_segments "
                "USING hnsw ((embedding_vector::halfvec(3072)) halfvec_l2_ops)"
            )
        )
        connection.commit()
    kinds = {
        diff[0][0] if isinstance(diff, list) else diff[0] for diff in migrate.compare(empty_url)
    }
    assert kinds == {"modify_type", "add_index", "modify_index_method"}


def test_offline_mode_renders_the_sql() -> None:
    # For DBAs who apply migrations by hand; no database is contacted.
    config = migrate.alembic_config("postgresql://nobody@localhost:1/none")
    config.output_buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    sql = config.output_buffer.getvalue()
    assert sql.index("CREATE EXTENSION IF NOT EXISTS vector") < sql.index("CREATE TABLE users")
    assert "USING hnsw ((embedding_vector::halfvec(3072)) halfvec_cosine_ops)" in sql


def test_unreachable_database_names_the_url_but_not_the_password() -> None:
    url = "postgresql://learner:s3cret@127.0.0.1:1/edu"
    with pytest.raises(DatabaseUnavailableError) as info:
        migrate.upgrade(url)
    assert isinstance(info.value, ServiceError)
    assert "127.0.0.1:1/edu" in str(info.value)
    assert "s3cret" not in str(info.value)
    assert info.value.fix


def test_unknown_revision_is_a_migration_error(empty_url: str) -> None:
    with pytest.raises(MigrationError) as info:
        migrate.upgrade(empty_url, "not-a-revision")
    assert "not-a-revision" in str(info.value)
    assert migrate.current(empty_url) is None  # nothing half-done


def test_failed_migration_rolls_back(empty_url: str) -> None:
    with _connect(empty_url) as connection:
        connection.execute(sa.text("CREATE TABLE users (id int)"))
        connection.commit()
    with pytest.raises(MigrationError, match="rolled back"):
        migrate.upgrade(empty_url)
    assert migrate.current(empty_url) is None
    assert _tables(empty_url) == {"users"}
