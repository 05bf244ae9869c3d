"""The cached, migrated cluster: right schema by construction, never stale, bounded."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import psycopg
import pytest

from edu_contracts.services import _cluster_cache as cache
from edu_contracts.services.janitor import DatabaseJanitor
from edu_contracts.services.ownership import Marker
from edu_contracts.services.postgres import EmbeddedPostgres, _server_version


def test_a_server_from_the_cache_holds_the_migrated_template() -> None:
    server = EmbeddedPostgres(with_template=True)
    try:
        server.spawn()
        info = server.wait_ready()
        name = cache.template_name(cache.schema_key(_server_version(server.bin_dir)))
        with psycopg.connect(info.libpq_url(), autocommit=True) as conn:
            row = conn.execute(
                "SELECT datistemplate FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            assert row == (True,)
            conn.execute(f'CREATE DATABASE probe TEMPLATE "{name}"')
        with psycopg.connect(info.libpq_url("probe")) as conn:
            tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables")}
            version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        assert {"users", "document_segments", "user_usage"} <= tables
        assert version is not None
    finally:
        server.stop()


def test_the_key_follows_every_schema_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "edu_contracts"
    for folder in ("db", "schemas"):
        shutil.copytree(cache._PACKAGE / folder, copy / folder)
    monkeypatch.setattr(cache, "_PACKAGE", copy)
    cache.schema_key.cache_clear()
    try:
        original = cache.schema_key("18")
        assert cache.schema_key.__wrapped__("18") == original
        assert cache.schema_key.__wrapped__("19") != original
        model = copy / "db" / "models" / "user.py"
        model.write_text(model.read_text() + "\n# a changed model\n")
        assert cache.schema_key.__wrapped__("18") != original
    finally:
        cache.schema_key.cache_clear()


def test_prune_keeps_the_entry_in_use_and_drops_the_oldest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "_root", lambda: tmp_path)
    entries = []
    for i, name in enumerate(("old", "mid", "new")):
        entry = tmp_path / name
        (entry / "data").mkdir(parents=True)
        (entry / "data" / "blob").write_bytes(b"x" * 1000)
        os.utime(entry, (1_000_000 + i, 1_000_000 + i))
        entries.append(entry)
    removed = cache.prune(keep=entries[0], max_bytes=1500)
    assert sorted(p.name for p in removed) == ["mid"]
    assert [e.exists() for e in entries] == [True, False, True]


def test_a_reaper_keeps_the_cached_template() -> None:
    """The builder of the cached template is long gone; a reaper reaching a run's
    server (an inner run on the external backend does) must still leave it, or
    every later clone from it fails."""

    server = EmbeddedPostgres(with_template=True)
    try:
        server.spawn()
        info = server.wait_ready()
        name = cache.template_name(cache.schema_key(_server_version(server.bin_dir)))
        reaper = DatabaseJanitor(info, "reaper")
        marker = Marker.verify(reaper.markers(name.replace("_", r"\_"))[name], name)
        # what the reaper spares, whether or not the builder still lives
        assert marker is not None
        assert (marker.kind, marker.state) == ("template", "ready")
        assert name not in reaper.reap()
        assert name in reaper.markers(name.replace("_", r"\_"))
    finally:
        server.stop()
