"""The plugin's public fixtures; all named ``edu_*``.

Scopes: session for services, servers, the migrated database and its
engine; function for anything a test can change (connection, session,
queue, factories). Public fixtures are thin: isolation is decided in one
place, ``_isolation``, for the sync and the async fixtures alike.

=====================  =========  ==============================================
fixture                scope      what it gives
=====================  =========  ==============================================
edu_config             session    the frozen ``EduConfig`` of this run
edu_services           session    ``Services`` (Postgres and Azurite addresses)
edu_postgres           session    ``PostgresServer``: make throwaway databases
edu_azurite            session    ``AzuriteInfo`` (``connection_string``)
edu_database_url       session    URL of this worker's migrated database
edu_engine             session    SQLAlchemy ``Engine`` on it
edu_connection         function   a connection inside a transaction rolled back
edu_session            function   ``Session`` on it; ``commit()`` is a savepoint
edu_sessionmaker       function   sessionmaker bound the same way, for app code
edu_queue              function   ``EduQueue``: own queue; contract-checked, recorded
edu_async_queue        function   ``EduAsyncQueue``: the same queue rules, as coroutines
edu_recorded_message   function   one message of ``--edu-replay``'s recording, checked
edu_factories          function   ``Factories`` bound to ``edu_session``, seeded
edu_async_engine       function   the worker's ``AsyncEngine``; pool emptied per test
edu_async_connection   function   ``AsyncConnection`` in a transaction rolled back
edu_async_session      function   ``AsyncSession`` on it; ``commit()`` is a savepoint
edu_async_sessionmaker function   ``async_sessionmaker`` bound the same way
edu_async_factories    function   ``AsyncFactories`` on ``edu_async_session``
=====================  =========  ==============================================

The queue fixtures (``edu_queue``, ``edu_async_queue``,
``edu_recorded_message``) live in ``queue_fixtures``; the async database
fixtures live in ``_async_fixtures`` and carry out the same
``Isolation`` plan. ``@pytest.mark.edu_isolation("database")`` switches a
test (sync or async) to a database of its own; see :func:`edu_isolation`.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pytest

from edu_contracts.errors import IsolationMarkerError
from edu_contracts.testing._state import run_state

IsolationMode = Literal["savepoint", "database"]
ISOLATION_MODES: tuple[IsolationMode, ...] = ("savepoint", "database")

# Heavy libraries (SQLAlchemy, the Azure SDK) are imported inside the
# fixtures: a suite that never uses them must not pay ~1 s at start-up.
if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine, RootTransaction
    from sqlalchemy.orm import Session, sessionmaker

    from edu_contracts.config import EduConfig
    from edu_contracts.factories import Factories
    from edu_contracts.services import AzuriteInfo, PostgresInfo, Services
    from edu_contracts.services.janitor import DatabaseJanitor
    from edu_contracts.testing._async_guard import SavepointGuard

__all__ = [
    "ISOLATION_MODES",
    "Isolation",
    "IsolationMode",
    "PostgresServer",
    "edu_azurite",
    "edu_config",
    "edu_connection",
    "edu_database_url",
    "edu_engine",
    "edu_factories",
    "edu_isolation",
    "edu_postgres",
    "edu_services",
    "edu_session",
    "edu_sessionmaker",
    "factory_seed",
]


@dataclass
class PostgresServer:
    """A running server where tests may create throwaway databases of their own."""

    info: PostgresInfo
    janitor: DatabaseJanitor

    @property
    def admin_url(self) -> str:
        return self.info.url("postgres")

    def create_database(self, label: str) -> str:
        """A new empty database ``edu_<run>_<label>``; its SQLAlchemy URL."""
        return self.janitor.create(label)

    def drop_database(self, name_or_url: str) -> None:
        """Drop one of this run's databases (refuses any other)."""
        self.janitor.drop(name_or_url.rsplit("/", 1)[-1])


@pytest.fixture(scope="session")
def edu_config(request: pytest.FixtureRequest) -> EduConfig:
    """The run's frozen settings (flags, ini keys and environment, read once)."""
    return run_state(request.config).config


@pytest.fixture(scope="session")
def edu_services(request: pytest.FixtureRequest) -> Services:
    """Postgres and Azurite for this run, started on first use (or reached: external)."""
    return run_state(request.config).services()


@pytest.fixture(scope="session")
def edu_postgres(request: pytest.FixtureRequest, edu_services: Services) -> PostgresServer:
    """The server itself, for tests that need throwaway databases of their own."""
    edu_services.check_alive()
    return PostgresServer(edu_services.postgres, run_state(request.config).janitor())


@pytest.fixture(scope="session")
def edu_azurite(edu_services: Services) -> AzuriteInfo:
    """The queue service: ``connection_string`` for the app's own clients."""
    return edu_services.azurite


@pytest.fixture(scope="session")
def edu_database_url(request: pytest.FixtureRequest, edu_services: Services) -> str:
    """URL of this worker's migrated database, cloned once from the run's template."""
    edu_services.check_alive()  # a dead server is named as such, not as "cannot connect"
    return run_state(request.config).worker_database()


@pytest.fixture(scope="session")
def edu_engine(edu_database_url: str) -> Iterator[Engine]:
    """A sync ``Engine`` on this worker's migrated database; tests use ``edu_connection``."""
    from sqlalchemy import create_engine

    engine = create_engine(edu_database_url, pool_pre_ping=False)
    yield engine
    engine.dispose()


def edu_isolation(mode: IsolationMode = "savepoint") -> IsolationMode:
    """The ``@pytest.mark.edu_isolation(mode)`` marker's signature.

    The marker's arguments are passed to this function, so a misspelt keyword
    is a ``TypeError`` naming it, as in any call.

    * ``"savepoint"`` (the default, no marker needed): the test's one
      connection holds an outer transaction rolled back afterwards; every
      session joins it with a savepoint. Cheap (no new database), but the
      sessions share one connection, so they must not run concurrently.
    * ``"database"``: the test gets its own database cloned from the migrated
      template (``CREATE DATABASE ... TEMPLATE``: far dearer than a savepoint, see
      ``bench/bench_async_isolation.py``) and dropped afterwards. Every app session
      has a connection of its own and commits for real, so ``asyncio.gather``
      over sessions, threads and a second engine all work; ``edu_connection``
      and ``edu_session`` (and the factories on them) are in autocommit, so
      what the test writes is visible to the app at once.
    """
    if mode not in ISOLATION_MODES:
        raise IsolationMarkerError(
            f"unknown isolation mode {mode!r}",
            where="@pytest.mark.edu_isolation(...)",
            fix=f"use one of {', '.join(repr(m) for m in ISOLATION_MODES)}",
        )
    return mode


@dataclass(frozen=True)
class Isolation:
    """How one test's database work is isolated; decided by ``_isolation`` alone.

    The sync and async fixtures only carry it out: they open a connection with
    ``connection_options``, begin an outer transaction if ``outer_transaction``,
    bind app sessions to the connection or to an engine on ``url`` as
    ``sessions_share_connection`` says, and make sessions with ``session_options``.
    """

    mode: IsolationMode
    url: str | None  # the test's own database (database mode); None: the worker's

    @property
    def outer_transaction(self) -> bool:
        return self.mode == "savepoint"

    @property
    def sessions_share_connection(self) -> bool:
        return self.mode == "savepoint"

    @property
    def connection_options(self) -> dict[str, Any]:
        return {} if self.mode == "savepoint" else {"isolation_level": "AUTOCOMMIT"}

    @property
    def session_options(self) -> dict[str, Any]:
        if self.mode == "savepoint":
            return {"join_transaction_mode": "create_savepoint", "expire_on_commit": False}
        return {"expire_on_commit": False}


_database_counter = itertools.count(1)


@contextlib.contextmanager
def _isolation(request: pytest.FixtureRequest, services: Services) -> Iterator[Isolation]:
    """The one place that decides how a test is isolated (sync and async alike).

    Savepoint mode (default): an outer transaction that is always rolled
    back; sessions join it with savepoints, so code under test may
    ``commit()`` and still leave nothing behind. Database mode (the
    ``edu_isolation("database")`` marker): a database cloned from the
    template for this test only, dropped through the janitor, which refuses
    any database this run did not create.
    """
    services.check_alive()
    marker = request.node.get_closest_marker("edu_isolation")
    mode = edu_isolation(*marker.args, **marker.kwargs) if marker else "savepoint"
    if mode == "savepoint":
        yield Isolation(mode, None)
        return
    state = run_state(request.config)
    janitor = state.janitor()
    label = f"t_{state.worker_slug}_{next(_database_counter)}"
    url = janitor.create(label, template=state.template())
    try:
        yield Isolation(mode, url)
    finally:
        janitor.drop(janitor.name(label))


@dataclass
class _Isolated:
    """The sync face of an ``Isolation``: the test's connection and the app's bind."""

    isolation: Isolation
    connection: Connection
    bind: Connection | Engine


@contextlib.contextmanager
def _isolated_connection(isolation: Isolation, engine: Engine) -> Iterator[_Isolated]:
    """Carry out ``isolation`` on a sync connection."""
    from sqlalchemy import create_engine

    from edu_contracts.testing._async_guard import SavepointGuard

    with contextlib.ExitStack() as stack:
        if isolation.url is not None:
            engine = create_engine(isolation.url)
            stack.callback(engine.dispose)
        connection = stack.enter_context(
            engine.connect().execution_options(**isolation.connection_options)
        )
        if isolation.outer_transaction:
            transaction = connection.begin()
            guard = SavepointGuard.install(connection)
            stack.callback(_end, connection, transaction, guard)
        bind = connection if isolation.sessions_share_connection else engine
        yield _Isolated(isolation, connection, bind)


def _end(connection: Connection, transaction: RootTransaction, guard: SavepointGuard) -> None:
    if guard.tripped:  # a concurrent session may still be mid-statement: drop the connection
        connection.invalidate()
    elif transaction.is_active:
        transaction.rollback()


@pytest.fixture
def _edu_isolation(request: pytest.FixtureRequest, edu_services: Services) -> Iterator[Isolation]:
    """This test's ``Isolation``, decided once for its sync and async fixtures alike
    (so under the database marker both faces see the same database)."""
    with _isolation(request, edu_services) as isolation:
        yield isolation


@pytest.fixture
def _edu_isolated(
    request: pytest.FixtureRequest, _edu_isolation: Isolation, edu_engine: Engine
) -> Iterator[_Isolated]:
    """The sync fixtures' shared state: this test's ``Isolation``, carried out."""
    from edu_contracts.testing.schema import schema_engine

    engine = schema_engine(request) or edu_engine  # @pytest.mark.edu_schema picks another
    with _isolated_connection(_edu_isolation, engine) as isolated:
        yield isolated


@pytest.fixture
def edu_connection(_edu_isolated: _Isolated) -> Connection:
    """The test's connection, inside a transaction that is always rolled back
    (under ``edu_isolation("database")``: in autocommit on the test's own database)."""
    return _edu_isolated.connection


@pytest.fixture
def edu_sessionmaker(_edu_isolated: _Isolated) -> sessionmaker[Session]:
    """A sessionmaker for the code under test: its sessions join the test's
    transaction with a savepoint, so ``commit()`` works and nothing outlives
    the test (under ``edu_isolation("database")``: each session has a
    connection of its own on the test's database)."""
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(bind=_edu_isolated.bind, **_edu_isolated.isolation.session_options)


@pytest.fixture
def edu_session(_edu_isolated: _Isolated) -> Iterator[Session]:
    """The test's own ``Session`` on ``edu_connection``; ``commit()`` is a savepoint."""
    from sqlalchemy.orm import Session

    with Session(
        bind=_edu_isolated.connection, **_edu_isolated.isolation.session_options
    ) as session:
        yield session


@pytest.fixture
def edu_factories(request: pytest.FixtureRequest, edu_session: Session) -> Factories:
    """Seeded factories bound to this test's session: rows are flushed, never committed.

    The seed is ``--edu-seed`` mixed with the test's id, so every test gets its
    own reproducible data and reordering tests changes nothing.
    """
    from edu_contracts.factories import Factories

    return Factories(edu_session, seed=factory_seed(request))


def factory_seed(request: pytest.FixtureRequest) -> int:
    """``--edu-seed`` mixed with the test's id: the sync and async factories' one rule."""
    import zlib

    base = run_state(request.config).config.seed
    return base * 1_000_003 + zlib.crc32(request.node.nodeid.encode())
