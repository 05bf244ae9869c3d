"""Embedded services: start, die loudly, stop completely, clean after a killed run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest

from edu_contracts.errors import ServiceDiedError, UnsafeOperationError
from edu_contracts.services import Services
from edu_contracts.services._process import RUN_DIR_PREFIX, pid_alive, reap_stale_dirs
from edu_contracts.services.azurite import start_embedded_azurite
from edu_contracts.services.janitor import DatabaseJanitor
from edu_contracts.services.postgres import start_embedded_postgres


def _postgres_children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def test_killed_postgres_is_reported_with_its_log() -> None:
    server = start_embedded_postgres()
    try:
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.popen.wait(5)  # type: ignore[union-attr]
        with pytest.raises(ServiceDiedError) as info:
            server.process.check_alive()
        assert "PostgreSQL" in info.value.message
        assert "postgres.log" in str(info.value.where)
    finally:
        server.stop()
    assert not server.run_dir.exists()


def test_killed_azurite_is_reported() -> None:
    service = start_embedded_azurite()
    try:
        os.kill(service.process.pid, signal.SIGKILL)
        service.process.popen.wait(5)  # type: ignore[union-attr]
        with pytest.raises(ServiceDiedError, match="Azurite"):
            service.process.check_alive()
    finally:
        service.stop()


def test_stop_leaves_no_process_and_no_directory() -> None:
    server = start_embedded_postgres()
    pid, run_dir = server.process.pid, server.run_dir
    children = _postgres_children(pid)
    assert children, "postmaster should have background workers"
    server.stop()
    assert not pid_alive(pid)
    assert not any(pid_alive(child) for child in children)
    assert not run_dir.exists()


def test_services_die_with_a_killed_parent_and_next_start_reaps_the_dirs(tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys, time
            from edu_contracts.services.postgres import start_embedded_postgres
            from edu_contracts.services.azurite import start_embedded_azurite
            pg = start_embedded_postgres()
            az = start_embedded_azurite()
            print(pg.process.pid, az.process.pid, pg.run_dir, az.run_dir, flush=True)
            time.sleep(600)
            """
        )
    )
    owner = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    pg_pid, az_pid, pg_dir, az_dir = owner.stdout.readline().split()
    owner.send_signal(signal.SIGKILL)  # no finally, no atexit: only the kernel can clean up
    owner.wait(5)
    owner.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (pid_alive(int(pg_pid)) or pid_alive(int(az_pid))):
        time.sleep(0.05)
    assert not pid_alive(int(pg_pid)), "postgres outlived its killed parent"
    assert not pid_alive(int(az_pid)), "azurite outlived its killed parent"
    assert Path(pg_dir).exists()  # nobody could remove it yet...
    removed = reap_stale_dirs()
    assert Path(pg_dir) in removed
    assert Path(az_dir) in removed
    assert not Path(pg_dir).exists()
    assert Path(pg_dir).name.startswith(RUN_DIR_PREFIX)


def test_janitor_refuses_to_touch_a_database_it_did_not_create(edu_services: Services) -> None:
    info = edu_services.postgres
    with psycopg.connect(info.libpq_url(), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS sentinel_db")
        conn.execute("CREATE DATABASE sentinel_db")
    try:
        janitor = DatabaseJanitor(info, "abcd1234")
        with pytest.raises(UnsafeOperationError, match="sentinel_db"):
            janitor.drop("sentinel_db")
        with pytest.raises(UnsafeOperationError):
            janitor.create("copy", template="sentinel_db")
        with pytest.raises(UnsafeOperationError):
            janitor.mark_template("sentinel_db")
        other_run = DatabaseJanitor(info, "ffff0000")
        mine = janitor.create("mine")
        with pytest.raises(UnsafeOperationError):
            other_run.drop(mine.rsplit("/", 1)[-1])
        janitor.drop_all()
        assert janitor.created == []
        with psycopg.connect(info.libpq_url()) as conn:
            names = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
        assert "sentinel_db" in names
        assert not any(name.startswith(janitor.prefix) for name in names)
    finally:
        with psycopg.connect(info.libpq_url(), autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS sentinel_db")
