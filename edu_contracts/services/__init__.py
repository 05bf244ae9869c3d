"""Postgres+pgvector and Azurite for one run, from the configured backend.

``running_services(config)`` is the single entry point used by the pytest
plugin and by ``edu-contracts verify``: embedded services are spawned from
the calling thread and waited for together, so a run pays for the slower of
the two (Azurite, ~1.4 s), not their sum.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from edu_contracts.config import EduConfig
from edu_contracts.errors import ServiceStartError
from edu_contracts.services.azurite import AzuriteInfo, EmbeddedAzurite
from edu_contracts.services.postgres import EmbeddedPostgres, PostgresInfo

__all__ = ["AzuriteInfo", "PostgresInfo", "Services", "new_run_id", "running_services"]


def new_run_id() -> str:
    """Eight hex digits: short enough for names, random enough not to collide."""
    return secrets.token_hex(4)


@dataclass
class Services:
    """What the rest of the toolkit needs to reach the two services."""

    postgres: PostgresInfo
    azurite: AzuriteInfo
    backend: str
    _liveness: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def secrets(self) -> tuple[str, ...]:
        """Credentials of both services, for scrubbing text shown to people."""
        return self.postgres.secrets() + self.azurite.secrets()

    def __repr__(self) -> str:  # both infos mask their credentials
        return f"Services({self.backend!r}, {self.postgres!r}, {self.azurite!r})"

    def check_alive(self) -> None:
        """Raise ``ServiceDiedError`` naming the service (and its log) if one died."""
        for check in self._liveness:
            check()


@contextlib.contextmanager
def _embedded(config: EduConfig) -> Iterator[Services]:
    with contextlib.ExitStack() as stack:
        postgres = EmbeddedPostgres()
        stack.callback(postgres.stop)
        azurite = EmbeddedAzurite(config.azurite_bin)
        stack.callback(azurite.stop)
        postgres.spawn()
        azurite.spawn()
        pg_info = postgres.wait_ready()
        az_info = azurite.wait_ready()
        yield Services(
            pg_info,
            az_info,
            "embedded",
            [postgres.process.check_alive, azurite.process.check_alive],
        )


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
    """Start (or reach) both services for the duration of the block."""
    backends = {"embedded": _embedded, "external": _external, "docker": _docker}
    try:
        backend = backends[config.backend]
    except KeyError:  # EduConfig validates; this guards direct construction
        raise ServiceStartError(f"unknown backend {config.backend!r}") from None
    with backend(config) as services:
        yield services
