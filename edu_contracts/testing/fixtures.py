"""The plugin's public fixtures; all named ``edu_*``.

Scopes: session for services, servers, the migrated database and its
engine; function for anything a test can change (connection, session,
queue, factories). Public fixtures are thin: isolation is decided in one
place, ``_isolated_connection``.

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
edu_factories          function   ``Factories`` bound to ``edu_session``, seeded
=====================  =========  ==============================================
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from edu_contracts.testing._state import run_state

# Heavy libraries (SQLAlchemy, the Azure SDK) are imported inside the
# fixtures: a suite that never uses them must not pay ~1 s at start-up.
if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import Session, sessionmaker

    from edu_contracts.config import EduConfig
    from edu_contracts.factories import Factories
    from edu_contracts.services import AzuriteInfo, PostgresInfo, Services
    from edu_contracts.services.janitor import DatabaseJanitor
    from edu_contracts.testing.queues import EduQueue

__all__ = [
    "PostgresServer",
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
    return run_state(request.config).config


@pytest.fixture(scope="session")
def edu_services(request: pytest.FixtureRequest) -> Services:
    return run_state(request.config).services()


@pytest.fixture(scope="session")
def edu_postgres(request: pytest.FixtureRequest, edu_services: Services) -> PostgresServer:
    edu_services.check_alive()
    return PostgresServer(edu_services.postgres, run_state(request.config).janitor())


@pytest.fixture(scope="session")
def edu_azurite(edu_services: Services) -> AzuriteInfo:
    return edu_services.azurite


@pytest.fixture(scope="session")
def edu_database_url(request: pytest.FixtureRequest, edu_services: Services) -> str:
    edu_services.check_alive()  # a dead server is named as such, not as "cannot connect"
    return run_state(request.config).worker_database()


@pytest.fixture(scope="session")
def edu_engine(edu_database_url: str) -> Iterator[Engine]:
    from sqlalchemy import create_engine

    engine = create_engine(edu_database_url, pool_pre_ping=False)
    yield engine
    engine.dispose()


@contextlib.contextmanager
def _isolated_connection(engine: Engine, services: Services) -> Iterator[Connection]:
    """The one place that decides how a test is isolated: an outer transaction
    that is always rolled back. Sessions join it with savepoints, so code under
    test may ``commit()`` and still leave nothing behind."""
    services.check_alive()
    connection = engine.connect()
    transaction = connection.begin()
    try:
        yield connection
    finally:
        if transaction.is_active:
            transaction.rollback()
        connection.close()


@pytest.fixture
def edu_connection(
    request: pytest.FixtureRequest, edu_engine: Engine, edu_services: Services
) -> Iterator[Connection]:
    from edu_contracts.testing.schema import schema_engine

    engine = schema_engine(request) or edu_engine  # @pytest.mark.edu_schema picks another
    with _isolated_connection(engine, edu_services) as connection:
        yield connection


@pytest.fixture
def edu_sessionmaker(edu_connection: Connection) -> sessionmaker[Session]:
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(
        bind=edu_connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def edu_session(edu_sessionmaker: sessionmaker[Session]) -> Iterator[Session]:
    with edu_sessionmaker() as session:
        yield session


_queue_counter = itertools.count(1)


@pytest.fixture
def edu_queue(
    request: pytest.FixtureRequest, edu_services: Services, edu_config: EduConfig
) -> Iterator[EduQueue]:
    """A fresh queue for this test only; it and its ``-poison`` sibling (whoever
    created that) are deleted afterwards."""
    from edu_contracts.queue import TaskQueue
    from edu_contracts.testing.queues import EduQueue

    edu_services.check_alive()
    state = run_state(request.config)
    name = f"edu-{state.run_id}-{state.worker_slug}-{next(_queue_counter)}"
    # A local service answers at once or not at all: a few quick retries, so a
    # dead Azurite fails the test in seconds instead of the SDK's minutes of backoff.
    tasks = TaskQueue.from_connection_string(
        edu_services.azurite.connection_string,
        name,
        retry_total=2,
        initial_backoff=0.2,
        increment_base=2,
    )
    tasks.create(metadata=state.queue_metadata(name))
    queue = EduQueue(
        tasks,
        contract_version=edu_config.contract_version,
        record=edu_config.record,
        test_id=request.node.nodeid,
        connection_string=edu_services.azurite.connection_string,
    )
    yield queue
    from edu_contracts.errors import ServiceDiedError

    try:
        edu_services.check_alive()
    except ServiceDiedError:
        queue.tasks.close()  # nothing to check or clean on a dead server; the test says why
        return
    queue.finish()


@pytest.fixture
def edu_factories(request: pytest.FixtureRequest, edu_session: Session) -> Factories:
    """Seeded factories bound to this test's session: rows are flushed, never committed.

    The seed is ``--edu-seed`` mixed with the test's id, so every test gets its
    own reproducible data and reordering tests changes nothing.
    """
    import zlib

    from edu_contracts.factories import Factories

    base = run_state(request.config).config.seed
    seed = base * 1_000_003 + zlib.crc32(request.node.nodeid.encode())
    return Factories(edu_session, seed=seed)
