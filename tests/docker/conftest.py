"""Tests that need a Docker engine: skipped, saying why, only where none answers.

Inner pytest runs (pytester) get this run's docker options (images, pull
policy), so a CI run with ``--edu-pull-policy never`` and locally built images
never pulls, in any process.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from edu_contracts.config import EduConfig
from edu_contracts.errors import ServiceStartError
from edu_contracts.services import Services
from edu_contracts.services.docker import engine_client

_NO_ENGINE = pytest.StashKey[str | None]()


def _engine_problem(config: pytest.Config) -> str | None:
    if _NO_ENGINE not in config.stash:
        try:
            engine_client().close()
            config.stash[_NO_ENGINE] = None
        except ServiceStartError as exc:
            config.stash[_NO_ENGINE] = f"{exc.message} [{exc.where}]"
    return config.stash[_NO_ENGINE]


def _require_engine(config: pytest.Config) -> None:
    problem = _engine_problem(config)
    if problem is not None:
        pytest.skip(f"needs a Docker engine: {problem}")


@pytest.fixture(autouse=True)
def _needs_engine(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("docker") is not None:
        _require_engine(request.config)


@pytest.fixture(scope="session")
def docker_config(edu_config: EduConfig) -> EduConfig:
    """This run's settings on the docker backend (whatever backend the run itself uses)."""
    return dataclasses.replace(edu_config, backend="docker", reuse=False)


@pytest.fixture(scope="session")
def docker_options(docker_config: EduConfig) -> list[str]:
    """Flags that put an inner run on the docker backend with this run's images and policy."""
    return [
        "--edu-backend=docker",
        f"--edu-pull-policy={docker_config.pull_policy}",
        f"--edu-postgres-image={docker_config.postgres_image}",
        f"--edu-azurite-image={docker_config.azurite_image}",
        "-p",
        "no:cacheprovider",
    ]


@pytest.fixture(scope="session")
def docker_stack(request: pytest.FixtureRequest, docker_config: EduConfig) -> Iterator[Services]:
    """The docker services: the plugin's own when this run is on docker, else started here."""
    _require_engine(request.config)  # a session fixture is set up before the autouse check
    if request.getfixturevalue("edu_config").backend == "docker":
        yield request.getfixturevalue("edu_services")
        return
    from edu_contracts.services.docker import docker_services

    with docker_services(docker_config) as services:
        yield services


@pytest.fixture
def docker_client(request: pytest.FixtureRequest) -> Iterator[Any]:
    _require_engine(request.config)
    client = engine_client()
    yield client
    client.close()
