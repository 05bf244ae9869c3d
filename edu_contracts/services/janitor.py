"""Create databases with an ownership marker; drop only those the marker proves ours.

Every database the toolkit creates is named ``edu_<run id>_<label>`` and, at
once, signed with a ``COMMENT ON DATABASE`` marker (``services.ownership``).
The name is the first gate, the marker the proof: dropping a database whose
marker does not verify, or names another run, raises
``UnsafeOperationError``, so a shared server never loses data to a test run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from edu_contracts.errors import ServiceError, UnsafeOperationError
from edu_contracts.redaction import scrub
from edu_contracts.services import PostgresInfo
from edu_contracts.services.ownership import Intents, Marker

__all__ = ["DatabaseJanitor"]

_LABEL = re.compile(r"^[a-z0-9_]{1,40}$")
_MARKERS = """
SELECT datname, shobj_description(oid, 'pg_database')
FROM pg_database WHERE datname LIKE %s
"""


@dataclass(repr=False)
class DatabaseJanitor:
    """Creates this run's databases on a server and drops exactly those.

    ``kind`` is written into each marker: ``run`` (reaped once the owner
    process is gone) or ``template`` (kept for ``--edu-reuse``); ``owner_pid``
    is the run's main process, also for databases an xdist worker creates.
    """

    server: PostgresInfo
    run_id: str
    kind: str = "run"
    project: str = ""
    owner_pid: int | None = None
    created: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"DatabaseJanitor(run={self.run_id!r}, server={self.server!r})"

    @property
    def prefix(self) -> str:
        return f"edu_{self.run_id}_"

    def name(self, label: str) -> str:
        if not _LABEL.match(label):
            raise ValueError(f"database label must match {_LABEL.pattern}, got {label!r}")
        return self.prefix + label

    def marker(self, name: str) -> Marker:
        return Marker.for_this_process(
            self.kind, name, self.run_id, project=self.project, pid=self.owner_pid
        )

    @contextmanager
    def admin(self) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        """An autocommit connection to the server's ``postgres`` database.

        A driver error is re-raised with every credential scrubbed from it.
        """
        where = f"{self.server.host}:{self.server.port}"
        try:
            conn = psycopg.connect(
                self.server.database_url().conninfo(), autocommit=True, connect_timeout=10
            )
        except psycopg.Error as exc:
            raise ServiceError(
                f"cannot connect to Postgres: {scrub(str(exc), self.server.secrets())}",
                where=where,
                fix="check that the server runs and the URL's user may create databases",
            ) from None
        with conn:
            yield conn

    def markers(self, pattern: str | None = None) -> dict[str, str | None]:
        """Every database named like ``pattern`` (default: this janitor's prefix), its comment."""
        like = pattern or self.prefix.replace("_", r"\_") + "%"
        with self.admin() as conn:
            return {str(n): c for n, c in conn.execute(_MARKERS, (like,))}  # type: ignore[misc]

    def create(self, label: str, *, template: str | None = None) -> str:
        """Create ``edu_<run>_<label>`` (optionally a copy of our template); its URL."""
        name = self.name(label)
        if template is not None:
            self._proven(template, "clone", any_run=True)
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        marker = self.marker(name).with_state("building" if self.kind == "template" else "ready")
        intents = self.intents()
        intents.record(marker)  # a kill before the COMMENT below leaves this proof
        try:
            with self.admin() as conn:
                conn.execute(statement)
                self.created.append(name)
                self._sign(conn, marker)
        except psycopg.errors.DuplicateDatabase:
            intents.done(name)  # someone else's: never claim it
            raise UnsafeOperationError(
                f"database {name!r} already exists; it is not this run's",
                where=f"{self.server.host}:{self.server.port}",
                fix="another process chose the same name; run again (run ids are random)",
            ) from None
        except psycopg.Error as exc:
            if name not in self.created and exc.sqlstate is not None:
                intents.done(name)  # the server refused the statement: nothing was made
            raise
        except BaseException:
            # interrupted mid-statement (Ctrl-C under xdist): the server may have made the
            # database anyway, unsigned. The intent stays, the proof a later reaper needs
            raise
        intents.done(name)
        return self.server.url(name)

    def intents(self) -> Intents:
        return Intents(f"{self.server.host}_{self.server.port}")

    def _sign(self, conn: psycopg.Connection[tuple[object, ...]], marker: Marker) -> None:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(marker.name), sql.Literal(marker.render())
            )
        )

    def mark_template(self, name: str) -> None:
        """Let ``CREATE DATABASE … TEMPLATE`` copy it, refuse connections to it, mark it ready."""
        marker = self._proven(name, "mark as template") or self.marker(name)
        with self.admin() as conn:
            conn.execute(
                sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false").format(
                    sql.Identifier(name)
                )
            )
            self._sign(conn, marker.with_state("ready"))

    def owned(self, name: str, *, any_run: bool = False) -> Marker | None:
        """The verified marker of ``name`` if this run (or, ``any_run``, we) created it."""
        comment = self.markers(name.replace("_", r"\_")).get(name)
        marker = Marker.verify(comment, name)
        if marker is None or (not any_run and marker.run != self.run_id):
            return None
        return marker

    def _proven(self, name: str, action: str, *, any_run: bool = False) -> Marker | None:
        """The marker proving ``name`` ours, or None if this janitor's own CREATE made it."""
        marker = self.owned(name, any_run=any_run) if name.startswith("edu_") else None
        if marker is None and name in self.created:
            return None  # our CREATE DATABASE succeeded: proof enough, even unsigned
        if marker is None:
            raise UnsafeOperationError(
                f"refusing to {action} database {name!r}: nothing proves this toolkit created it"
                + ("" if any_run else " in this run"),
                where=f"{self.server.host}:{self.server.port}",
                fix="only databases carrying this run's ownership marker (a COMMENT written "
                "at creation) are touched; see the README's Safety section",
            )
        return marker

    def drop(self, name: str) -> None:
        self._proven(name, "drop")
        self.force_drop_proven(name)

    def force_drop_proven(self, name: str) -> None:
        """Drop ``name``; the caller has verified its marker (the reaper, stale templates)."""
        with self.admin() as conn:
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

    def reap(self) -> list[str]:
        """Drop databases of our runs whose owner process is gone (a SIGKILL'd run).

        Each needs a verified marker; a reused template only while half-built.
        """
        dropped = []
        markers = self.markers(r"edu\_%")
        intents = self.intents()
        for name, intent in intents.pending().items():
            if not intent.owner_gone():
                continue
            if name in markers and markers[name] is None:
                self.force_drop_proven(name)  # created, killed before it was signed
                dropped.append(name)
            intents.done(name)
        for name, comment in markers.items():
            marker = Marker.verify(comment, name)
            if marker is None or not marker.owner_gone():
                continue
            if marker.kind == "template" and marker.state == "ready":
                continue  # kept on purpose by --edu-reuse; replaced by its project only
            self.force_drop_proven(name)
            dropped.append(name)
        return dropped
