"""The external backend on servers we do not own: sentinels survive every kind of run.

The test starts its own Postgres and Azurite (standing in for a shared CI
server and a real storage account), puts a sentinel database, a sentinel
queue and a database named like *another* run's (``edu_00000000_…``) on
them, then points three inner runs at them: one that passes, one that fails
and errors, and one interrupted with SIGINT. After each, every sentinel is
exactly as it was, and the run left none of its own databases or queues.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from azure.storage.queue import QueueServiceClient

from edu_contracts.services.azurite import start_embedded_azurite
from edu_contracts.services.postgres import start_embedded_postgres

pytestmark = pytest.mark.usefixtures("inner_env")

SENTINEL_DB = "sentinel_keep"
FOREIGN_RUN_DB = "edu_00000000_db_main"  # looks like the plugin's, belongs to another run
SENTINEL_QUEUE = "sentinel-keep"
SENTINEL_TEXT = "sentinel message, do not delete"

SUITE = """
import os, time, uuid
import pytest
from sqlalchemy import text
from edu_contracts.db.models import User
from edu_contracts.schemas.queue import DocumentProcessingData, DocumentProcessingMessage

def _message():
    return DocumentProcessingMessage(data=DocumentProcessingData(
        document_id=uuid.uuid4(), project_id=uuid.uuid4(), user_id=uuid.uuid4()))

def test_uses_everything(edu_session, edu_queue, edu_postgres):
    edu_session.add(User(email="external@example.com"))
    edu_session.commit()
    edu_queue.send(_message())
    edu_postgres.create_database("scratch")
    {tail}
"""
TAILS = {
    "passing": "pass",
    "failing": "assert False, 'this run fails on purpose'",
    "interrupted": "open(os.environ['FAULT_READY'], 'w').close(); time.sleep(120)",
}


@dataclass
class Servers:
    postgres_url: str
    admin_url: str
    connection_string: str


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    postgres = start_embedded_postgres()
    azurite = start_embedded_azurite()
    try:
        assert azurite.info is not None
        admin = postgres.info.libpq_url()
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in (SENTINEL_DB, FOREIGN_RUN_DB):
                conn.execute(f'CREATE DATABASE "{name}"')
        for name in (SENTINEL_DB, FOREIGN_RUN_DB):
            with psycopg.connect(postgres.info.libpq_url(name), autocommit=True) as conn:
                conn.execute("CREATE TABLE keep (id int PRIMARY KEY, note text)")
                conn.execute("INSERT INTO keep VALUES (1, 'sentinel row')")
        account = QueueServiceClient.from_connection_string(azurite.info.connection_string)
        account.create_queue(SENTINEL_QUEUE).send_message(SENTINEL_TEXT)
        yield Servers(admin, admin, azurite.info.connection_string)
    finally:
        azurite.stop()
        postgres.stop()


def _assert_untouched(servers: Servers, run: str) -> None:
    with psycopg.connect(servers.admin_url) as conn:
        names = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
    assert {SENTINEL_DB, FOREIGN_RUN_DB} <= names, f"{run}: a sentinel database is gone"
    for name in (SENTINEL_DB, FOREIGN_RUN_DB):
        url = servers.admin_url.rsplit("/", 1)[0] + "/" + name
        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT id, note FROM keep").fetchall()
        assert rows == [(1, "sentinel row")], f"{run}: {name} changed: {rows}"
    leftovers = {n for n in names if n.startswith("edu_") and n != FOREIGN_RUN_DB}
    assert not leftovers, f"{run}: the run left its databases behind: {leftovers}"

    account = QueueServiceClient.from_connection_string(servers.connection_string)
    queues = {q.name for q in account.list_queues()}
    assert SENTINEL_QUEUE in queues, f"{run}: the sentinel queue is gone"
    peeked = [m.content for m in account.get_queue_client(SENTINEL_QUEUE).peek_messages(32)]
    assert peeked == [SENTINEL_TEXT], f"{run}: the sentinel queue changed: {peeked}"
    assert queues == {SENTINEL_QUEUE}, f"{run}: the run left queues behind: {queues}"


def _args(servers: Servers) -> list[str]:
    return [
        "-p", "no:randomly", "-p", "no:cacheprovider",
        "--edu-backend=external",
        f"--edu-postgres-url={servers.postgres_url}",
        f"--edu-azure-connection-string={servers.connection_string}",
    ]  # fmt: skip


@pytest.mark.parametrize("run", ["passing", "failing"])
def test_sentinels_survive_a_complete_run(
    pytester: pytest.Pytester, servers: Servers, run: str
) -> None:
    pytester.makepyfile(test_external=SUITE.format(tail=TAILS[run]))
    result = pytester.runpytest_subprocess(*_args(servers))
    expected = {"passed": 1} if run == "passing" else {"failed": 1}
    assert result.parseoutcomes() == expected, result.stdout.str()
    _assert_untouched(servers, run)


def test_sentinels_survive_an_interrupted_run(
    pytester: pytest.Pytester, servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    ready = pytester.path / "ready"
    monkeypatch.setenv("FAULT_READY", str(ready))
    pytester.makepyfile(test_external=SUITE.format(tail=TAILS["interrupted"]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", *_args(servers)],
        cwd=pytester.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while not ready.exists():
        assert proc.poll() is None, proc.communicate()[0].decode()[-3000:]
        assert time.monotonic() < deadline, "the inner run never reached its test"
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)  # Ctrl-C
    output = proc.communicate(timeout=60)[0].decode()
    assert proc.returncode == 2, output[-3000:]  # pytest's "interrupted"
    assert "KeyboardInterrupt" in output
    _assert_untouched(servers, "interrupted (SIGINT)")


def test_the_sentinel_setup_is_real(servers: Servers, tmp_path: Path) -> None:
    """Guard against a vacuous pass: the checks above do see the sentinels."""
    _assert_untouched(servers, "before any run")
