"""The Docker backend: ``pgvector/pgvector`` and Azurite images via testcontainers.

For users who have a Docker engine. No engine runs on this project's CI,
so the parts that need one are covered by tests marked ``docker``; the
image selection and wiring below are tested without one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from edu_contracts.config import EduConfig
from edu_contracts.errors import MissingDependencyError, ServiceStartError
from edu_contracts.services import AzuriteInfo, PostgresInfo, Services
from edu_contracts.services.azurite import ACCOUNT_NAME

__all__ = [
    "AZURITE_QUEUE_PORT",
    "POSTGRES_PASSWORD",
    "build_containers",
    "container_classes",
    "docker_services",
]

POSTGRES_PASSWORD = "edu"  # a throwaway container's password, never a real one
AZURITE_QUEUE_PORT = 10001


def container_classes() -> tuple[type[Any], type[Any]]:
    """testcontainers' Postgres and Azurite classes, wherever this version keeps them."""
    try:
        from testcontainers.community.azurite import AzuriteContainer
        from testcontainers.community.postgres import PostgresContainer
    except ImportError:
        try:
            from testcontainers.azurite import AzuriteContainer  # testcontainers < 4.14
            from testcontainers.postgres import PostgresContainer
        except ImportError as exc:
            raise MissingDependencyError(
                "the docker backend needs testcontainers",
                fix="pip install 'edu-contracts[docker]'",
            ) from exc
    return PostgresContainer, AzuriteContainer


def build_containers(config: EduConfig) -> tuple[Any, Any]:
    """Configured, not yet started, containers for this run."""
    postgres_cls, azurite_cls = container_classes()
    postgres = postgres_cls(
        image=config.postgres_image,
        username="postgres",
        password=POSTGRES_PASSWORD,
        dbname="postgres",
        driver="psycopg",
    )
    azurite = azurite_cls(image=config.azurite_image)
    azurite.with_command(
        f"azurite-queue --queueHost 0.0.0.0 --queuePort {AZURITE_QUEUE_PORT} "
        "--inMemoryPersistence --skipApiVersionCheck --loose"
    )
    return postgres, azurite


@contextlib.contextmanager
def docker_services(config: EduConfig) -> Iterator[Services]:
    with contextlib.ExitStack() as stack:
        try:
            postgres, azurite = build_containers(config)
            stack.enter_context(postgres)
            stack.enter_context(azurite)
        except MissingDependencyError:
            raise
        except Exception as exc:  # docker-py and testcontainers raise many kinds
            raise ServiceStartError(
                f"the docker backend could not start its containers: {exc}",
                where=f"images {config.postgres_image}, {config.azurite_image}",
                fix="start a Docker engine (docker info must work), or use --edu-backend=embedded",
            ) from exc
        host = azurite.get_container_host_ip()
        queue_port = azurite.get_exposed_port(AZURITE_QUEUE_PORT)
        yield Services(
            PostgresInfo(
                postgres.get_container_host_ip(),
                int(postgres.get_exposed_port(5432)),
                "postgres",
                POSTGRES_PASSWORD,
            ),
            AzuriteInfo(f"http://{host}:{queue_port}/{ACCOUNT_NAME}"),
            "docker",
        )
