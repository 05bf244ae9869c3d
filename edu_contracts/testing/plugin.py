"""pytest plugin entry point (``pytest11``): options, run state, xdist hand-over.

Installing ``edu-contracts[testing]`` activates it; the fixtures live in
``edu_contracts.testing.fixtures``. Importing this module must stay cheap:
a suite that uses none of the fixtures pays only for option parsing.
Services are spawned as soon as the collected tests show which ones the run
needs (their fixture closure), so their start-up overlaps the rest of the
start of the run; a run that uses no service fixture starts nothing, and a
run that only uses the database never starts Azurite. An xdist controller
starts both once for all workers.

faker's own pytest plugin is replaced by a lazy equivalent (``_faker``):
without that, every run pays for importing faker and building a ``Faker``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from edu_contracts import config as _config
from edu_contracts.testing import _faker
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
from edu_contracts.testing._faker import _session_faker, faker
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
    edu_services,
    edu_session,
    edu_sessionmaker,
)
from edu_contracts.testing.queue_fixtures import edu_async_queue, edu_queue, edu_recorded_message
from edu_contracts.testing.redact import SecretScrubber

__all__ = [
    "_edu_async_engine_shared",
    "_edu_async_isolated",
    "_edu_isolated",
    "_edu_isolation",
    "edu_async_connection",
    "edu_async_engine",
    "edu_async_factories",
    "edu_async_queue",
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
    "edu_recorded_message",
    "edu_services",
    "edu_session",
    "edu_sessionmaker",
    "faker",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_configure_node",
    "pytest_fixture_setup",
    "pytest_generate_tests",
    "pytest_plugin_registered",
    "pytest_report_header",
    "pytest_terminal_summary",
    "pytest_unconfigure",
    "services_needed",
]

_ = _session_faker  # registered as a fixture by being in this module

# Which fixtures need which service. ``edu_services`` is the union (the other
# fixtures depend on it to check liveness), so it decides only when a test
# asks for it and for nothing narrower.
_AZURITE_WORDS = ("queue", "azurite")
_NEITHER = frozenset({"edu_config", "edu_services"})


def services_needed(fixturenames: set[str]) -> tuple[bool, bool]:
    """(postgres, azurite) needed by tests whose fixture closures are ``fixturenames``."""
    edu = {name for name in fixturenames if name.startswith("edu_")}
    azurite = any(word in name for name in edu for word in _AZURITE_WORDS)
    postgres = any(
        name not in _NEITHER and not any(word in name for word in _AZURITE_WORDS) for name in edu
    )
    if "edu_services" in edu and not (postgres or azurite):
        return True, True
    return postgres, azurite


def pytest_plugin_registered(plugin: object, plugin_name: str, manager: Any) -> None:
    # called for every plugin registered before this one too (a historic hook)
    if isinstance(manager, pytest.PytestPluginManager):
        _faker.take_over(manager)


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
    config.addinivalue_line(
        "markers",
        "edu_isolation(mode='savepoint'): how the test's database work is isolated: "
        "'savepoint' (default; one connection, rolled back) or 'database' (a database "
        "of its own cloned from the template, for concurrent sessions)",
    )
    config.pluginmanager.register(SecretScrubber(config), "edu-contracts-secret-scrubber")


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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test taking ``edu_recorded_message`` runs once per message of ``--edu-replay``."""
    if "edu_recorded_message" not in metafunc.fixturenames:
        return
    path = run_state(metafunc.config).config.replay
    if path is None:
        metafunc.parametrize("edu_recorded_message", [None], ids=["no-recording"], indirect=True)
        return
    from edu_contracts.workflows.recording import read_recording

    recorded = read_recording(path)  # a bad file is an error naming file and line
    metafunc.parametrize(
        "edu_recorded_message",
        recorded,
        ids=[f"{n}-{m.type}" for n, m in enumerate(recorded, start=1)],
        indirect=True,
    )


@pytest.hookimpl(trylast=True)  # after -k/-m deselection: only what will run
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    names: set[str] = set()
    for item in items:
        names.update(getattr(item, "fixturenames", ()))
    postgres, azurite = services_needed(names)
    state = config.stash.get(STATE_KEY, None)
    if state is not None and not config.option.collectonly:
        from edu_contracts.errors import EduContractsError

        # a service that cannot start fails the tests that need it, with the
        # fixture's error, instead of the whole session with an INTERNALERROR
        with contextlib.suppress(EduContractsError):
            state.prestart(postgres=postgres, azurite=azurite)


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
