"""``--edu-reuse`` on the docker backend: containers that outlive the run.

A reused container carries the project's key (``org.edu-contracts.reuse``)
instead of an owner, so the janitor of the next run leaves it alone; the
next run of the same project finds it by that key, checks that it still
runs, and skips the start. ``edu-contracts stop`` removes them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from filelock import FileLock

from edu_contracts.config import EduConfig
from edu_contracts.errors import ConfigurationError
from edu_contracts.services import Services
from edu_contracts.services._paths import cache_dir
from edu_contracts.services.docker import (
    AZURITE_QUEUE_PORT,
    LABEL_REUSE,
    LABEL_SERVICE,
    POSTGRES_PORT,
    _Service,
    build_containers,
    engine_client,
    services_of,
    start_both,
)

__all__ = ["reused", "stop_reused_containers"]


@contextlib.contextmanager
def reused(
    client: Any, config: EduConfig, run_id: str, key: str, ryuk_enabled: bool
) -> Iterator[Services]:
    """This project's containers, found running or started now and left running."""
    if ryuk_enabled:
        raise ConfigurationError(
            "--edu-reuse on the docker backend cannot keep containers while Ryuk runs: "
            "Ryuk removes every container of the session when the run ends",
            where="TESTCONTAINERS_RYUK_DISABLED is not true",
            fix="set TESTCONTAINERS_RYUK_DISABLED=true (the plugin reaps its own containers), "
            "or drop --edu-reuse",
        )
    lock_dir = cache_dir() / "reuse"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(lock_dir / f"docker-{key}.lock"), timeout=120):
        found = {
            container.labels.get(LABEL_SERVICE): container
            for container in client.containers.list(
                all=True, filters={"label": f"{LABEL_REUSE}={key}"}
            )
        }
        postgres, azurite = found.get("postgres"), found.get("azurite")
        wanted = {"postgres": config.postgres_image, "azurite": config.azurite_image}
        if all(
            c is not None and c.status == "running" and c.attrs["Config"]["Image"] == wanted[kind]
            for kind, c in (("postgres", postgres), ("azurite", azurite))
        ):
            services = services_of(
                _Service("Postgres", POSTGRES_PORT, found=postgres),
                _Service("Azurite", AZURITE_QUEUE_PORT, found=azurite),
                "docker (reused)",
            )
        else:
            for stale in found.values():  # half a pair, stopped, or other images: afresh
                stale.remove(force=True, v=True)
            pg_service, az_service = build_containers(config, run_id, reuse_key=key)
            try:
                start_both(pg_service, az_service, config)
                services = services_of(pg_service, az_service, "docker")
            except BaseException:
                pg_service.stop()
                az_service.stop()
                raise
            pg_service.release()
            az_service.release()
    yield services


def stop_reused_containers(key: str | None = None) -> int:
    """Remove reused containers (one project's, or every project's); how many.

    Returns 0 without error where no engine answers: nothing can be running there.
    """
    try:
        client = engine_client()
    except Exception:
        return 0
    try:
        label = LABEL_REUSE if key is None else f"{LABEL_REUSE}={key}"
        containers = client.containers.list(all=True, filters={"label": label})
        for container in containers:
            container.remove(force=True, v=True)
        return len(containers)
    finally:
        client.close()
