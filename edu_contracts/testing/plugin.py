"""pytest plugin entry point (``pytest11``): options, run state, xdist hand-over.

Installing ``edu-contracts[testing]`` activates it; the fixtures live in
``edu_contracts.testing.fixtures``. Importing this module must stay cheap:
a suite that uses none of the fixtures pays only for option parsing.
Services start on first use of a fixture, never at import or configure time
(except in an xdist controller, which starts them once for all workers).
"""

from __future__ import annotations

from typing import Any

import pytest

from edu_contracts import config as _config
from edu_contracts.testing import schema as _schema
from edu_contracts.testing._async_fixtures import (
    _edu_async_engine_shared,
    _edu_async_isolated,
    anyio_twin,
    edu_async_connection,
    edu_async_engine,
    edu_async_factories,
    edu_async_session,
    edu_async_sessionmaker,
)
from edu_contracts.testing._state import STATE_KEY, WORKERINPUT_KEY, RunState, run_state
from edu_contracts.testing.fixtures import (
    _edu_isolated,
    _edu_isolation,
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

__all__ = [
    "_edu_async_engine_shared",
    "_edu_async_isolated",
    "_edu_isolated",
    "_edu_isolation",
    "edu_async_connection",
    "edu_async_engine",
    "edu_async_factories",
    "edu_async_session",
    "edu_async_sessionmaker",
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
    "pytest_fixture_setup",
    "pytest_report_header",
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
            # one run, one recording: a stale file would replay old messages
            settings.record.parent.mkdir(parents=True, exist_ok=True)
            settings.record.write_text("")
    config.stash[STATE_KEY] = state
    config.addinivalue_line(
        "markers",
        "edu_isolation(mode='savepoint'): how the test's database work is isolated: "
        "'savepoint' (default; one connection, rolled back) or 'database' (a database "
        "of its own cloned from the template, for concurrent sessions)",
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_fixture_setup(fixturedef: Any, request: pytest.FixtureRequest) -> Any:
    """Let anyio, not pytest-asyncio, run the async fixtures of an anyio test."""
    twin = anyio_twin(fixturedef.func) if "anyio_backend" in request.fixturenames else None
    if twin is None:
        return (yield)
    original = fixturedef.func
    fixturedef.func = twin
    try:
        return (yield)
    finally:
        fixturedef.func = original


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
