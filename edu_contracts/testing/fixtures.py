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

The async fixtures live in ``_async_fixtures`` and carry out the same
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
    from edu_contracts.queue import TaskQueue
    from edu_contracts.services import AzuriteInfo, PostgresInfo, Services
    from edu_contracts.services.janitor import DatabaseJanitor
    from edu_contracts.testing._async_guard import SavepointGuard
    from edu_contracts.testing.queues import EduAsyncQueue, EduQueue
    from edu_contracts.workflows.recording import RecordedMessage

__all__ = [
    "ISOLATION_MODES",
    "Isolation",
    "IsolationMode",
    "PostgresServer",
    "edu_async_queue",
    "edu_azurite",
    "edu_config",
    "edu_connection",
    "edu_database_url",
    "edu_engine",
    "edu_factories",
    "edu_isolation",
    "edu_postgres",
    "edu_queue",
    "edu_recorded_message",
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


_queue_counter = itertools.count(1)
# A local service answers at once or not at all: a few quick retries, so a
# dead Azurite fails the test in seconds instead of the SDK's minutes of backoff.
_QUICK_RETRIES: dict[str, Any] = {"retry_total": 2, "initial_backoff": 0.2, "increment_base": 2}


@contextlib.contextmanager
def _test_queue(request: pytest.FixtureRequest, services: Services) -> Iterator[TaskQueue]:
    """The one place that makes a test's queue: a run-prefixed name, created
    *exclusively* with its ``-poison`` sibling (a queue that already exists is
    never cleared, read or deleted), and deleted after the test."""
    from edu_contracts.queue import TaskQueue

    services.check_alive()
    state = run_state(request.config)
    name = f"edu-{state.run_id}-{state.worker_slug}-{next(_queue_counter)}"
    tasks = TaskQueue.from_connection_string(
        services.azurite.connection_string, name, **_QUICK_RETRIES
    )
    try:
        tasks.create(exclusive=True, metadata=state.queue_metadata(name))
    except BaseException:
        tasks.close()
        raise
    yield tasks


def _end_of_test(services: Services, queue: EduQueue | EduAsyncQueue, tasks: TaskQueue) -> None:
    from edu_contracts.errors import ServiceDiedError

    try:
        services.check_alive()
    except ServiceDiedError:
        tasks.close()  # nothing to check or clean on a dead server; the test says why
        return
    queue.finish()


@pytest.fixture
def edu_queue(
    request: pytest.FixtureRequest, edu_services: Services, edu_config: EduConfig
) -> Iterator[EduQueue]:
    """A fresh queue for this test only; it and its ``-poison`` sibling are deleted
    afterwards. What the code under test put on it is checked at teardown."""
    from edu_contracts.testing.queues import EduQueue

    with _test_queue(request, edu_services) as tasks:
        queue = EduQueue(
            tasks,
            contract_version=edu_config.contract_version,
            record=edu_config.record,
            test_id=request.node.nodeid,
            connection_string=edu_services.azurite.connection_string,
        )
        yield queue
        _end_of_test(edu_services, queue, tasks)


@pytest.fixture
def edu_async_queue(
    request: pytest.FixtureRequest, edu_services: Services, edu_config: EduConfig
) -> Iterator[EduAsyncQueue]:
    """``edu_queue`` with coroutines (``await edu_async_queue.expect(...)``).

    A plain (sync) fixture on purpose: it works under pytest-asyncio and anyio
    alike, and each coroutine opens its aio client on the test's own loop.
    """
    from edu_contracts.testing.queues import EduAsyncQueue

    with _test_queue(request, edu_services) as tasks:
        queue = EduAsyncQueue(
            tasks,
            contract_version=edu_config.contract_version,
            record=edu_config.record,
            test_id=request.node.nodeid,
            connection_string=edu_services.azurite.connection_string,
            client_options=_QUICK_RETRIES,
        )
        yield queue
        _end_of_test(edu_services, queue, tasks)


@pytest.fixture
def edu_recorded_message(request: pytest.FixtureRequest, edu_config: EduConfig) -> RecordedMessage:
    """One message of the producer's recording (``--edu-replay FILE``), already
    checked: it decodes with this code and validates against the pinned
    contract, or the test fails naming the field and the rule.

    A test that takes it runs once per recorded message (the plugin
    parametrizes it); put ``edu_recorded_message.wire_text()`` on a queue
    with ``send_raw`` and run the consumer's handler on it.
    """
    from edu_contracts.errors import ContractViolationError
    from edu_contracts.queue import decode
    from edu_contracts.registry.validate import validate_message

    recorded: RecordedMessage | None = getattr(request, "param", None)
    if recorded is None:
        pytest.skip(
            "no recording to replay: pass --edu-replay=FILE (or EDU_REPLAY), the file the "
            "producer's `pytest --edu-record=FILE` wrote"
        )
    origin = f"{recorded.where}, recorded by {recorded.test or 'the producer'}"
    if recorded.undecodable is not None:
        bad = recorded.undecodable
        raise ContractViolationError(
            f"the producer sent a message that does not decode: {bad.error}: {bad.detail}",
            where=origin,
            fix="fix the producer: it must send QueueTaskMessage models through the codec",
        )
    violations = validate_message(recorded.body, edu_config.contract_version)
    if violations:
        raise ContractViolationError(
            f"a recorded {recorded.type} message breaks contract "
            f"{edu_config.contract_version or 'latest'}: {violations[0]}",
            where=origin,
            fix="deploy a consumer pinned to a contract that accepts it, or fix the producer",
        )
    decode(recorded.wire_text())  # MessageDecodeError names the field
    return recorded


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
