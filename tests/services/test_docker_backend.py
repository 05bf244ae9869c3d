"""The docker backend: what can be checked without an engine, and the rest marked.

No Docker engine runs on this project's machines, so the container start is
covered by a test marked ``docker`` that skips (with that reason) where
``docker info`` fails; the wiring, image names and the error are tested here.
"""

from __future__ import annotations

import gc
import shutil
import subprocess

import pytest

from edu_contracts.config import EduConfig, resolve
from edu_contracts.errors import ServiceStartError
from edu_contracts.services import running_services
from edu_contracts.services.docker import AZURITE_QUEUE_PORT, container_classes


def _docker_engine_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


def test_images_are_configurable_from_every_source() -> None:
    config = resolve(
        {"backend": "docker"},
        {"EDU_POSTGRES_IMAGE": "pgvector/pgvector:pg18"},
        {"azurite_image": "mcr.microsoft.com/azure-storage/azurite:3.37.0"},
    )
    assert config.backend == "docker"
    assert config.postgres_image == "pgvector/pgvector:pg18"
    assert config.azurite_image.endswith("azurite:3.37.0")


def test_default_images_are_pgvector_and_azurite() -> None:
    config = EduConfig(backend="docker")
    assert config.postgres_image.startswith("pgvector/pgvector:")
    assert config.azurite_image.startswith("mcr.microsoft.com/azure-storage/azurite:")


def test_testcontainers_classes_resolve() -> None:
    postgres_cls, azurite_cls = container_classes()
    assert postgres_cls.__name__ == "PostgresContainer"
    assert azurite_cls.__name__ == "AzuriteContainer"
    assert AZURITE_QUEUE_PORT == 10001


@pytest.mark.skipif(_docker_engine_available(), reason="a Docker engine is running here")
# docker-py leaks the socket of its failed version probe; collect it inside this test
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_without_an_engine_the_error_says_what_to_do() -> None:
    with pytest.raises(ServiceStartError) as info, running_services(EduConfig(backend="docker")):
        pass
    message, where, fix = info.value.message, str(info.value.where), str(info.value.fix)
    info.value.__cause__ = None
    del info
    gc.collect()
    assert "docker backend could not start" in message
    assert "pgvector/pgvector" in where
    assert "--edu-backend=embedded" in fix


@pytest.mark.docker
@pytest.mark.skipif(
    not _docker_engine_available(), reason="needs a Docker engine (docker info fails here)"
)
def test_docker_backend_serves_postgres_with_pgvector_and_azurite() -> None:  # pragma: no cover
    import psycopg
    from azure.storage.queue import QueueServiceClient

    with running_services(EduConfig(backend="docker")) as services:
        with psycopg.connect(services.postgres.libpq_url()) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        client = QueueServiceClient.from_connection_string(services.azurite.connection_string)
        client.create_queue("edu-docker-probe")
        client.delete_queue("edu-docker-probe")
