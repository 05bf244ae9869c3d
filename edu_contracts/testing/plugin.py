"""pytest plugin entry point (``pytest11``): options, run state, xdist hand-over.

Installing ``edu-contracts[testing]`` activates it; the fixtures live in
``edu_contracts.testing.fixtures``. Importing this module must stay cheap:
a suite that uses none of the fixtures pays only for option parsing.
Services start on first use of a fixture, never at import or configure time
(except in an xdist controller, which starts them once for all workers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edu_contracts import config as _config
from edu_contracts.testing import schema as _schema
from edu_contracts.testing._state import STATE_KEY, WORKERINPUT_KEY, RunState, run_state
from edu_contracts.testing.fixtures import (
    edu_azurite,
    edu_config,
    edu_connection,
    edu_database_url,
    edu_engine,
    edu_factories,
    edu_postgres,
    edu_queue,
    edu_services,
    edu_session,
    edu_sessionmaker,
)
from edu_contracts.testing.redact import SecretScrubber

__all__ = [
    "edu_azurite",
    "edu_config",
    "edu_connection",
    "edu_database_url",
    "edu_engine",
    "edu_factories",
    "edu_postgres",
    "edu_queue",
    "edu_services",
    "edu_session",
    "edu_sessionmaker",
    "pytest_addoption",
    "pytest_configure",
    "pytest_configure_node",
    "pytest_report_header",
    "pytest_terminal_summary",
    "pytest_unconfigure",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    _config.register(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _schema.MARKER_HELP)
    settings = _config.read_config(config)
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    if workerinput is not None and WORKERINPUT_KEY in workerinput:
        state = RunState.from_workerinput(
            settings, workerinput[WORKERINPUT_KEY], workerinput.get("workerid", "gw")
        )
    else:
        state = RunState(config=settings, rootdir=config.rootpath)
        if settings.record is not None:
            _start_recording(settings.record, state.run_id)
    config.stash[STATE_KEY] = state
    config.pluginmanager.register(SecretScrubber(config), "edu-contracts-secret-scrubber")


def _start_recording(path: Path, run_id: str) -> None:
    """One run, one recording (a stale file would replay old messages); a file
    that is not a recording of ours is refused, never emptied."""
    from edu_contracts.errors import UnsafeOperationError
    from edu_contracts.workflows.recording import start_recording

    try:
        start_recording(path, run_id)
    except UnsafeOperationError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller hook: start services once and hand them to each worker."""
    state = run_state(node.config)
    node.workerinput[WORKERINPUT_KEY] = state.to_workerinput()


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is not None:
        state.close()


def pytest_report_header(config: pytest.Config) -> str | None:
    state = config.stash.get(STATE_KEY, None)
    if state is None:
        return None
    cfg = state.config
    return f"edu-contracts: backend={cfg.backend} run={state.run_id} reuse={cfg.reuse}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say what the run did beyond the tests (e.g. reaped a killed run's databases)."""
    state = terminalreporter.config.stash.get(STATE_KEY, None)
    for note in state.notes if state is not None else ():
        terminalreporter.write_line(f"edu-contracts: {note}")
