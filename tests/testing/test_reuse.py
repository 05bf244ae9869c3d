"""--edu-reuse: services survive a run, are found again, and a changed schema is rebuilt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edu_contracts.services._process import pid_alive
from edu_contracts.testing import reuse

PROBE = """
def test_probe(edu_services, edu_session):
    from sqlalchemy import text
    print("PORT", edu_services.postgres.port, "BACKEND", edu_services.backend)
    print("TEMPLATE", edu_session.scalar(text(
        "select string_agg(datname, ',') from pg_database"
        " where datistemplate and datname like 'edu_%'")))
"""


def _value(result: pytest.RunResult, key: str) -> str:
    for line in result.stdout.lines:
        if key in line:
            return line.split(key, 1)[1].split()[0]
    raise AssertionError(f"{key} not printed:\n{result.stdout.str()}")


def test_second_run_reuses_the_running_services(pytester: pytest.Pytester) -> None:
    # the state file is keyed on the project's root, unique to this pytester dir
    state_file = reuse.state_path(pytester.path)
    pytester.makepyfile(test_probe=PROBE)
    try:
        first = pytester.runpytest_subprocess("-s", "--edu-reuse")
        first.assert_outcomes(passed=1)
        second = pytester.runpytest_subprocess("-s", "--edu-reuse")
        second.assert_outcomes(passed=1)
    except BaseException:
        reuse.stop_reused(state_file)
        raise
    assert _value(first, "PORT") == _value(second, "PORT")
    assert _value(second, "BACKEND") == "embedded"
    assert _value(first, "TEMPLATE").startswith("edu_tpl_")
    assert _value(first, "TEMPLATE") == _value(second, "TEMPLATE")

    state = json.loads(state_file.read_text())
    assert pid_alive(state["postgres_pid"])
    assert reuse.stop_reused(state_file)
    assert not pid_alive(state["postgres_pid"])
    assert not pid_alive(state["azurite_pid"])
    assert not any(Path(d).exists() for d in state["run_dirs"])


def test_services_of_a_replaced_install_are_restarted(pytester: pytest.Pytester) -> None:
    """A kept server outlives a rebuilt venv but can no longer load pgvector's files:
    the next run must start fresh services instead of failing to migrate."""
    state_file = reuse.state_path(pytester.path)
    pytester.makepyfile(test_probe=PROBE)
    try:
        pytester.runpytest_subprocess("--edu-reuse").assert_outcomes(passed=1)
        old = json.loads(state_file.read_text())
        state_file.write_text(json.dumps({**old, "postgres_bin": "/gone/pginstall/bin"}))
        pytester.runpytest_subprocess("--edu-reuse").assert_outcomes(passed=1)
        new = json.loads(state_file.read_text())
    finally:
        reuse.stop_reused(state_file)
    assert new["postgres_pid"] != old["postgres_pid"]
    assert not pid_alive(old["postgres_pid"])
    assert not pid_alive(old["azurite_pid"])
