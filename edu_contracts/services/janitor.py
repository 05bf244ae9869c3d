"""Create and drop only what this run made.

Every database and queue name the toolkit creates is ``edu_<run id>_<label>``
(queues: ``edu-<run id>-<label>``). Dropping anything without this run's
prefix raises ``UnsafeOperationError``, so a mistyped URL or a shared server
can never lose data to a test run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from edu_contracts.errors import ServiceError, UnsafeOperationError
from edu_contracts.services import PostgresInfo

__all__ = ["DatabaseJanitor"]

_LABEL = re.compile(r"^[a-z0-9_]{1,30}$")


@dataclass
class DatabaseJanitor:
    """Creates this run's databases on a server and drops exactly those."""

    server: PostgresInfo
    run_id: str
    created: list[str] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return f"edu_{self.run_id}_"

    def name(self, label: str) -> str:
        if not _LABEL.match(label):
            raise ValueError(f"database label must match {_LABEL.pattern}, got {label!r}")
        return self.prefix + label

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        try:
            return psycopg.connect(self.server.libpq_url(), autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise ServiceError(
                f"cannot connect to Postgres: {exc}",
                where=f"{self.server.host}:{self.server.port}",
                fix="check that the server runs and the URL's user may create databases",
            ) from exc

    def create(self, label: str, *, template: str | None = None) -> str:
        """Create ``edu_<run>_<label>`` (optionally as a copy of our template); its URL."""
        name = self.name(label)
        if template is not None and not template.startswith("edu_"):
            # cloning only reads, but only from a template the toolkit built
            self._check_ours(template, "clone")
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self._admin() as conn:
            conn.execute(statement)
        self.created.append(name)
        return self.server.url(name)

    def mark_template(self, name: str) -> None:
        """Let ``CREATE DATABASE … TEMPLATE`` copy it and refuse connections to it."""
        self._check_ours(name, "mark as template")
        with self._admin() as conn:
            conn.execute(
                sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false").format(
                    sql.Identifier(name)
                )
            )

    def drop(self, name: str) -> None:
        self._check_ours(name, "drop")
        with self._admin() as conn:
            conn.execute(
                sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE false").format(sql.Identifier(name))
            )
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        if name in self.created:
            self.created.remove(name)

    def drop_all(self, on_error: Callable[[str, Exception], None] | None = None) -> None:
        """Drop every database this janitor created, newest first (clones before templates)."""
        for name in reversed(list(self.created)):
            try:
                self.drop(name)
            except Exception as exc:  # keep cleaning the rest
                if on_error is None:
                    raise
                on_error(name, exc)

    def _check_ours(self, name: str, action: str) -> None:
        if not name.startswith(self.prefix):
            raise UnsafeOperationError(
                f"refusing to {action} database {name!r}: it was not created by this run",
                where=f"{self.server.host}:{self.server.port}",
                fix=f"only databases named {self.prefix}* belong to this run",
            )
