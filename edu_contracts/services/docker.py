"""The Docker backend: Postgres+pgvector and Azurite containers via testcontainers.

Defaults are the public images (``pgvector/pgvector``, Azurite's); machines
without registry access build equivalent images offline with
``docker/build-images.sh`` and run with ``--edu-pull-policy never``.

What the engine alone does not guarantee, this module does:

* ports are published on 127.0.0.1 only, whatever the daemon's default, so a
  test database is never reachable from another host;
* every container is labelled with the run id and its owner (host, boot,
  pid, process start time). Ryuk may be disabled (its image cannot always be
  pulled), so the next run removes containers whose owner is provably gone,
  like the embedded backend's run directories; nothing unlabelled, nor a
  live owner's container, is ever touched;
* readiness means the service answers: a query through ``psql`` inside the
  Postgres container, Azurite's "successfully listens" line (Docker's port
  proxy accepts connections long before the queue service does);
* an absent image that cannot be pulled is a ``ServiceStartError`` naming
  the image, the pull policy and the fix, never a docker-py traceback.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edu_contracts.config import EduConfig, PullPolicy
from edu_contracts.errors import MissingDependencyError, ServiceDiedError, ServiceStartError
from edu_contracts.services import AzuriteInfo, PostgresInfo, Services
from edu_contracts.services._docker_owner import LABEL_OWNER, owner_gone, owner_label
from edu_contracts.services.azurite import ACCOUNT_NAME

__all__ = [
    "AZURITE_QUEUE_PORT",
    "BUILD_FIX",
    "LABEL",
    "LABEL_REUSE",
    "LABEL_RUN",
    "LABEL_SERVICE",
    "LOCAL_AZURITE_IMAGE",
    "LOCAL_POSTGRES_IMAGE",
    "LOOPBACK",
    "POLL_INTERVAL",
    "POSTGRES_PASSWORD",
    "POSTGRES_PORT",
    "STARTUP_TIMEOUT",
    "build_containers",
    "container_class",
    "docker_services",
    "engine_client",
    "ensure_image",
    "reap_stale_containers",
    "reuse_key",
    "services_of",
    "start_both",
]

POSTGRES_PASSWORD = "edu"  # a throwaway container's password, never a real one
POSTGRES_PORT = 5432
AZURITE_QUEUE_PORT = 10001
LOOPBACK = "127.0.0.1"
LOCAL_POSTGRES_IMAGE = "edu-local/pgvector:pg18"
LOCAL_AZURITE_IMAGE = "edu-local/azurite:3.37.0"

LABEL = "org.edu-contracts"
LABEL_RUN = f"{LABEL}.run-id"
LABEL_REUSE = f"{LABEL}.reuse"  # --edu-reuse: the project key; never reaped by owner
LABEL_SERVICE = f"{LABEL}.service"

BUILD_FIX = (
    "build the images offline with docker/build-images.sh (in the edu-contracts "
    f"repository), then pass --edu-postgres-image {LOCAL_POSTGRES_IMAGE} "
    f"--edu-azurite-image {LOCAL_AZURITE_IMAGE}; or, with registry access, "
    "--edu-pull-policy missing"
)
STARTUP_TIMEOUT = 60
POLL_INTERVAL = 0.1


def _docker() -> Any:
    """The docker-py module (installed with testcontainers)."""
    try:
        import docker
    except ImportError as exc:
        raise MissingDependencyError(
            "the docker backend needs testcontainers",
            fix="pip install 'edu-contracts[docker]'",
        ) from exc
    return docker


def container_class() -> type[Any]:
    """testcontainers' generic container class."""
    _docker()
    try:
        from testcontainers.core.container import DockerContainer
    except ImportError as exc:
        raise MissingDependencyError(
            "the docker backend needs testcontainers",
            fix="pip install 'edu-contracts[docker]'",
        ) from exc
    return DockerContainer


def _no_engine(reason: str, where: str) -> ServiceStartError:
    return ServiceStartError(
        f"the docker backend found no Docker engine: {reason}",
        where=f"DOCKER_HOST: {where}",
        fix="start a Docker engine (docker info must work) or set DOCKER_HOST to one, "
        "or use --edu-backend=embedded, which needs no Docker",
    )


def engine_client() -> Any:
    """A docker-py client for the engine ``DOCKER_HOST`` names (default: the local socket)."""
    docker = _docker()
    host = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    if host.startswith("unix://"):
        # docker-py leaks the socket of a failed version probe: ask the socket first
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(host.removeprefix("unix://"))
            except OSError as exc:
                raise _no_engine(exc.strerror or str(exc), host) from None
    try:
        client = docker.from_env()
    except docker.errors.DockerException as exc:
        raise _no_engine(str(exc), host) from None
    try:
        client.ping()
    except docker.errors.DockerException as exc:
        client.close()
        raise _no_engine(str(exc), host) from None
    return client


def reap_stale_containers(client: Any) -> list[str]:
    """Remove the containers whose owning run is gone (a killed run); their names."""
    removed: list[str] = []
    for container in client.containers.list(all=True, filters={"label": LABEL_OWNER}):
        if owner_gone(container.labels.get(LABEL_OWNER, "")):
            with contextlib.suppress(_docker().errors.NotFound):
                container.remove(force=True, v=True)
            removed.append(container.name)
    return removed


# -- images --------------------------------------------------------------------
def ensure_image(client: Any, image: str, policy: PullPolicy) -> None:
    """Make ``image`` present according to ``policy``, or say exactly why it is not."""
    errors = _docker().errors
    if policy != "always":
        try:
            client.images.get(image)
            return
        except errors.ImageNotFound:
            if policy == "never":
                raise ServiceStartError(
                    f"the image {image} is not on this Docker engine and the pull policy is never",
                    where=f"image {image}, pull policy never",
                    fix=BUILD_FIX,
                ) from None
    try:
        client.images.pull(image)
    except Exception as exc:  # docker-py, requests and urllib3 all raise here
        raise ServiceStartError(
            f"the image {image} could not be pulled ({type(exc).__name__}: {exc})",
            where=f"image {image}, pull policy {policy}",
            fix=BUILD_FIX.replace("; or, with registry access, --edu-pull-policy missing", "")
            + " and --edu-pull-policy never",
        ) from None


def _ryuk_image() -> str | None:
    """Ryuk's image if testcontainers will start it (it is pulled like any other)."""
    from testcontainers.core.config import testcontainers_config

    return None if testcontainers_config.ryuk_disabled else str(testcontainers_config.ryuk_image)


# -- containers ----------------------------------------------------------------
@dataclass
class _Service:
    """One container: testcontainers' handle while we start it, docker-py's after."""

    name: str
    port: int
    container: Any = None  # testcontainers DockerContainer (None for a found, reused one)
    found: Any = None  # docker-py Container of a reused container

    @property
    def wrapped(self) -> Any:
        return self.found if self.found is not None else self.container.get_wrapped_container()

    def published(self) -> tuple[str, int]:
        """The loopback address the port is published on."""
        self.wrapped.reload()
        bindings = self.wrapped.attrs["NetworkSettings"]["Ports"].get(f"{self.port}/tcp") or []
        for binding in bindings:
            if binding["HostIp"] == LOOPBACK:
                return LOOPBACK, int(binding["HostPort"])
        raise ServiceStartError(
            f"the {self.name} container's port {self.port} is not published on {LOOPBACK}",
            where=f"container {self.wrapped.name}: {bindings}",
            fix="use a Docker engine that honours host-ip port bindings",
        )

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(Exception):
            text = self.wrapped.logs(tail=lines).decode(errors="replace").strip()
            return text or "(log is empty)"
        return "(no log)"

    def check_alive(self) -> None:
        """Raise ``ServiceDiedError`` if the container stopped or was removed under us."""
        errors = _docker().errors
        try:
            self.wrapped.reload()
            status, code = self.wrapped.status, self.wrapped.attrs["State"].get("ExitCode")
        except errors.NotFound:
            status, code = "removed", None
        if status != "running":
            raise ServiceDiedError(
                f"the {self.name} container is no longer running ({status}, exit code {code})",
                where=f"container {self.wrapped.name} ({self.wrapped.short_id})",
                fix=f"the tail of its log says:\n{self.log_tail()}",
            )

    def started(self) -> bool:
        return self.found is not None or (
            self.container is not None and self.container._container is not None
        )

    def stop(self) -> None:
        """Remove the container (if it was created) and close testcontainers' client."""
        if self.container is None:
            return
        with contextlib.suppress(Exception):
            if self.container._container is not None:
                self.container._container.remove(force=True, v=True)
        self.release()

    def release(self) -> None:
        """Close testcontainers' client, leaving the container running (reuse)."""
        if self.container is not None:
            with contextlib.suppress(Exception):
                self.container.get_docker_client().client.close()


def _labels(run_id: str, service: str, reuse_key: str | None) -> dict[str, str]:
    labels = {LABEL_RUN: run_id, LABEL_SERVICE: service}
    if reuse_key is None:
        labels[LABEL_OWNER] = owner_label()
    else:
        labels[LABEL_REUSE] = reuse_key
    return labels


def build_containers(
    config: EduConfig, run_id: str, reuse_key: str | None = None
) -> tuple[_Service, _Service]:
    """Configured, not yet started, containers for this run."""
    from testcontainers.core.wait_strategies import ExecWaitStrategy, LogMessageWaitStrategy

    container_cls = container_class()
    postgres = container_cls(config.postgres_image)
    # a throwaway test server, as the embedded one: durability buys nothing and costs a lot
    postgres.with_command(
        "postgres -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        "-c max_connections=200"
    )
    postgres.with_envs(
        POSTGRES_USER="postgres", POSTGRES_PASSWORD=POSTGRES_PASSWORD, POSTGRES_DB="postgres"
    )
    # a real query over TCP: the official image's first, socket-only server does not count
    probe = f"PGPASSWORD={POSTGRES_PASSWORD} psql -U postgres -h 127.0.0.1 -qc 'select 1'"
    postgres.waiting_for(
        ExecWaitStrategy(["sh", "-c", probe])
        .with_startup_timeout(STARTUP_TIMEOUT)
        .with_poll_interval(POLL_INTERVAL)
    )
    azurite = container_cls(config.azurite_image)
    azurite.with_command(
        f"azurite-queue --queueHost 0.0.0.0 --queuePort {AZURITE_QUEUE_PORT} "
        "--inMemoryPersistence --disableTelemetry --skipApiVersionCheck --loose"
    )
    azurite.waiting_for(
        LogMessageWaitStrategy("Queue service successfully listens on")
        .with_startup_timeout(STARTUP_TIMEOUT)
        .with_poll_interval(POLL_INTERVAL)
    )
    services = (
        _Service("Postgres", POSTGRES_PORT, postgres),
        _Service("Azurite", AZURITE_QUEUE_PORT, azurite),
    )
    for service, kind in zip(services, ("postgres", "azurite"), strict=True):
        # the host ip is explicit: never the daemon's default (0.0.0.0)
        service.container.ports[str(service.port)] = (LOOPBACK,)
        service.container.with_kwargs(labels=_labels(run_id, kind, reuse_key))
    return services


def _start(service: _Service, image: str) -> None:
    try:
        service.container.start()
    except Exception as exc:  # docker-py and testcontainers raise many kinds
        tail = service.log_tail() if service.started() else "(not created)"
        service.stop()
        raise ServiceStartError(
            f"the {service.name} container did not become ready: {type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}",
            where=f"image {image}",
            fix=f"the tail of its log says:\n{tail}",
        ) from None


def services_of(postgres: _Service, azurite: _Service, backend: str) -> Services:
    pg_host, pg_port = postgres.published()
    az_host, az_port = azurite.published()
    return Services(
        PostgresInfo(pg_host, pg_port, "postgres", POSTGRES_PASSWORD),
        AzuriteInfo(f"http://{az_host}:{az_port}/{ACCOUNT_NAME}"),
        backend,
        [postgres.check_alive, azurite.check_alive],
    )


def reuse_key(rootdir: Path) -> str:
    """The label value that finds one project's reused containers."""
    return hashlib.sha256(str(rootdir.resolve()).encode()).hexdigest()[:12]


@contextlib.contextmanager
def docker_services(
    config: EduConfig, run_id: str | None = None, rootdir: Path | None = None
) -> Iterator[Services]:
    """Both containers for the duration of the block (kept, with ``reuse``, for the next run)."""
    from edu_contracts.services import _docker_reuse, new_run_id

    client = engine_client()
    try:
        reap_stale_containers(client)
        images = [config.postgres_image, config.azurite_image]
        ryuk = _ryuk_image()
        if ryuk is not None:
            images.append(ryuk)
        for image in images:
            ensure_image(client, image, config.pull_policy)
        run_id = run_id or new_run_id()
        if config.reuse:
            key = reuse_key(rootdir or Path.cwd())
            with _docker_reuse.reused(client, config, run_id, key, ryuk is not None) as services:
                yield services
            return
        postgres, azurite = build_containers(config, run_id)
        with contextlib.ExitStack() as stack:
            for service in (postgres, azurite):
                stack.callback(service.stop)
            start_both(postgres, azurite, config)
            yield services_of(postgres, azurite, "docker")
    finally:
        client.close()


def start_both(postgres: _Service, azurite: _Service, config: EduConfig) -> None:
    """Start both at once: a run pays for the slower container, not for the sum."""
    with ThreadPoolExecutor(2, thread_name_prefix="edu-docker") as pool:
        futures = [
            pool.submit(_start, postgres, config.postgres_image),
            pool.submit(_start, azurite, config.azurite_image),
        ]
        for future in futures:
            future.result()
