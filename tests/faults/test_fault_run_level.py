"""Whole pytest runs under faults: services killed mid-session, a run killed outright.

Each test writes a small service suite and runs it in a fresh pytest
(pytester), as a service repo would. The inner suites reach the service
processes through ``Services._liveness`` (the bound ``check_alive`` of each
``ManagedProcess``): private, but the only handle on the real pids.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from edu_contracts.services._process import pid_alive

pytestmark = pytest.mark.usefixtures("inner_env")

# Records each phase's outcome, duration and error text, so the outer test can
# assert *how fast* and *with what* the next test failed.
REPORT_CONFTEST = """
import json, os

_reports = {}

def pytest_runtest_logreport(report):
    entry = _reports.setdefault(report.nodeid, {})
    entry[report.when] = {
        "outcome": report.outcome,
        "duration": report.duration,
        "text": report.longreprtext,
    }

def pytest_sessionfinish(session):
    with open(os.environ["FAULT_REPORTS"], "w") as fh:
        json.dump(_reports, fh)
"""

PROCESSES_HELPER = """
import json, os, subprocess

def service_processes(services):
    found = {}
    for check in services._liveness:
        proc = check.__self__
        pids = [proc.popen.pid]
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(proc.popen.pid)],
                             capture_output=True, text=True).stdout
        pids += [int(p) for p in out.split()]
        found[proc.name] = {"pids": pids, "run_dir": str(proc.run_dir), "proc": proc}
    return found

def write_processes(services, path):
    found = service_processes(services)
    with open(path, "w") as fh:
        json.dump({k: {"pids": v["pids"], "run_dir": v["run_dir"]} for k, v in found.items()}, fh)
    return found
"""


def _reports(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def _wait_dead(pids: list[int], timeout: float = 15.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if pid_alive(pid)]
        if not alive:
            return []
        time.sleep(0.05)
    return [pid for pid in pids if pid_alive(pid)]


KILL_SUITE = """
import os, signal, time
from sqlalchemy import text
from helpers import write_processes

def test_1_kill_{slug}(edu_session, edu_queue, edu_services):
    edu_session.execute(text("select 1"))
    found = write_processes(edu_services, os.environ["FAULT_PROCESSES"])
    victim = next(v for name, v in found.items() if "{service}" in name)
    os.kill(victim["pids"][0], signal.SIGKILL)
    deadline = time.monotonic() + 10
    while victim["proc"].alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not victim["proc"].alive()

def test_2_database_after_the_kill(edu_session):
    edu_session.execute(text("select 1"))

def test_3_queue_after_the_kill(edu_queue):
    pass
"""


@pytest.mark.parametrize(("service", "slug"), [("PostgreSQL", "postgres"), ("Azurite", "azurite")])
def test_killed_service_fails_the_next_tests_fast_naming_it(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    service: str,
    slug: str,
) -> None:
    reports, processes = pytester.path / "reports.json", pytester.path / "processes.json"
    monkeypatch.setenv("FAULT_REPORTS", str(reports))
    monkeypatch.setenv("FAULT_PROCESSES", str(processes))
    pytester.makeconftest(REPORT_CONFTEST)
    pytester.makepyfile(helpers=PROCESSES_HELPER)
    pytester.makepyfile(test_kill=KILL_SUITE.format(service=service, slug=slug))

    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")

    seen = _reports(reports)
    by_name = {nodeid.split("::")[-1]: entry for nodeid, entry in seen.items()}
    assert by_name[f"test_1_kill_{slug}"]["call"]["outcome"] == "passed", result.stdout.str()
    for name in ("test_2_database_after_the_kill", "test_3_queue_after_the_kill"):
        setup = by_name[name]["setup"]
        assert setup["outcome"] == "failed", (name, setup)
        assert "ServiceDiedError" in setup["text"], setup["text"][-2000:]
        assert service in setup["text"], setup["text"][-2000:]
        assert setup["duration"] < 5.0, f"{name} took {setup['duration']:.1f} s to fail"
    slowest = max(by_name[n]["setup"]["duration"] for n in by_name if n[:6] in {"test_2", "test_3"})
    print(f"\n{service} killed: the next tests failed within {slowest:.2f} s, naming it")

    # and the run still cleaned up after itself
    left = json.loads(processes.read_text())
    all_pids = [pid for entry in left.values() for pid in entry["pids"]]
    assert _wait_dead(all_pids) == [], f"processes left behind: {left}"
    for entry in left.values():
        assert not Path(entry["run_dir"]).exists(), f"run dir left behind: {entry['run_dir']}"


def test_postgres_killed_before_first_database_use_is_named_as_died(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports, processes = pytester.path / "reports.json", pytester.path / "processes.json"
    monkeypatch.setenv("FAULT_REPORTS", str(reports))
    monkeypatch.setenv("FAULT_PROCESSES", str(processes))
    pytester.makeconftest(REPORT_CONFTEST)
    pytester.makepyfile(helpers=PROCESSES_HELPER)
    pytester.makepyfile(
        test_kill="""
import os, signal, time
from sqlalchemy import text
from helpers import write_processes

def test_1_kill_before_any_database(edu_services):
    found = write_processes(edu_services, os.environ["FAULT_PROCESSES"])
    victim = next(v for name, v in found.items() if "PostgreSQL" in name)
    os.kill(victim["pids"][0], signal.SIGKILL)
    while victim["proc"].alive():
        time.sleep(0.02)

def test_2_first_database_use(edu_session):
    edu_session.execute(text("select 1"))
"""
    )
    pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    setup = _reports(reports)["test_kill.py::test_2_first_database_use"]["setup"]
    assert setup["outcome"] == "failed"
    assert "ServiceDiedError" in setup["text"], setup["text"][-1500:]
    assert "PostgreSQL" in setup["text"]


SLEEPING_SUITE = """
import os, time
from sqlalchemy import text
from helpers import write_processes

def test_hangs(edu_session, edu_queue, edu_services, edu_database_url):
    edu_session.execute(text("select 1"))
    write_processes(edu_services, os.environ["FAULT_PROCESSES"] + ".tmp")
    os.rename(os.environ["FAULT_PROCESSES"] + ".tmp", os.environ["FAULT_PROCESSES"])
    time.sleep(120)
"""


def _start_hanging_run(pytester: pytest.Pytester, processes: Path) -> subprocess.Popen[bytes]:
    pytester.makepyfile(helpers=PROCESSES_HELPER)
    pytester.makepyfile(test_hang=SLEEPING_SUITE)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider",
         "test_hang.py"],
        cwd=pytester.path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not processes.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the hanging run never reached its test")
        time.sleep(0.1)
    return proc


def test_sigkilled_run_leaves_nothing_and_the_next_run_starts_clean(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    processes = pytester.path / "processes.json"
    monkeypatch.setenv("FAULT_PROCESSES", str(processes))
    run = _start_hanging_run(pytester, processes)
    left = json.loads(processes.read_text())
    run.send_signal(signal.SIGKILL)  # no finally, no atexit, no hook runs
    run.wait(10)

    all_pids = [pid for entry in left.values() for pid in entry["pids"]]
    assert _wait_dead(all_pids) == [], f"service processes outlived the killed run: {left}"

    # the next run starts clean: it reaps the dead run's directories (and with
    # them the embedded cluster holding the template database)
    pytester.makepyfile(
        test_next="""
from sqlalchemy import text

def test_next(edu_session, edu_queue):
    assert edu_session.execute(text("select count(*) from users")).scalar() == 0
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider",
                                           "test_next.py")  # fmt: skip
    assert result.parseoutcomes() == {"passed": 1}, result.stdout.str()
    for entry in left.values():
        run_dir = Path(entry["run_dir"])
        assert not run_dir.exists(), f"run dir of the killed run survived: {run_dir}"
    print(f"\nSIGKILLed run: {len(all_pids)} service processes died with it; "
          f"{len(left)} run dirs reaped by the next run")  # fmt: skip
