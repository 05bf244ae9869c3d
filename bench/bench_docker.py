"""Cold start: the docker backend (testcontainers) against the embedded one, same run.

The docker backend is what a user would otherwise pick (testcontainers'
Postgres and Azurite containers); the embedded backend is the default. Two
questions, measured alternately so both see the same machine load:

1. In-process start to ready (``running_services``): both services
   answering, then stopped; the docker number includes creating, starting
   and removing both containers.
2. A first test's wall time: one test using ``edu_session`` and
   ``edu_queue`` in a fresh ``pytest`` subprocess, minus an empty test's run
   (Python and pytest start-up are not the backend's).

Images come from ``EDU_POSTGRES_IMAGE`` / ``EDU_AZURITE_IMAGE`` (default: the
local images ``docker/build-images.sh`` builds) with pull policy ``never``
unless ``EDU_PULL_POLICY`` says otherwise: a benchmark never pulls by surprise.
Where no engine answers, the table says so instead of a number.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import BenchTable, ratio, scratch_project

REPEAT = 3
# Ryuk's image is usually absent where images are built offline; the plugin reaps its own
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

_FIRST_TEST = """
import uuid
from sqlalchemy import text
from edu_contracts.schemas.queue import DocumentProcessingData, DocumentProcessingMessage

def test_first(edu_session, edu_queue):
    assert edu_session.execute(text("select count(*) from users")).scalar() == 0
    edu_queue.send(DocumentProcessingMessage(data=DocumentProcessingData(
        document_id=uuid.uuid4(), project_id=uuid.uuid4(), user_id=uuid.uuid4())))
"""


def _docker_env() -> dict[str, str]:
    from edu_contracts.services.docker import LOCAL_AZURITE_IMAGE, LOCAL_POSTGRES_IMAGE

    return {
        "EDU_BACKEND": "docker",
        "EDU_POSTGRES_IMAGE": os.environ.get("EDU_POSTGRES_IMAGE", LOCAL_POSTGRES_IMAGE),
        "EDU_AZURITE_IMAGE": os.environ.get("EDU_AZURITE_IMAGE", LOCAL_AZURITE_IMAGE),
        "EDU_PULL_POLICY": os.environ.get("EDU_PULL_POLICY", "never"),
    }


def _config(backend: str) -> object:
    from edu_contracts.config import resolve

    env = _docker_env() if backend == "docker" else {"EDU_BACKEND": "embedded"}
    return resolve({}, env, {})


def _start_once(backend: str) -> float:
    from edu_contracts.services import running_services

    start = time.perf_counter()
    with running_services(_config(backend)) as services:  # type: ignore[arg-type]
        services.prestart(postgres=True, azurite=True)  # embedded starts on demand:
        _ = services.postgres, services.azurite  # both spawned at once, then waited for
        elapsed = time.perf_counter() - start
    return elapsed


def _pytest(root: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"pytest failed in the scratch project:\n{result.stdout[-3000:]}")
    return elapsed


def _engine_problem() -> str | None:
    from edu_contracts.errors import ServiceStartError
    from edu_contracts.services.docker import engine_client

    try:
        engine_client().close()
    except ServiceStartError as exc:
        return exc.message
    return None


def run() -> list[BenchTable]:
    table = BenchTable(
        "Cold start: docker backend (testcontainers) vs embedded",
        ["what", "embedded (s)", "docker (s)", "embedded faster by"],
    )
    problem = _engine_problem()
    if problem is not None:
        table.rows.append(["in-process start", "-", "not measured", problem])
        table.notes.append("start a Docker engine and run docker/build-images.sh to measure")
        return [table]
    samples: dict[str, list[float]] = {"embedded": [], "docker": []}
    for _ in range(REPEAT):  # alternate, so both see the same load
        for backend in ("embedded", "docker"):
            samples[backend].append(_start_once(backend))
    embedded, docker = (statistics.median(samples[b]) for b in ("embedded", "docker"))
    table.rows.append(["in-process start to ready", embedded, docker, ratio(embedded, docker)])

    walls: dict[str, list[float]] = {"empty": [], "embedded": [], "docker": []}
    with (
        scratch_project("docker", {"test_first.py": _FIRST_TEST}) as first,
        scratch_project("docker", {"test_empty.py": "def test_empty():\n    pass\n"}) as empty,
    ):
        for _ in range(REPEAT):
            walls["empty"].append(_pytest(empty, {}))
            walls["embedded"].append(_pytest(first, {"EDU_BACKEND": "embedded"}))
            walls["docker"].append(_pytest(first, _docker_env()))
    base = statistics.median(walls["empty"])
    embedded, docker = (statistics.median(walls[b]) - base for b in ("embedded", "docker"))
    table.rows.append(["first test (minus empty run)", embedded, docker, ratio(embedded, docker)])
    images = _docker_env()
    table.notes += [
        f"median of {REPEAT}, backends alternated in one run; docker images "
        f"{images['EDU_POSTGRES_IMAGE']} and {images['EDU_AZURITE_IMAGE']} (built offline by "
        "docker/build-images.sh), pull policy never, Ryuk disabled",
        "both start Postgres and Azurite at once; the embedded Postgres starts from a cached "
        "initdb'd cluster, the container runs initdb on every start (as the official image does)",
        "the first-test row includes the template migration, the same for both",
        f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
        "(other work on the machine slows both alike)",
    ]
    return [table]
