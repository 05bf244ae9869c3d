"""Per-run state: services, the migrated template database, cleanup.

Kept in ``config.stash`` (not a module global) so that a pytester run
inside a test run has its own. Under pytest-xdist the controller starts the
services and builds the template once; each worker receives their address
through ``workerinput`` and clones its own database from the template.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from edu_contracts.config import EduConfig

if TYPE_CHECKING:
    from edu_contracts.services import Services
    from edu_contracts.services.janitor import DatabaseJanitor

__all__ = ["STATE_KEY", "TEMPLATE_LABEL", "WORKERINPUT_KEY", "RunState", "run_state"]


WORKERINPUT_KEY = "edu_contracts"


def _new_run_id() -> str:
    # imported on use: the services package (filelock, subprocess plumbing) is
    # not needed by a run that uses no fixture, and the plugin imports this module
    from edu_contracts.services import new_run_id

    return new_run_id()


TEMPLATE_LABEL = "template"


@dataclass
class RunState:
    """Everything one pytest process knows about this run's services."""

    config: EduConfig
    run_id: str = field(default_factory=lambda: _new_run_id())
    worker_id: str = "main"
    _services: Services | None = None
    _template: str | None = None
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _janitor: DatabaseJanitor | None = None
    owns_services: bool = True
    rootdir: Path = field(default_factory=Path.cwd)
    owner_pid: int = field(default_factory=os.getpid)  # the run's main process, for markers
    notes: list[str] = field(default_factory=list)  # said in the terminal summary
    _queues_reaped: bool = False

    # -- services -----------------------------------------------------------
    def services(self) -> Services:
        if self._services is None:
            if self.config.reuse and self.config.backend == "embedded":
                from edu_contracts.testing.reuse import reused_services

                context = reused_services(self.config, self.rootdir)
            elif self.config.backend == "docker":  # containers labelled with this run's id
                from edu_contracts.services.docker import docker_services

                context = docker_services(self.config, self.run_id, self.rootdir)
            else:
                from edu_contracts.services import running_services

                context = running_services(self.config)
            self._services = self._stack.enter_context(context)
        return self._services

    @property
    def _reaps(self) -> bool:
        """Servers that outlive runs (kept or external) may hold killed runs' leftovers."""
        return self.owns_services and (self.config.reuse or self.config.backend == "external")

    def _reaped(self, what: str, names: list[str]) -> None:
        if names:
            self.notes.append(
                f"removed {len(names)} {what} left by killed runs: {', '.join(names)}"
            )

    def reap_queues_once(self) -> None:
        """Before this run's first queue: remove killed runs' queues on its Azurite.

        Each service is reaped when the run first reaches it, so a DB-only run
        never imports the Azure SDK nor waits for a listing of queues.
        """
        if self._reaps and not self._queues_reaped:
            from edu_contracts.services.reaper import reap_queues

            self._queues_reaped = True
            self._reaped("queue(s)", reap_queues(self.services().azurite.connection_string))

    def secrets(self) -> tuple[str, ...]:
        """Every credential this run knows, for scrubbing reports."""
        known = self.config.secrets()
        if self._services is not None:
            known += self._services.secrets()
        return known

    def queue_metadata(self, name: str) -> dict[str, str]:
        """Metadata that proves a queue ours, set when it is created."""
        from edu_contracts.services.ownership import METADATA_KEY, Marker

        marker = Marker.for_this_process("run", name, self.run_id, pid=self.owner_pid)
        return {METADATA_KEY: marker.render()}

    def janitor(self) -> DatabaseJanitor:
        if self._janitor is None:
            from edu_contracts.services.janitor import DatabaseJanitor

            server = self.services().postgres
            if self._reaps:  # the run's first database work: killed runs' databases go
                self._reaped("database(s)", DatabaseJanitor(server, "reaper").reap())
            self._janitor = DatabaseJanitor(server, self.run_id, owner_pid=self.owner_pid)
            self._stack.callback(self._drop_databases)
        return self._janitor

    def prestart(self, *, postgres: bool, azurite: bool) -> None:
        """Spawn what the collected tests will need, without waiting for it."""
        if not (postgres or azurite) or not self.owns_services:
            return
        if self.config.backend == "embedded" and not self.config.reuse:
            self.services().prestart(postgres=postgres, azurite=azurite)
        else:
            from edu_contracts.errors import ServiceError

            # not here, where pytest would print an INTERNALERROR traceback: the first
            # fixture that needs the services raises the error again, as a test error
            with contextlib.suppress(ServiceError):
                self.services()  # reuse, docker, external: reach them now

    @property
    def _throwaway_cluster(self) -> bool:
        """Embedded and not kept: the whole cluster is deleted when the run ends."""
        return self.config.backend == "embedded" and not self.config.reuse

    def template(self) -> str:
        """Name of the migrated template database, built on first use."""
        if self._template is None:
            if self.config.reuse:
                self._template = self._reused_template()
            elif self._throwaway_cluster:
                # the run's cluster is a copy of the cached one that holds it
                from edu_contracts.services._cluster_cache import schema_key, template_name
                from edu_contracts.services.postgres import _server_version, postgres_bin_dir

                self.services().postgres  # noqa: B018  (started from the cached cluster)
                cached = template_name(schema_key(_server_version(postgres_bin_dir())))
                if cached in self.janitor().markers(cached.replace("_", r"\_")):
                    # this run's own throwaway server, copied from our cache: everything
                    # on it was made by us, the proof the janitor asks before a clone
                    self.janitor().created.append(cached)
                    self._template = cached
            if self._template is None:
                from edu_contracts.db.migrate import upgrade

                janitor = self.janitor()
                url = janitor.create(TEMPLATE_LABEL)
                upgrade(url)
                self._template = janitor.name(TEMPLATE_LABEL)
                janitor.mark_template(self._template)
        return self._template

    def _reused_template(self) -> str:
        """The template for the current schema hash; built once, kept across runs."""
        from edu_contracts.testing.reuse import reused_template

        return reused_template(self.services().postgres, self.rootdir, self.owner_pid)

    def worker_database(self) -> str:
        """URL of this worker's migrated database, cloned from the template."""
        return self.janitor().create(self._worker_label(), template=self.template())

    def _worker_label(self) -> str:
        return "db_" + self.worker_slug

    @property
    def worker_slug(self) -> str:
        """The worker id as it may appear in database and queue names."""
        return "".join(c for c in self.worker_id.lower() if c.isalnum())

    def _drop_databases(self) -> None:
        if self._janitor is None or self._throwaway_cluster:
            return  # a throwaway cluster goes with its run directory, databases and all

        def report(name: str, exc: Exception) -> None:
            print(f"edu-contracts: could not drop {name}: {exc}", file=sys.stderr)

        self._janitor.drop_all(on_error=report)

    def close(self) -> None:
        self._stack.close()

    # -- xdist hand-over -----------------------------------------------------
    def to_workerinput(self) -> str:
        services = self.services()
        template = self.template()
        self.janitor()  # workers never reap: the controller does, for all of them
        self.reap_queues_once()
        return json.dumps(
            {
                "run_id": self.run_id,
                "owner_pid": self.owner_pid,
                "template": template,
                "backend": services.backend,
                "postgres": vars(services.postgres),
                "azurite": vars(services.azurite),
            }
        )

    @classmethod
    def from_workerinput(cls, config: EduConfig, raw: str, worker_id: str) -> RunState:
        from edu_contracts.services import AzuriteInfo, PostgresInfo, Services

        data: dict[str, Any] = json.loads(raw)
        state = cls(
            config=config,
            run_id=data["run_id"],
            worker_id=worker_id,
            owner_pid=data.get("owner_pid", os.getpid()),
        )
        state._services = Services(
            PostgresInfo(**data["postgres"]), AzuriteInfo(**data["azurite"]), data["backend"]
        )
        state._template = data["template"]
        state.owns_services = False
        return state


STATE_KEY = pytest.StashKey[RunState]()


def run_state(config: pytest.Config) -> RunState:
    return config.stash[STATE_KEY]
