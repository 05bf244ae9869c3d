"""The plugin's suites on the docker backend, each in a fresh pytest (pytester).

Every inner run starts its own containers, labelled with its run id, exactly
as a service repo's ``pytest --edu-backend docker`` would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from edu_contracts.services._docker_reuse import stop_reused_containers
from edu_contracts.services.docker import LABEL_REUSE, LABEL_RUN, reuse_key

pytestmark = pytest.mark.docker

ISOLATION_AND_QUEUES = """
import uuid
from sqlalchemy import select
from edu_contracts.db.models import User
from edu_contracts.schemas.queue import DocumentProcessingData, DocumentProcessingMessage

EMAIL = "docker-isolation@example.com"

def test_1_commit_and_send(edu_sessionmaker, edu_queue):
    with edu_sessionmaker() as session:
        session.add(User(email=EMAIL))
        session.commit()
    edu_queue.send(DocumentProcessingMessage(data=DocumentProcessingData(
        document_id=uuid.uuid4(), project_id=uuid.uuid4(), user_id=uuid.uuid4())))
    assert len(edu_queue.messages()) == 1

def test_2_nothing_leaks_into_the_next_test(edu_session, edu_queue, edu_services):
    assert edu_services.backend == "docker"
    assert edu_session.scalar(select(User).where(User.email == EMAIL)) is None
    assert edu_queue.messages() == []
"""

RUN_ID = """
def test_probe(edu_services, edu_session, request):
    from edu_contracts.testing._state import run_state
    print("RUN", run_state(request.config).run_id, "PORT", edu_services.postgres.port,
          "BACKEND", edu_services.backend.replace(" ", "_"), flush=True)
"""


def _value(result: pytest.RunResult, key: str) -> str:
    for line in result.stdout.lines:
        if f"{key} " in line:
            return line.split(f"{key} ", 1)[1].split()[0]
    raise AssertionError(f"{key} not printed:\n{result.stdout.str()}")


def _containers_of(client: Any, run_id: str) -> list[Any]:
    return list(client.containers.list(all=True, filters={"label": f"{LABEL_RUN}={run_id}"}))


KILL_POSTGRES = """
import docker
from edu_contracts.testing._state import run_state

def test_4_kill_postgres(edu_session, request):
    client = docker.from_env()
    label = "org.edu-contracts.run-id=" + run_state(request.config).run_id
    [postgres] = client.containers.list(
        filters={"label": [label, "org.edu-contracts.service=postgres"]})
    postgres.kill()
    client.close()

def test_5_the_next_test_fails_at_once_naming_the_dead_container(edu_session):
    pass
"""


def test_isolation_queues_and_a_killed_container_failing_the_next_test(
    pytester: pytest.Pytester, docker_options: list[str], docker_client: Any
) -> None:
    pytester.makepyfile(test_iso=ISOLATION_AND_QUEUES + RUN_ID + KILL_POSTGRES)
    started = time.monotonic()
    result = pytester.runpytest_subprocess("-q", "-s", *docker_options)
    output = result.stdout.str()
    # isolation: 1-3 pass; 4 kills Postgres; 5 errors at once, naming it
    assert result.parseoutcomes() == {"passed": 4, "errors": 1}, output
    assert "test_5_the_next_test_fails_at_once" in output
    assert "ServiceDiedError" in output
    assert "Postgres container is no longer running" in output
    assert time.monotonic() - started < 120  # a guard against a hang, not a speed claim
    assert _containers_of(docker_client, _value(result, "RUN")) == []  # removed at the end


def test_xdist_workers_each_clone_their_own_database(
    pytester: pytest.Pytester, docker_options: list[str]
) -> None:
    pytester.makepyfile(
        test_workers="""
import os
import pytest
from sqlalchemy import text
from edu_contracts.db.models import User

@pytest.mark.parametrize("n", range(4))
def test_worker_db(edu_session, edu_services, n):
    assert edu_services.backend == "docker"
    name = edu_session.scalar(text("select current_database()"))
    assert name.endswith("_db_" + os.environ["PYTEST_XDIST_WORKER"])
    edu_session.add(User(email=f"{name}-{n}@example.com"))
    edu_session.flush()
    assert edu_session.scalar(text("select count(*) from users")) == 1
"""
    )
    result = pytester.runpytest_subprocess("-n", "2", "-q", *docker_options)
    assert result.parseoutcomes() == {"passed": 4}, result.stdout.str()


def test_reuse_keeps_the_containers_for_the_next_run_until_stop(
    pytester: pytest.Pytester,
    docker_options: list[str],
    docker_client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TESTCONTAINERS_RYUK_DISABLED", "true")  # Ryuk would remove them
    key = reuse_key(pytester.path)
    pytester.makepyfile(test_probe=RUN_ID)
    try:
        first = pytester.runpytest_subprocess("-s", "--edu-reuse", *docker_options)
        first.assert_outcomes(passed=1)
        second = pytester.runpytest_subprocess("-s", "--edu-reuse", *docker_options)
        second.assert_outcomes(passed=1)
        kept = docker_client.containers.list(filters={"label": f"{LABEL_REUSE}={key}"})
    finally:
        stopped = stop_reused_containers(key)
    assert _value(first, "PORT") == _value(second, "PORT")
    assert _value(first, "BACKEND") == "docker"
    assert _value(second, "BACKEND") == "docker_(reused)"
    assert len(kept) == 2
    assert stopped == 2
    assert docker_client.containers.list(all=True, filters={"label": f"{LABEL_REUSE}={key}"}) == []


def test_a_sigkilled_run_leaves_no_container_after_the_next_run(
    pytester: pytest.Pytester, docker_options: list[str], docker_client: Any
) -> None:
    pytester.makepyfile(
        test_hang=RUN_ID.replace("flush=True)", "flush=True)\n    import time; time.sleep(600)")
    )
    killed = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-s", "-q", *docker_options],
        cwd=pytester.path,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert killed.stdout is not None
    try:
        line = next(line for line in killed.stdout if line.startswith("RUN "))
    finally:
        killed.send_signal(signal.SIGKILL)  # no finally, no atexit, no Ryuk: containers stay
        killed.wait(10)
        killed.stdout.close()
    run_id = line.split()[1]
    assert len(_containers_of(docker_client, run_id)) == 2  # left behind by the killed run
    pytester.makepyfile(test_hang=RUN_ID)
    after = pytester.runpytest_subprocess("-s", *docker_options)
    after.assert_outcomes(passed=1)
    assert _containers_of(docker_client, run_id) == []
    assert _containers_of(docker_client, _value(after, "RUN")) == []
