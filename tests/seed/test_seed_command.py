"""``edu-contracts seed`` against fresh databases of the test server."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa

from edu_contracts.cli import seed as seed_command
from edu_contracts.errors import SeedError
from edu_contracts.seed.loader import export_tables
from edu_contracts.seed.scenario import load_scenario
from edu_contracts.testing.fixtures import PostgresServer
from tests.factories.conftest import broken_invariants


def _libpq(url: str) -> str:
    """The URL as a user copies it from psql or a dashboard."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _seed(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    seed_command.register(parser.add_subparsers())
    args = parser.parse_args(["seed", *argv])
    return int(args.handler(args))


@pytest.fixture
def fresh_url(edu_postgres: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    url = edu_postgres.create_database(f"seed_{request.node.name[-20:]}".lower())
    yield url
    edu_postgres.drop_database(url)


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        counts = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                  for t in load_scenario("tiny").totals()}  # fmt: skip
        broken = broken_invariants(conn)
    engine.dispose()
    assert broken == {}
    return counts


def test_seed_migrates_loads_and_refuses_a_second_time(fresh_url: str) -> None:
    assert _seed("--url", _libpq(fresh_url), "--scenario", "demo", "--seed", "42") == 0
    assert _counts(fresh_url) == load_scenario("demo").totals()
    with pytest.raises(SeedError, match="not empty"):
        _seed("--url", fresh_url, "--scenario", "tiny")
    assert _seed("--url", fresh_url, "--scenario", "tiny", "--seed", "1", "--append") == 0
    with pytest.raises(SeedError, match="rows of seed 1 are already"):
        _seed("--url", fresh_url, "--scenario", "tiny", "--seed", "1", "--append")
    assert _counts(fresh_url)["users"] == load_scenario("demo").users + 1


_EXPORT = """
import hashlib, sys
import psycopg
from edu_contracts.seed.loader import export_tables
from edu_contracts.seed.scenario import load_scenario
from edu_contracts.seed.seeding import seed_database
url = sys.argv[1]
seed_database(url, load_scenario("tiny"), seed=5)
with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
    for table, data in export_tables(conn).items():
        print(table, hashlib.sha256(data).hexdigest())
"""


def test_same_seed_exports_byte_identical_across_processes(edu_postgres: PostgresServer) -> None:
    digests = []
    for label in ("export_a", "export_b"):
        url = edu_postgres.create_database(label)
        try:
            run = subprocess.run([sys.executable, "-c", _EXPORT, url], capture_output=True,
                                 text=True, check=True)  # fmt: skip
            digests.append(run.stdout)
            with psycopg.connect(_libpq(url)) as conn:
                assert all(export_tables(conn).values())
        finally:
            edu_postgres.drop_database(url)
    assert digests[0] == digests[1]
    assert len(digests[0].splitlines()) == 15
