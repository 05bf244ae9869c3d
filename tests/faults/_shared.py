"""Shared servers for the fault suite: a Postgres and an Azurite we do not "own".

The outer test starts them with the project's own code; they stand in for a
shared CI Postgres and a real storage account. Sentinels (a database with a
table and rows, a queue with a message and metadata) are fingerprinted
byte for byte: ``pg_dump`` of each sentinel database plus its comment and
flags, and each sentinel queue's metadata and messages.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from azure.storage.queue import QueueServiceClient
from psycopg import sql

from edu_contracts.services.azurite import EmbeddedAzurite, start_embedded_azurite
from edu_contracts.services.ownership import Marker
from edu_contracts.services.postgres import (
    EmbeddedPostgres,
    PostgresInfo,
    postgres_bin_dir,
    start_embedded_postgres,
)


@dataclass
class SharedServers:
    postgres: EmbeddedPostgres
    azurite: EmbeddedAzurite
    info: PostgresInfo  # how the inner runs log in (may carry a password)
    connection_string: str
    sentinel_dbs: list[str] = field(default_factory=list)
    sentinel_queues: list[str] = field(default_factory=list)

    @property
    def admin(self) -> PostgresInfo:
        return self.info

    def connect(self, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.info.database_url(database).conninfo(), autocommit=True)

    def databases(self) -> dict[str, tuple[str | None, bool, bool]]:
        """Every database: its comment, is-template and allow-connections flags."""
        with self.connect() as conn:
            rows = conn.execute(
                "SELECT datname, shobj_description(oid, 'pg_database'), datistemplate,"
                " datallowconn FROM pg_database WHERE datname NOT IN "
                "('postgres', 'template0', 'template1')"
            ).fetchall()
        return {str(r[0]): (r[1], bool(r[2]), bool(r[3])) for r in rows}  # type: ignore[misc]

    def account(self) -> QueueServiceClient:
        return QueueServiceClient.from_connection_string(self.connection_string)

    def queues(self) -> dict[str, dict[str, str]]:
        with self.account() as account:
            return {
                q.name: dict(q.metadata or {}) for q in account.list_queues(include_metadata=True)
            }

    def add_sentinel_db(self, name: str, comment: str | None = None) -> None:
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
            if comment is not None:
                conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{comment}'")
        with self.connect(name) as conn:
            conn.execute("CREATE TABLE keep (id int PRIMARY KEY, note text)")
            conn.execute("INSERT INTO keep VALUES (1, 'sentinel row')")
        self.sentinel_dbs.append(name)

    def add_sentinel_queue(self, name: str, metadata: dict[str, str] | None = None) -> None:
        with self.account() as account:
            queue = account.create_queue(name, metadata=metadata)
            queue.send_message(f"sentinel message of {name}, do not delete")
        self.sentinel_queues.append(name)

    def fingerprint(self) -> dict[str, object]:
        """Byte-level state of every sentinel (dump, comment, flags, metadata, messages)."""
        dbs = self.databases()
        prints: dict[str, object] = {}
        pg_dump = str(postgres_bin_dir() / "pg_dump")
        for name in self.sentinel_dbs:
            if name not in dbs:
                prints[name] = "MISSING"
                continue
            dump = subprocess.run(
                [
                    pg_dump,
                    "--no-owner",
                    self.info.database_url(name).conninfo(),
                ],
                capture_output=True,
                check=True,
            ).stdout
            body = b"\n".join(
                line
                for line in dump.splitlines()
                if not line.startswith(b"\\restrict") and not line.startswith(b"\\unrestrict")
            )
            prints[name] = (body, dbs[name])
        queues = self.queues()
        with self.account() as account:
            for name in self.sentinel_queues:
                if name not in queues:
                    prints[name] = "MISSING"
                    continue
                peeked = account.get_queue_client(name).peek_messages(max_messages=32)
                prints[name] = (queues[name], [(m.id, m.content, m.dequeue_count) for m in peeked])
        return prints

    def leftovers(self) -> set[str]:
        """Databases and queues named like the toolkit's that are not sentinels.

        A template kept by ``--edu-reuse`` is not a leftover if its marker
        proves it ours, complete (``state=ready``) and a template.
        """
        dbs = self.databases()
        names = {n for n in dbs if n.startswith("edu_")}
        names |= {n for n in self.queues() if n.startswith("edu-")}
        names -= set(self.sentinel_dbs) | set(self.sentinel_queues)
        for name in list(names):
            marker = Marker.verify(dbs[name][0], name) if name in dbs else None
            if marker and marker.kind == "template" and marker.state == "ready":
                names.discard(name)
        return names


@contextmanager
def shared_servers(
    *, password: Callable[[int], str] | None = None, account_key: str | None = None
) -> Iterator[SharedServers]:
    """Start both; with ``password`` (made from the port), Postgres checks it (SCRAM); with
    ``account_key``, Azurite's account uses that key instead of the public one."""
    saved = os.environ.get("AZURITE_ACCOUNTS")
    if account_key is not None:
        os.environ["AZURITE_ACCOUNTS"] = f"devstoreaccount1:{account_key}"
    try:
        azurite = start_embedded_azurite()
    finally:
        if saved is None:
            os.environ.pop("AZURITE_ACCOUNTS", None)
        else:
            os.environ["AZURITE_ACCOUNTS"] = saved
    postgres = start_embedded_postgres()
    try:
        info = postgres.info
        if password is not None:
            secret = password(info.port)
            with psycopg.connect(info.database_url().conninfo(), autocommit=True) as conn:
                conn.execute(sql.SQL("ALTER ROLE postgres PASSWORD {}").format(sql.Literal(secret)))
            hba = postgres.run_dir / "data" / "pg_hba.conf"
            hba.write_text("host all all 127.0.0.1/32 scram-sha-256\n")
            with psycopg.connect(info.database_url().conninfo(), autocommit=True) as conn:
                conn.execute("SELECT pg_reload_conf()")
            info = PostgresInfo(info.host, info.port, "postgres", secret)
        assert azurite.info is not None
        conn_str = azurite.info.connection_string
        if account_key is not None:
            conn_str = conn_str.replace(conn_str.split("AccountKey=")[1].split(";")[0], account_key)
        yield SharedServers(postgres, azurite, info, str(conn_str))
    finally:
        postgres.stop()
        azurite.stop()


def external_args(servers: SharedServers) -> list[str]:
    return [
        "-p", "no:randomly", "-p", "no:cacheprovider",
        "--edu-backend=external",
        f"--edu-postgres-url={servers.info.libpq_url()}",
        f"--edu-azure-connection-string={servers.connection_string}",
    ]  # fmt: skip


@dataclass
class Killed:
    output: str
    returncode: int


def run_until_ready_then(
    cwd: Path, args: Sequence[str], ready: Path, sig: signal.Signals, timeout: float = 180
) -> Killed:
    """Start an inner pytest in its own session, wait for ``ready``, send ``sig``
    to the whole process group (controller and xdist workers alike), as a
    terminal's Ctrl-C or a CI job's kill does."""
    env = {**os.environ, "FAULT_READY": str(ready)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if proc.poll() is not None:
            raise AssertionError(proc.communicate()[0].decode()[-3000:])
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            raise AssertionError("the inner run never reached its test")
        time.sleep(0.1)
    os.killpg(proc.pid, sig)
    output = proc.communicate(timeout=90)[0].decode(errors="replace")
    if sig is signal.SIGKILL:
        _wait_group_gone(proc.pid)
    return Killed(output, proc.returncode)


def _wait_group_gone(pgid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"process group {pgid} outlived SIGKILL")
