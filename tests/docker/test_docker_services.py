"""The docker backend against a real engine: what it publishes, what it refuses, what it reaps."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from azure.storage.queue import QueueServiceClient

from edu_contracts.config import EduConfig
from edu_contracts.errors import ServiceStartError, UnsafeOperationError
from edu_contracts.services import Services
from edu_contracts.services._docker_owner import LABEL_OWNER, owner_label
from edu_contracts.services.docker import (
    LABEL_SERVICE,
    LOOPBACK,
    docker_services,
    ensure_image,
    reap_stale_containers,
)
from edu_contracts.services.janitor import DatabaseJanitor

pytestmark = pytest.mark.docker

ABSENT_IMAGE = "edu-local/never-built:absent"


def _listeners(port: int) -> list[str]:
    """Local addresses of the sockets listening on ``port`` (IPv4 and IPv6), from /proc."""
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, _remote, state = line.split()[1:4]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                if width == 8:
                    found.append(".".join(str(b) for b in reversed(bytes.fromhex(address))))
                else:
                    found.append("ipv6:" + address)
    return found


def _ports(services: Services) -> list[int]:
    azurite_port = services.azurite.queue_endpoint.rsplit(":", 1)[1].split("/")[0]
    return [services.postgres.port, int(azurite_port)]


def test_published_ports_listen_on_127_0_0_1_only(
    docker_stack: Services, docker_client: Any
) -> None:
    ports = _ports(docker_stack)
    for port in ports:
        listeners = _listeners(port)
        assert listeners, f"nothing listens on port {port}"
        assert set(listeners) == {LOOPBACK}, f"port {port} listens on {listeners}"
    # and the engine itself says so, for every port of every container of ours
    ours = [
        c
        for c in docker_client.containers.list(filters={"label": LABEL_SERVICE})
        if any(
            int(b["HostPort"]) in ports
            for bindings in c.attrs["NetworkSettings"]["Ports"].values()
            for b in bindings or []
        )
    ]
    assert len(ours) == 2
    for container in ours:
        for bindings in container.attrs["HostConfig"]["PortBindings"].values():
            assert {b["HostIp"] for b in bindings} == {LOOPBACK}


def test_postgres_has_pgvector_and_azurite_serves_queues(docker_stack: Services) -> None:
    with psycopg.connect(docker_stack.postgres.libpq_url()) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        distance = conn.execute("SELECT '[1,2,3]'::vector <-> '[1,2,4]'::vector").fetchone()
    assert distance == (1.0,)
    client = QueueServiceClient.from_connection_string(docker_stack.azurite.connection_string)
    queue = client.create_queue("edu-docker-probe")
    try:
        queue.send_message("hello")
        assert [m.content for m in queue.receive_messages()] == ["hello"]
    finally:
        client.delete_queue("edu-docker-probe")
        client.close()


def test_a_missing_image_with_pull_policy_never_is_a_typed_error(
    docker_config: EduConfig, docker_client: Any
) -> None:
    config = dataclasses.replace(docker_config, postgres_image=ABSENT_IMAGE, pull_policy="never")
    with pytest.raises(ServiceStartError) as info, docker_services(config):
        pass
    error = info.value
    assert ABSENT_IMAGE in error.message
    assert "never" in error.message
    assert "docker/build-images.sh" in str(error.fix)
    assert error.__cause__ is None  # no docker.errors traceback below ours
    assert error.__suppress_context__
    assert docker_client.containers.list(all=True, filters={"ancestor": ABSENT_IMAGE}) == []


def test_a_missing_image_fails_an_inner_run_without_a_traceback(
    pytester: pytest.Pytester, docker_options: list[str]
) -> None:
    pytester.makepyfile(test_x="def test_x(edu_session):\n    pass\n")
    result = pytester.runpytest_subprocess(
        *docker_options, "--edu-pull-policy=never", f"--edu-postgres-image={ABSENT_IMAGE}"
    )
    output = result.stdout.str()
    assert result.parseoutcomes().get("errors") == 1, output
    assert "ServiceStartError" in output
    assert ABSENT_IMAGE in output
    # our error alone: no docker-py exception chained under it
    assert "During handling of the above exception" not in output
    assert "direct cause of the following exception" not in output
    assert not [line for line in result.stdout.lines if line.startswith("E   docker.")]


def test_database_janitor_refuses_what_it_did_not_create(docker_stack: Services) -> None:
    info = docker_stack.postgres
    with psycopg.connect(info.libpq_url(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE sentinel_docker_db")
    try:
        janitor = DatabaseJanitor(info, "0000beef")
        with pytest.raises(UnsafeOperationError):
            janitor.drop("sentinel_docker_db")
        with psycopg.connect(info.libpq_url(), autocommit=True) as conn:
            names = [r[0] for r in conn.execute("SELECT datname FROM pg_database")]
        assert "sentinel_docker_db" in names
    finally:
        with psycopg.connect(info.libpq_url(), autocommit=True) as conn:
            conn.execute("DROP DATABASE sentinel_docker_db")


def test_container_janitor_removes_only_containers_whose_owner_is_gone(
    docker_client: Any, docker_config: EduConfig
) -> None:
    image = docker_config.azurite_image
    ensure_image(docker_client, image, docker_config.pull_policy)
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    _host, boot, _pid, ticks = owner_label().rsplit("/", 3)
    owners = {
        "dead": owner_label(int(finished.stdout)),
        "alive": owner_label(),
        "elsewhere": f"another-host/{boot}/{finished.stdout.strip()}/{ticks}",
    }
    created = {
        kind: docker_client.containers.create(image, labels={LABEL_OWNER: label})
        for kind, label in owners.items()
    }
    created["unlabelled"] = docker_client.containers.create(image)
    try:
        removed = reap_stale_containers(docker_client)
        remaining = {c.id for c in docker_client.containers.list(all=True)}
        assert created["dead"].name in removed
        assert created["dead"].id not in remaining
        for kind in ("alive", "elsewhere", "unlabelled"):
            assert created[kind].id in remaining, f"the {kind} container was removed"
            assert created[kind].name not in removed
    finally:
        for container in created.values():
            if container.id in {c.id for c in docker_client.containers.list(all=True)}:
                container.remove(force=True)
