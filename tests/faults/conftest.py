"""Shared helpers of the fault suite.

pytester points ``HOME`` at a scratch directory, which would make every
inner run install Azurite and initdb again into a fresh per-user cache. The
inner runs here get the real cache through ``EDU_CONTRACTS_CACHE_DIR``,
computed once at import, before any pytester fixture changes ``HOME``.
"""

from __future__ import annotations

import os

import pytest

from edu_contracts.services._paths import CACHE_ENV, cache_dir

REAL_CACHE_DIR = str(cache_dir())


@pytest.fixture
def inner_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Environment for pytester runs: the real service cache, no inherited EDU_* options."""
    monkeypatch.setenv(CACHE_ENV, REAL_CACHE_DIR)
    for key in list(os.environ):
        if key.startswith("EDU_") and key != CACHE_ENV:
            monkeypatch.delenv(key)


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (the SDK's aio transport is aiohttp, asyncio only)."""
    return "asyncio"


# -- counts: one summary line per fault class (a test module of this folder) ----

_FAULT_COUNTS: dict[str, dict[str, int]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "tests/faults/" not in report.nodeid.replace("\\", "/"):
        return
    if report.when != "call" and not (report.when == "setup" and report.outcome != "passed"):
        return
    fault = report.nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    fault = fault.removeprefix("test_fault_").removesuffix(".py")
    counts = _FAULT_COUNTS.setdefault(fault, {})
    counts[report.outcome] = counts.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _FAULT_COUNTS:
        return
    terminalreporter.section("fault suite")
    for fault, counts in sorted(_FAULT_COUNTS.items()):
        shown = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        terminalreporter.write_line(f"fault {fault}: {shown}")
