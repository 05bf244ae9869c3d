"""The docker backend without an engine: options, ownership proofs, the no-engine error.

Everything that needs a running engine lives in ``tests/docker`` (marked
``docker``); these tests run everywhere.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from edu_contracts.config import EduConfig, resolve
from edu_contracts.errors import ConfigurationError, ServiceStartError
from edu_contracts.services import running_services
from edu_contracts.services._docker_owner import owner_gone, owner_label


def test_images_and_pull_policy_are_configurable_from_every_source() -> None:
    config = resolve(
        {"backend": "docker", "pull_policy": "never"},
        {"EDU_POSTGRES_IMAGE": "pgvector/pgvector:pg18", "EDU_PULL_POLICY": "always"},
        {"azurite_image": "mcr.microsoft.com/azure-storage/azurite:3.37.0"},
    )
    assert config.backend == "docker"
    assert config.pull_policy == "never"  # the command line wins over the environment
    assert config.postgres_image == "pgvector/pgvector:pg18"
    assert config.azurite_image.endswith("azurite:3.37.0")
    assert resolve({}, {"EDU_PULL_POLICY": "always"}, {}).pull_policy == "always"
    assert resolve({}, {}, {"pull_policy": "never"}).pull_policy == "never"


def test_an_unknown_pull_policy_names_the_source_and_the_choices() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve({}, {"EDU_PULL_POLICY": "sometimes"}, {})
    assert "environment EDU_PULL_POLICY" in str(info.value.where)
    assert "always, missing, never" in info.value.message


def test_defaults_are_the_public_images_pulled_when_missing() -> None:
    config = EduConfig(backend="docker")
    assert config.postgres_image.startswith("pgvector/pgvector:")
    assert config.azurite_image.startswith("mcr.microsoft.com/azure-storage/azurite:")
    assert config.pull_policy == "missing"


def test_this_process_owns_its_label_and_a_finished_process_does_not() -> None:
    assert not owner_gone(owner_label())
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert owner_gone(owner_label(int(finished.stdout)))


def test_a_reused_pid_is_not_mistaken_for_the_owner() -> None:
    host, boot, pid, _ticks = owner_label().rsplit("/", 3)
    assert owner_gone(f"{host}/{boot}/{pid}/1")  # same pid, another start time


def test_other_hosts_and_foreign_labels_are_never_judged_gone() -> None:
    _host, boot, _pid, ticks = owner_label().rsplit("/", 3)
    assert not owner_gone(f"not-{socket.gethostname()}/{boot}/999999/{ticks}")
    assert not owner_gone("whatever")
    assert not owner_gone("")


def test_another_boot_means_the_owner_is_gone() -> None:
    host, _boot, pid, ticks = owner_label().rsplit("/", 3)
    assert owner_gone(f"{host}/another-boot/{pid}/{ticks}")


def test_without_an_engine_the_error_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-engine.sock'}")
    with pytest.raises(ServiceStartError) as info, running_services(EduConfig(backend="docker")):
        pass
    assert "found no Docker engine" in info.value.message
    assert "no-engine.sock" in str(info.value.where)
    assert "--edu-backend=embedded" in str(info.value.fix)
    assert info.value.__cause__ is None  # no docker-py traceback under ours
