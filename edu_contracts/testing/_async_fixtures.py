"""The async database fixtures: the same isolation as the sync ones, on asyncio.

How a test is isolated is decided once per test, by ``fixtures._isolation``
(the ``_edu_isolation`` fixture: an ``Isolation`` plan shared with the sync
fixtures of the same test); this module only carries the plan out with
``AsyncConnection``/``AsyncSession``, as ``fixtures._isolated_connection``
does with their sync twins.

One definition serves both async test plugins. The fixtures are declared
with ``pytest_asyncio.fixture`` (pytest-asyncio's strict mode runs nothing
else) and keep an unmarked twin; for a test that uses anyio's plugin (it
requests ``anyio_backend``) the plugin's ``pytest_fixture_setup`` hook swaps
the twin in, so anyio runs the fixture on the test's own loop instead of
pytest-asyncio running it on another one.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

from edu_contracts.testing.fixtures import Isolation, factory_seed

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import (
        AsyncConnection,
        AsyncEngine,
        AsyncSession,
        AsyncTransaction,
        async_sessionmaker,
    )

    from edu_contracts.config import EduConfig
    from edu_contracts.factories.async_facade import AsyncFactories
    from edu_contracts.testing._async_guard import SavepointGuard

__all__ = [
    "AsyncIsolated",
    "anyio_twin",
    "async_isolated_connection",
    "edu_async_connection",
    "edu_async_engine",
    "edu_async_factories",
    "edu_async_session",
    "edu_async_sessionmaker",
]

F = TypeVar("F", bound=Callable[..., Any])

_ANYIO_TWINS: dict[Callable[..., Any], Callable[..., Any]] = {}


def _async_fixture(func: F) -> F:
    """Declare ``func`` as an async fixture for pytest-asyncio and anyio alike."""
    twin = types.FunctionType(
        func.__code__, func.__globals__, func.__name__, func.__defaults__, func.__closure__
    )
    twin.__kwdefaults__ = func.__kwdefaults__
    twin.__annotations__ = dict(func.__annotations__)
    _ANYIO_TWINS[func] = twin
    try:
        import pytest_asyncio
    except ImportError:  # anyio only: its plugin runs plain async fixtures
        return cast("F", pytest.fixture(func))
    return cast("F", pytest_asyncio.fixture(func))


def anyio_twin(func: Callable[..., Any]) -> Callable[..., Any] | None:
    """The unmarked twin of one of these fixtures, for a test run by anyio."""
    return _ANYIO_TWINS.get(func)


@dataclass
class AsyncIsolated:
    """The async face of an ``Isolation``: the test's connection and the app's bind."""

    isolation: Isolation
    connection: AsyncConnection
    bind: AsyncConnection | AsyncEngine


@contextlib.asynccontextmanager
async def async_isolated_connection(
    isolation: Isolation, engine: AsyncEngine, config: EduConfig
) -> AsyncIterator[AsyncIsolated]:
    """Carry out ``isolation`` on an ``AsyncConnection``."""
    from edu_contracts.testing._async_engine import create_async_engine
    from edu_contracts.testing._async_guard import SavepointGuard

    async with contextlib.AsyncExitStack() as stack:
        if isolation.url is not None:
            engine = create_async_engine(isolation.url, config.async_driver)
            stack.push_async_callback(engine.dispose)
        connection = await stack.enter_async_context(engine.connect())
        if isolation.connection_options:
            connection = await connection.execution_options(**isolation.connection_options)
        if isolation.outer_transaction:
            transaction = await connection.begin()
            guard = SavepointGuard.install(connection.sync_connection)  # type: ignore[arg-type]
            stack.push_async_callback(_end, connection, transaction, guard)
        bind = connection if isolation.sessions_share_connection else engine
        yield AsyncIsolated(isolation, connection, bind)


async def _end(
    connection: AsyncConnection, transaction: AsyncTransaction, guard: SavepointGuard
) -> None:
    if guard.tripped:  # a concurrent session may still be mid-statement: drop the connection
        await connection.invalidate()
    elif transaction.is_active:
        await transaction.rollback()


@pytest.fixture(scope="session")
def _edu_async_engine_shared(edu_database_url: str, edu_config: EduConfig) -> AsyncEngine:
    """The one ``AsyncEngine`` of the worker; creating it needs no event loop."""
    from edu_contracts.testing._async_engine import create_async_engine

    return create_async_engine(edu_database_url, edu_config.async_driver)


@_async_fixture
async def edu_async_engine(_edu_async_engine_shared: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """The ``AsyncEngine`` on this worker's migrated database (``--edu-async-driver``).

    One engine per worker; its pool is emptied on the test's loop when the
    test ends, because a pooled connection belongs to the loop that opened it
    and the next test may run on another (pytest-asyncio's default).
    """
    yield _edu_async_engine_shared
    await _edu_async_engine_shared.dispose()


@_async_fixture
async def _edu_async_isolated(
    _edu_isolation: Isolation, edu_async_engine: AsyncEngine, edu_config: EduConfig
) -> AsyncIterator[AsyncIsolated]:
    """The async fixtures' shared state: this test's ``Isolation``, carried out."""
    async with async_isolated_connection(_edu_isolation, edu_async_engine, edu_config) as isolated:
        yield isolated


@pytest.fixture
def edu_async_connection(_edu_async_isolated: AsyncIsolated) -> AsyncConnection:
    """The test's ``AsyncConnection``, in an outer transaction always rolled back
    (under ``edu_isolation("database")``: autocommit on the test's own database)."""
    return _edu_async_isolated.connection


@pytest.fixture
def edu_async_sessionmaker(_edu_async_isolated: AsyncIsolated) -> async_sessionmaker[AsyncSession]:
    """An ``async_sessionmaker`` for the code under test: its sessions join the
    test's transaction with a savepoint, so ``await session.commit()`` works and
    nothing outlives the test. Use its sessions one at a time; concurrent ones
    fail with ``ConcurrentSessionError`` unless the test is marked
    ``edu_isolation("database")``, where each session has its own connection."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    return async_sessionmaker(
        bind=_edu_async_isolated.bind, **_edu_async_isolated.isolation.session_options
    )


@_async_fixture
async def edu_async_session(_edu_async_isolated: AsyncIsolated) -> AsyncIterator[AsyncSession]:
    """The test's own ``AsyncSession`` on ``edu_async_connection``; ``commit()`` is a
    savepoint. ``edu_async_factories`` writes through it."""
    from sqlalchemy.ext.asyncio import AsyncSession

    async with AsyncSession(
        bind=_edu_async_isolated.connection, **_edu_async_isolated.isolation.session_options
    ) as session:
        yield session


@pytest.fixture
def edu_async_factories(
    request: pytest.FixtureRequest, edu_async_session: AsyncSession
) -> AsyncFactories:
    """``edu_factories`` with coroutines, writing through ``edu_async_session`` so the
    app under test sees the rows; same seed rule, same data as the sync factories."""
    from edu_contracts.factories.async_facade import AsyncFactories

    return AsyncFactories(edu_async_session, seed=factory_seed(request))
