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
=====================  =========  ==============================================
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from edu_contracts.testing._state import run_state
from edu_contracts.testing.config import EduConfig
from edu_contracts.testing.janitor import DatabaseJanitor
from edu_contracts.testing.services import AzuriteInfo, PostgresInfo, Services


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
    return PostgresServer(edu_services.postgres, run_state(request.config).janitor())


@pytest.fixture(scope="session")
def edu_azurite(edu_services: Services) -> AzuriteInfo:
    return edu_services.azurite


@pytest.fixture(scope="session")
def edu_database_url(request: pytest.FixtureRequest, edu_services: Services) -> str:
    return run_state(request.config).worker_database()


@pytest.fixture(scope="session")
def edu_engine(edu_database_url: str) -> Iterator[Engine]:
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
def edu_connection(edu_engine: Engine, edu_services: Services) -> Iterator[Connection]:
    with _isolated_connection(edu_engine, edu_services) as connection:
        yield connection


@pytest.fixture
def edu_sessionmaker(edu_connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(
        bind=edu_connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def edu_session(edu_sessionmaker: sessionmaker[Session]) -> Iterator[Session]:
    with edu_sessionmaker() as session:
        yield session
