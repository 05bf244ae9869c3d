"""``--edu-reuse``: keep one project's services running between runs.

The first run starts Postgres and Azurite detached from itself and writes
their addresses and pids to a state file in the per-user cache (keyed on the
project's root directory). Later runs find them there, check that they
still answer, and skip the start-up. ``edu-contracts stop`` ends them.

The migrated template database is keyed on a hash of the migration files
and the models' DDL: a changed schema builds a new template instead of
silently reusing a stale one (the bug pytest-django's ``--reuse-db`` has).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from edu_contracts.config import EduConfig
from edu_contracts.services import AzuriteInfo, PostgresInfo, Services
from edu_contracts.services._cluster_cache import TEMPLATE_RUN_ID, schema_key
from edu_contracts.services._paths import cache_dir
from edu_contracts.services._process import pid_alive

__all__ = [
    "TEMPLATE_RUN_ID",
    "KeptServices",
    "kept_services",
    "project_key",
    "reused_services",
    "reused_template",
    "select_projects",
    "state_path",
    "stop_reused",
    "template_label",
]


def _state_dir() -> Path:
    path = cache_dir() / "reuse"
    path.mkdir(parents=True, exist_ok=True)
    return path


def project_key(rootdir: Path) -> str:
    return hashlib.sha256(str(rootdir.resolve()).encode()).hexdigest()[:12]


def state_path(rootdir: Path) -> Path:
    return _state_dir() / f"{project_key(rootdir)}.json"


def template_label() -> str:
    """The reused template's label: schema hash and owner key id.

    The key id keeps two users' templates on one shared server apart even
    when their schemas are the same (a name clash would otherwise make one
    clone the other's database).
    """
    from edu_contracts.services.ownership import owner_key_id

    # the cluster cache's key: hashed from sources, so no SQLAlchemy or Alembic import
    return f"{schema_key()[:16]}_{owner_key_id()}"


def reused_template(server: PostgresInfo, rootdir: Path, owner_pid: int) -> str:
    """The migrated template for the current schema on ``server``, built if missing.

    Concurrent runs wait for one build (an advisory lock on the name). Older
    templates are dropped only when their marker proves them this project's;
    a half-built one (its builder was killed) is rebuilt.
    """
    from edu_contracts.errors import UnsafeOperationError
    from edu_contracts.services.janitor import DatabaseJanitor
    from edu_contracts.services.ownership import Marker

    project = project_key(rootdir)
    keeper = DatabaseJanitor(
        server, TEMPLATE_RUN_ID, kind="template", project=project, owner_pid=owner_pid
    )
    label = template_label()
    name = keeper.name(label)
    with keeper.admin() as lock:
        lock.execute("SELECT pg_advisory_lock(hashtext(%s))", (name,))
        try:
            markers = keeper.markers()
            for other, comment in markers.items():
                marker = Marker.verify(comment, other)
                if other == name or marker is None or marker.kind != "template":
                    continue
                if marker.project == project and (marker.state == "ready" or marker.owner_gone()):
                    keeper.force_drop_proven(other)  # this project's older schema
            if name in markers:
                marker = Marker.verify(markers[name], name)
                if marker is None:
                    raise UnsafeOperationError(
                        f"database {name!r} exists but nothing proves this toolkit created it",
                        where=f"{server.host}:{server.port}",
                        fix="drop or rename it yourself if it is not needed; edu-contracts "
                        "never drops a database without its ownership marker",
                    )
                if marker.state == "ready":
                    return name
                keeper.force_drop_proven(name)  # half-built: its builder died mid-way
            from edu_contracts.db.migrate import upgrade  # only here: Alembic and the models

            url = keeper.create(label)
            try:
                upgrade(url)
            except BaseException:
                keeper.force_drop_proven(name)
                raise
            keeper.mark_template(name)
            return name
        finally:
            lock.execute("SELECT pg_advisory_unlock(hashtext(%s))", (name,))


def _installed_as_started(state: dict[str, Any]) -> bool:
    """False once a kept server's programs were removed or replaced (a rebuilt venv,
    an upgraded wheel): it runs on, but can no longer load its own extension files."""
    from edu_contracts.services.postgres import postgres_bin_dir

    if state.get("postgres_bin") != str(postgres_bin_dir()):
        return False
    with contextlib.suppress(OSError):  # another user's process: the path check must do
        return not os.readlink(f"/proc/{state['postgres_pid']}/exe").endswith(" (deleted)")
    return True


def _alive(state: dict[str, Any]) -> bool:
    import psycopg

    if not (pid_alive(state["postgres_pid"]) and pid_alive(state["azurite_pid"])):
        return False
    if not _installed_as_started(state):
        return False
    info = PostgresInfo(**state["postgres"])
    try:
        psycopg.connect(info.database_url().conninfo(), connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


def _services_from(state: dict[str, Any]) -> Services:
    return Services(
        PostgresInfo(**state["postgres"]),
        AzuriteInfo(**state["azurite"]),
        "embedded (reused)",
        [lambda: _check_pids(state)],
    )


def _check_pids(state: dict[str, Any]) -> None:
    from edu_contracts.errors import ServiceDiedError

    for name in ("postgres", "azurite"):
        if not pid_alive(state[f"{name}_pid"]):
            raise ServiceDiedError(
                f"the reused {name} service (pid {state[f'{name}_pid']}) is no longer running",
                where=str(state["run_dirs"]),
                fix="run again: --edu-reuse starts fresh services when the old ones are gone",
            )


def _start_detached(config: EduConfig) -> dict[str, Any]:
    from edu_contracts.services.azurite import EmbeddedAzurite
    from edu_contracts.services.postgres import EmbeddedPostgres

    postgres = EmbeddedPostgres(detached=True, with_template=True)
    azurite = EmbeddedAzurite(config.azurite_bin, detached=True)
    try:
        postgres.spawn()
        azurite.spawn()
        pg_info = postgres.wait_ready()
        az_info = azurite.wait_ready()
    except BaseException:
        postgres.stop()
        azurite.stop()
        raise
    return {
        "postgres": asdict(pg_info),
        "azurite": asdict(az_info),
        "postgres_pid": postgres.process.pid,
        "postgres_bin": str(postgres.bin_dir),
        "azurite_pid": azurite.process.pid,
        "run_dirs": [str(postgres.run_dir), str(azurite.run_dir)],
        "started_at": time.time(),
    }


@contextlib.contextmanager
def reused_services(config: EduConfig, rootdir: Path) -> Iterator[Services]:
    """Services of this project, started now or found running from an earlier run."""
    path = state_path(rootdir)
    with FileLock(str(path) + ".lock", timeout=120):
        state: dict[str, Any] | None = None
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            state = json.loads(path.read_text())
            if not _alive(state):
                stop_reused(path)
                state = None
        if state is None:
            state = _start_detached(config)
            state["rootdir"] = str(rootdir.resolve())  # `stop` names and selects projects by it
            path.write_text(json.dumps(state, indent=2))
    yield _services_from(state)


def stop_reused(path: Path) -> bool:
    """Stop the services a state file names and remove their directories."""
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        path.unlink(missing_ok=True)
        return False
    for key, sig in (("postgres_pid", signal.SIGINT), ("azurite_pid", signal.SIGTERM)):
        pid = state.get(key)
        if isinstance(pid, int) and pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
            deadline = time.monotonic() + 5
            while pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.02)
            if pid_alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
    for run_dir in state.get("run_dirs", []):
        shutil.rmtree(run_dir, ignore_errors=True)
    path.unlink(missing_ok=True)
    return True


@dataclass(frozen=True)
class KeptServices:
    """One project's services kept running by ``--edu-reuse``."""

    path: Path  # its state file
    project: str  # the project's root directory (or its key, for older state files)
    pids: tuple[int, ...]


def kept_services() -> list[KeptServices]:
    """Every project's kept service sets in the per-user cache."""
    found = []
    for path in sorted(_state_dir().glob("*.json")):
        try:
            state = json.loads(path.read_text())
            project = str(state.get("rootdir") or path.stem)
            pids = tuple(int(state[k]) for k in ("postgres_pid", "azurite_pid") if k in state)
        except (OSError, ValueError, TypeError, AttributeError):
            project, pids = path.stem, ()
        found.append(KeptServices(path, project, pids))
    return found


def select_projects(
    kept: list[KeptServices], names: list[str]
) -> tuple[list[KeptServices], list[str]]:
    """The sets each name selects (a root path, its last folder name, or the key); unmatched."""
    chosen: list[KeptServices] = []
    unmatched = []
    for name in names:
        hits = [
            k
            for k in kept
            if name in (k.project, k.path.stem, Path(k.project).name)
            or (Path(name).exists() and k.path == state_path(Path(name)))
        ]
        if not hits:
            unmatched.append(name)
        chosen.extend(h for h in hits if h not in chosen)
    return chosen, unmatched
