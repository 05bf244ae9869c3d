"""Snapshots read from a live database agree with the models, and drift is found.

The migrated database must compare equal to the metadata snapshot: if it
does not, either a migration is missing or the snapshot's normalisation is,
and every ``drift`` run would cry wolf.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from edu_contracts.db import migrate
from edu_contracts.errors import ConfigurationError
from edu_contracts.tables.rules import TableChange, compare_tables
from edu_contracts.tables.snapshot import snapshot_database, snapshot_metadata


def test_a_migrated_database_matches_the_models(edu_database_url: str) -> None:
    live = snapshot_database(edu_database_url)
    report = compare_tables(snapshot_metadata(), live)
    assert report.findings == (), [f"{f.pointer}: {f.message}" for f in report.findings]
    assert "alembic_version" not in live["tables"]
    assert live["tables"]["document_segments"]["columns"]["embedding_vector"]["dimension"] == 3072


@pytest.fixture(scope="module")
def altered_url(edu_postgres: Any) -> str:
    url: str = edu_postgres.create_database("drift")
    migrate.upgrade(url)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE users ADD COLUMN nickname text NOT NULL DEFAULT ''"))
        conn.execute(sa.text("ALTER TABLE notes DROP COLUMN title"))
        conn.execute(sa.text("ALTER TABLE users ADD CONSTRAINT ck_users_short CHECK (email <> '')"))
    engine.dispose()
    return url


def test_drift_names_each_hand_made_change(altered_url: str) -> None:
    report = compare_tables(snapshot_metadata(), snapshot_database(altered_url))
    found = {(f.change, f.pointer) for f in report.findings}
    assert (TableChange.COLUMN_ADDED, "users.nickname") in found
    assert (TableChange.COLUMN_REMOVED, "notes.title") in found
    assert (TableChange.CHECK_ADDED, "users (ck_users_short)") in found


def test_an_unreachable_database_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError) as info:
        snapshot_database("postgresql://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in str(info.value)
    assert "127.0.0.1:1" in str(info.value)
