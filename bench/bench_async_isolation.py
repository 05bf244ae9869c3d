"""Per-test isolation cost of the async fixtures against the sync ones, same run.

The peer an async team compares with is the sync fixture set it would
otherwise use (``edu_session``), so every row is a ratio to it. Each variant
is a real ``pytest`` subprocess in a scratch project, all pointed at one set
of services started here (external backend), so no run pays a start-up; the
number is the setup + teardown time pytest reports per test (first and last
test dropped: they carry the session's start and stop), as a median.

Rows:

- sync ``edu_session`` (the peer) and ``edu_session`` under
  ``edu_isolation("database")`` (a database cloned per test);
- ``edu_async_session`` on psycopg and on asyncpg (pytest-asyncio strict,
  a new event loop per test, so each test opens one new connection: a
  pooled connection cannot outlive its loop);
- ``edu_async_session`` under ``edu_isolation("database")``;
- factories: ``project(documents=2)`` through ``edu_factories`` and through
  ``edu_async_factories`` (the sync facade run in ``AsyncSession.run_sync``),
  timed inside the test (call phase), which is what the bridge costs.

``BENCH_ASYNC_TESTS`` sets the tests per variant (default 100).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import BenchTable, ratio, scratch_project

TESTS = int(os.environ.get("BENCH_ASYNC_TESTS", "100"))

_INI = """
[pytest]
addopts = -p no:cacheprovider -p no:randomly
asyncio_default_fixture_loop_scope = function
"""

_CONFTEST = """
import json, os
_phases = {}

def pytest_runtest_logreport(report):
    key = "call" if report.when == "call" else "fixture"
    if report.when in ("setup", "teardown", "call"):
        slot = _phases.setdefault(report.nodeid, {"fixture": 0.0, "call": 0.0})
        slot[key] += report.duration

def pytest_sessionfinish(session):
    with open(os.environ["BENCH_PHASES"], "w") as fh:
        json.dump(list(_phases.values()), fh)
"""

_SYNC = """
import pytest
from sqlalchemy import text
{marker}
@pytest.mark.parametrize("i", range({n}))
def test_isolated(edu_session, i):
    assert edu_session.execute(text("select count(*) from users")).scalar() == 0
"""

_ASYNC = """
import pytest
from sqlalchemy import text
{marker}
@pytest.mark.asyncio
@pytest.mark.parametrize("i", range({n}))
async def test_isolated(edu_async_session, i):
    assert (await edu_async_session.execute(text("select count(*) from users"))).scalar() == 0
"""

_SYNC_FACTORIES = """
import pytest
@pytest.mark.parametrize("i", range({n}))
def test_factories(edu_factories, i):
    assert len(edu_factories.project(documents=2).documents) == 2
"""

_ASYNC_FACTORIES = """
import pytest
@pytest.mark.asyncio
@pytest.mark.parametrize("i", range({n}))
async def test_factories(edu_async_factories, i):
    project = await edu_async_factories.project(documents=2)
    assert project.id is not None
"""

_DATABASE = '@pytest.mark.edu_isolation("database")'


def _phases(test: str, backend: list[str], *args: str) -> dict[str, float]:
    """Median per-test fixture (setup + teardown) and call seconds."""
    files = {"conftest.py": _CONFTEST, "test_bench.py": test}
    with scratch_project("async", files, ini=_INI) as root:
        out = root / "phases.json"
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", *backend, *args],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "BENCH_PHASES": str(out)},
        )
        if result.returncode != 0:
            raise RuntimeError(f"scratch suite failed:\n{result.stdout[-3000:]}")
        phases = json.loads(out.read_text())[1:-1]
    return {k: statistics.median(p[k] for p in phases) for k in ("fixture", "call")}


def run() -> list[BenchTable]:
    from edu_contracts.config import EduConfig
    from edu_contracts.services import running_services

    with running_services(EduConfig()) as services:
        backend = [
            "--edu-backend=external",
            f"--edu-postgres-url={services.postgres.libpq_url()}",
            f"--edu-azure-connection-string={services.azurite.connection_string}",
        ]
        started = time.perf_counter()
        n = TESTS
        sync = _phases(_SYNC.format(marker="", n=n), backend)["fixture"]
        variants = [
            ("sync `edu_session` (peer)", sync),
            ("sync, `edu_isolation(\"database\")`",
             _phases(_SYNC.format(marker=_DATABASE, n=n), backend)["fixture"]),
            ("async `edu_async_session`, psycopg",
             _phases(_ASYNC.format(marker="", n=n), backend)["fixture"]),
            ("async `edu_async_session`, asyncpg",
             _phases(_ASYNC.format(marker="", n=n), backend, "--edu-async-driver=asyncpg")[
                 "fixture"]),
            ("async, `edu_isolation(\"database\")`",
             _phases(_ASYNC.format(marker=_DATABASE, n=n), backend)["fixture"]),
        ]  # fmt: skip
        sync_factories = _phases(_SYNC_FACTORIES.format(n=n), backend)["call"]
        async_factories = _phases(_ASYNC_FACTORIES.format(n=n), backend)["call"]
        elapsed = time.perf_counter() - started

    isolation = BenchTable(
        title=f"Async per-test isolation vs sync ({n} tests per variant)",
        columns=["fixtures", "setup + teardown per test (ms)", "vs sync (x faster)"],
        rows=[(label, seconds * 1000, ratio(seconds, sync)) for label, seconds in variants],
        notes=[
            "each variant is a pytest subprocess on the same services (external backend); "
            "median of the per-test setup+teardown pytest reports, first and last test dropped",
            "the async rows include pytest-asyncio's per-test event loop and one new "
            "connection per test (a pooled connection cannot outlive the loop that opened it)",
            f"all variants together took {elapsed:.0f} s",
        ],
    )
    factories = BenchTable(
        title="Async factories: the sync facade through AsyncSession.run_sync",
        columns=["factories", "project(documents=2) per call (ms)", "vs sync (x faster)"],
        rows=[
            (label, seconds * 1000, ratio(seconds, sync_factories))
            for label, seconds in (
                ("`edu_factories` (peer)", sync_factories),
                ("`edu_async_factories`", async_factories),
            )
        ],
        notes=["the test's call phase (median), which holds the factory call and its flush"],
    )
    return [isolation, factories]


if __name__ == "__main__":
    for table in run():
        print(table.to_markdown())
