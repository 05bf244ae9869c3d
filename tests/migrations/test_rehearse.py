"""Rehearsals on a small scenario: a blocking build and a breaking drop are caught,
their safe recipes pass. Real embedded Postgres from the plugin; the rehearsal
creates its own database on that server and drops it."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from edu_contracts.cli import main
from edu_contracts.errors import UnsafeOperationError
from edu_contracts.migrations.database import drop_owned, owned_database
from edu_contracts.migrations.rehearsal import RehearsalCheck, rehearse
from edu_contracts.seed.scenario import load_scenario
from edu_contracts.testing.fixtures import PostgresServer

CORPUS = Path(__file__).parent / "corpus"
SCENARIO = load_scenario(str(CORPUS / "rehearsal.toml"))
BUDGET = 0.1  # the corpus build takes ~0.3-0.6 s here; far above any sampling noise


def _checks(result: object) -> set[RehearsalCheck]:
    return {check for check, _where, _what in result.failures()}  # type: ignore[attr-defined]


def test_blocking_index_build_is_caught_with_its_wait(edu_postgres: PostgresServer) -> None:
    result = rehearse(
        edu_postgres.admin_url,
        SCENARIO,
        upper="block_hnsw",
        extra_versions=[CORPUS / "rehearsal"],
        budget=BUDGET,
    )
    assert _checks(result) == {RehearsalCheck.LOCK_WAIT_OVER_BUDGET}, result.failures()
    (run,) = result.runs
    assert run.wait is not None
    assert run.wait.seconds > BUDGET
    assert run.wait.blocked_by_migration, run.wait
    assert run.wait.relation == "document_segments"
    assert "INSERT" in run.wait.query
    assert result.downgrade_error is None


def test_concurrent_build_passes(edu_postgres: PostgresServer) -> None:
    result = rehearse(
        edu_postgres.admin_url,
        SCENARIO,
        upper="block_hnsw_safe",
        extra_versions=[CORPUS / "rehearsal"],
        budget=BUDGET,
    )
    assert result.passed, result.failures()
    assert result.traffic.operations["write"] > 0
    assert result.traffic.operations["read"] > 0


def test_breaking_drop_is_caught_and_its_safe_recipe_passes(edu_postgres: PostgresServer) -> None:
    bad = rehearse(
        edu_postgres.admin_url,
        SCENARIO,
        upper="bad_drop_in_use",
        extra_versions=[CORPUS / "versions"],
    )
    assert RehearsalCheck.OLD_CODE_BROKE in _checks(bad)
    assert any("token_count" in first for _count, first in bad.traffic.errors.values())
    safe = rehearse(
        edu_postgres.admin_url,
        SCENARIO,
        upper="safe_drop_in_use",
        extra_versions=[CORPUS / "versions"],
    )
    assert safe.passed, safe.failures()
    assert [r.revision for r in safe.runs] == ["safe_drop_in_use_1", "safe_drop_in_use"]


def test_rehearsal_leaves_no_database_and_refuses_one_not_its_own(
    edu_postgres: PostgresServer,
) -> None:
    before = _databases(edu_postgres)
    with owned_database(edu_postgres.admin_url) as url:
        name = url.rsplit("/", 1)[-1]
        assert name in _databases(edu_postgres)
    assert _databases(edu_postgres) == before
    victim = edu_postgres.create_database("not_rehearsal")
    with pytest.raises(UnsafeOperationError, match="token"):
        drop_owned(edu_postgres.admin_url, victim.rsplit("/", 1)[-1], "edu-contracts rehearsal x")
    assert victim.rsplit("/", 1)[-1] in _databases(edu_postgres)


def test_cli_rehearse_json_and_exit_code(
    edu_postgres: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "migrations", "rehearse", "--url", edu_postgres.admin_url,
        "--scenario", str(CORPUS / "rehearsal.toml"), "--versions", str(CORPUS / "rehearsal"),
        "--to", "block_hnsw", "--budget", str(BUDGET), "--format", "json",
    ]  # fmt: skip
    assert main(args) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["rehearsal"]["longest_wait_seconds"] > BUDGET
    (subject,) = data["subjects"]
    assert subject["report"]["findings"][0]["change"] == "lock-wait-over-budget"
    assert data["ok"] is False
    assert "password" not in json.dumps(data).lower()


def _databases(server: PostgresServer) -> set[str]:
    url = server.info.libpq_url()
    with psycopg.connect(url, autocommit=True) as conn:
        return {r[0] for r in conn.execute("SELECT datname FROM pg_database")}


def test_db_upgrade_applies_a_concurrent_revision(
    edu_postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recipe lint gives (an autocommit block) must apply with the package's own
    ``migrate.upgrade``, which the plugin, ``seed`` and ``db upgrade`` use."""
    from edu_contracts.db import migrate
    from edu_contracts.migrations.operations import alembic_config

    package_config = migrate.alembic_config
    locations = alembic_config([CORPUS / "versions"]).get_main_option("version_locations")

    def with_corpus(url: str | None = None) -> object:
        config = package_config(url)
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", str(locations))
        return config

    monkeypatch.setattr(migrate, "alembic_config", with_corpus)
    url = edu_postgres.create_database("concurrent_upgrade")
    migrate.upgrade(url, "safe_index_not_concurrent")
    assert migrate.current(url) == "safe_index_not_concurrent"
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        row = conn.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_documents_mime_type'::regclass"
        ).fetchone()
    assert row == (True,)
