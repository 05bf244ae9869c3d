"""Postgres+pgvector and Azurite for one run, from the configured backend.

``running_services(config)`` is the single entry point used by the pytest
plugin and by ``edu-contracts verify``. Embedded services start on demand
and separately: ``Services.postgres`` and ``Services.azurite`` start (and
wait for) their own service the first time they are read, so a run that only
uses the database never waits for Azurite. ``prestart`` spawns the services
a run will need as soon as that is known, without waiting, so their start-up
overlaps whatever the run does next. Everything started is stopped together,
in parallel, when the block ends.
"""

from __future__ import annotations

import contextlib
import importlib
import secrets
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from edu_contracts.config import EduConfig
from edu_contracts.errors import ServiceStartError

if TYPE_CHECKING:
    from edu_contracts.services._process import ManagedProcess
    from edu_contracts.services.azurite import AzuriteInfo
    from edu_contracts.services.postgres import PostgresInfo

# Loaded on first use (PEP 562): the pytest plugin makes a run id at start-up
# and must not pay for the service modules (filelock, subprocess plumbing).
_LAZY = {"AzuriteInfo": "azurite", "PostgresInfo": "postgres"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = ["AzuriteInfo", "PostgresInfo", "Services", "new_run_id", "running_services"]

T = TypeVar("T")


def new_run_id() -> str:
    """Eight hex digits: short enough for names, random enough not to collide."""
    return secrets.token_hex(4)


class _OnDemand(Generic[T]):
    """A service that is spawned at most once (from the calling thread: see
    ``_process``) and waited for at most once, whichever thread asks first."""

    def __init__(self, spawn: Callable[[], ManagedProcess], wait: Callable[[], T]) -> None:
        self._spawn, self._wait = spawn, wait
        self.process: ManagedProcess | None = None
        self._value: T | None = None
        self._lock = threading.Lock()

    def spawn(self) -> None:
        with self._lock:
            if self.process is None:
                self.process = self._spawn()

    def get(self) -> T:
        self.spawn()
        with self._lock:
            if self._value is None:
                self._value = self._wait()
            return self._value


class Services:
    """What the rest of the toolkit needs to reach the two services.

    ``postgres`` and ``azurite`` are either given (docker, external, a worker
    handed addresses by its controller) or started on first read (embedded).
    """

    def __init__(
        self,
        postgres: PostgresInfo | _OnDemand[PostgresInfo],
        azurite: AzuriteInfo | _OnDemand[AzuriteInfo],
        backend: str,
        liveness: list[Callable[[], None]] | None = None,
    ) -> None:
        self._postgres = postgres
        self._azurite = azurite
        self.backend = backend
        self._static_liveness = list(liveness or [])

    @property
    def postgres(self) -> PostgresInfo:
        p = self._postgres
        return p.get() if isinstance(p, _OnDemand) else p

    @property
    def azurite(self) -> AzuriteInfo:
        a = self._azurite
        return a.get() if isinstance(a, _OnDemand) else a

    def prestart(self, *, postgres: bool, azurite: bool) -> None:
        """Spawn the named embedded services now, without waiting for them."""
        for wanted, service in ((postgres, self._postgres), (azurite, self._azurite)):
            if wanted and isinstance(service, _OnDemand):
                service.spawn()

    @property
    def _liveness(self) -> list[Callable[[], None]]:
        """``check_alive`` of every service process started so far."""
        checks = list(self._static_liveness)
        for service in (self._postgres, self._azurite):
            if isinstance(service, _OnDemand) and service.process is not None:
                checks.append(service.process.check_alive)
        return checks

    def secrets(self) -> tuple[str, ...]:
        """Credentials of the services known so far, for scrubbing text shown to people.

        Never starts a service: one that was not started has shown nothing.
        """
        found: tuple[str, ...] = ()
        for service in (self._postgres, self._azurite):
            if isinstance(service, _OnDemand):
                if service._value is not None:
                    found += service._value.secrets()
            else:
                found += service.secrets()
        return found

    def __repr__(self) -> str:  # both infos mask their credentials; never starts one
        shown = [
            "<not started>"
            if isinstance(s, _OnDemand) and s._value is None
            else repr(s._value if isinstance(s, _OnDemand) else s)
            for s in (self._postgres, self._azurite)
        ]
        return f"Services({self.backend!r}, {shown[0]}, {shown[1]})"

    def check_alive(self) -> None:
        """Raise ``ServiceDiedError`` naming the service (and its log) if one died."""
        for check in self._liveness:
            check()


@contextlib.contextmanager
def _embedded(config: EduConfig) -> Iterator[Services]:
    from edu_contracts.services._process import stop_all
    from edu_contracts.services.azurite import EmbeddedAzurite
    from edu_contracts.services.postgres import EmbeddedPostgres

    postgres: list[EmbeddedPostgres] = []
    azurite: list[EmbeddedAzurite] = []

    def spawn_postgres() -> ManagedProcess:
        server = EmbeddedPostgres(with_template=True)
        postgres.append(server)
        server.spawn()
        return server.process

    def spawn_azurite() -> ManagedProcess:
        service = EmbeddedAzurite(config.azurite_bin)
        azurite.append(service)
        service.spawn()
        return service.process

    services = Services(
        _OnDemand(spawn_postgres, lambda: postgres[-1].wait_ready()),
        _OnDemand(spawn_azurite, lambda: azurite[-1].wait_ready()),
        "embedded",
    )
    try:
        yield services
    finally:
        stop_all([s.process for s in postgres] + [s.process for s in azurite])


@contextlib.contextmanager
def _external(config: EduConfig) -> Iterator[Services]:
    from edu_contracts.services.external import parse_external

    yield parse_external(config)


@contextlib.contextmanager
def _docker(config: EduConfig) -> Iterator[Services]:
    from edu_contracts.services.docker import docker_services

    with docker_services(config) as services:
        yield services


@contextlib.contextmanager
def running_services(config: EduConfig) -> Iterator[Services]:
    """Start (or reach) the services for the duration of the block."""
    backends = {"embedded": _embedded, "external": _external, "docker": _docker}
    try:
        backend = backends[config.backend]
    except KeyError:  # EduConfig validates; this guards direct construction
        raise ServiceStartError(f"unknown backend {config.backend!r}") from None
    with backend(config) as services:
        yield services
