"""A cached Postgres cluster that already holds the migrated template database.

Migrating costs a second per run (importing the models and Alembic, then
running the revisions), and the result is the same every time the schema is
the same. So it is done once: a cluster is initialised, the template
database ``edu_tpl_<key>`` is migrated in it, the server is shut down
cleanly, and the data directory is kept in the per-user cache. A run copies
that directory (as it copied the bare initdb'd one before) and clones its
database from the template: no Alembic, no models.

The key is a hash of every source file that shapes the schema (the models,
their column types and JSONB shapes, the migrations), the versions of the
libraries that render it, and the server version. It is cheap (no import of
SQLAlchemy) and a superset of what matters, so a cache can be rebuilt
needlessly but never used stale. Entries beyond ``MAX_CACHE_BYTES`` are
pruned, least recently used first.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import subprocess
from pathlib import Path

from filelock import FileLock, Timeout

from edu_contracts._cache import cache_dir, source_key
from edu_contracts.errors import ServiceStartError

__all__ = [
    "MAX_CACHE_BYTES",
    "TEMPLATE_RUN_ID",
    "clear",
    "migrated_cluster",
    "prune",
    "schema_key",
    "template_name",
]

TEMPLATE_RUN_ID = "tpl"  # the janitor run id of kept templates: edu_tpl_<key>
MAX_CACHE_BYTES = 512 * 1024 * 1024
_PACKAGE = Path(__file__).resolve().parents[1]
# everything the DDL is built from: models, types, enums, JSONB shapes, revisions
_SOURCES = ("db", "schemas", "services")  # services: how the cluster is built and signed
_LIBRARIES = ("sqlalchemy", "alembic", "pgvector")


@functools.cache
def schema_key(server_version: str = "") -> str:
    """Hash of the schema's sources, the libraries that render them, the server."""
    return source_key(_SOURCES, _LIBRARIES, server_version, _PACKAGE)


def template_name(key: str) -> str:
    return f"edu_{TEMPLATE_RUN_ID}_{key}"


def _root() -> Path:
    path = cache_dir() / "clusters"
    path.mkdir(parents=True, exist_ok=True)
    return path


def migrated_cluster(bin_dir: Path, owner: tuple[int, int] | None) -> Path:
    """The cached data directory whose template matches the current schema (built on a miss)."""
    from edu_contracts.services.postgres import _server_version, owner_tag

    key = schema_key(_server_version(bin_dir))
    entry = _root() / f"{owner_tag(owner)}-{key}"
    data = entry / "data"
    with FileLock(str(entry) + ".lock", timeout=300):
        if (data / "PG_VERSION").exists():
            os.utime(entry)  # recently used: the last to be pruned
            return data
        _build(entry, key, owner)
    prune(keep=entry)
    return data


def _build(entry: Path, key: str, owner: tuple[int, int] | None) -> None:
    from edu_contracts.db.migrate import upgrade
    from edu_contracts.services.janitor import DatabaseJanitor
    from edu_contracts.services.postgres import EmbeddedPostgres

    server = EmbeddedPostgres()
    try:
        server.spawn()
        info = server.wait_ready()
        # kind "template": signed as kept on purpose. As a "run" database of a builder
        # long gone, any reaper reaching a run's server (an inner run on the external
        # backend) would drop it, and every later clone from it would fail
        keeper = DatabaseJanitor(info, TEMPLATE_RUN_ID, kind="template")
        upgrade(keeper.create(key))
        keeper.mark_template(template_name(key))
        # a clean shutdown writes a checkpoint: every copy then starts without recovery
        assert server.process.popen is not None
        server.process.popen.send_signal(signal.SIGINT)
        if server.process.popen.wait(30) != 0:
            raise ServiceStartError(
                "the Postgres server that built the template did not shut down cleanly",
                where=str(server.process.log_path),
                fix="delete the cache folder and run again",
            )
        entry.mkdir(parents=True, exist_ok=True)
        partial = entry / "data.partial"
        shutil.rmtree(partial, ignore_errors=True)
        subprocess.run(["cp", "-a", str(server.run_dir / "data"), str(partial)], check=True)
        with contextlib.suppress(FileNotFoundError):
            (partial / "postmaster.pid").unlink()
        partial.rename(entry / "data")
    finally:
        server.stop()


def _size(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def prune(keep: Path | None = None, max_bytes: int = MAX_CACHE_BYTES) -> list[Path]:
    """Remove the least recently used clusters until the cache fits ``max_bytes``."""
    entries = sorted(
        (p for p in _root().iterdir() if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    removed: list[Path] = []
    used = 0
    for entry in entries:
        size = _size(entry)
        if entry == keep or used + size <= max_bytes:
            used += size
            continue
        try:
            with FileLock(str(entry) + ".lock", timeout=0):
                shutil.rmtree(entry, ignore_errors=True)
        except Timeout:
            continue  # in use by another run right now
        with contextlib.suppress(FileNotFoundError):
            Path(str(entry) + ".lock").unlink()
        removed.append(entry)
    return removed


def clear() -> None:
    """Forget every cached cluster (they are rebuilt on the next run)."""
    for entry in _root().iterdir():
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
