"""Old code's traffic during a rehearsal, and the lock waits it sees.

The previous release of edu-api and edu-worker is played by statements
built from that release's table snapshot, the way its ORM would build
them: every mapped column in every SELECT (the 12 KiB vector deferred),
every column it knows in every INSERT. So a dropped or renamed column
fails old code here exactly as it would in production, and a lock that
blocks writers makes these statements wait.

Traffic is bounded: a fixed number of threads, each pausing between
operations, each on its own connection tagged ``application_name`` so the
sampler can tell it from the migration.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

from edu_contracts.errors import MigrationSafetyError

__all__ = ["APP_PREFIX", "LockSampler", "LockWait", "OldCode", "Traffic", "TrafficStats"]

APP_PREFIX = "edu-rehearse-traffic"


@dataclass(frozen=True)
class OldCode:
    """The statements the previous release runs, from its ``tables.json``."""

    insert_document: sql.Composed
    insert_segment: sql.Composed
    document_columns: tuple[str, ...]
    segment_columns: tuple[str, ...]
    search: sql.Composed
    read_document: sql.Composed
    dimensions: int

    @classmethod
    def from_snapshot(cls, tables: Mapping[str, Any]) -> OldCode:
        documents = tables["tables"]["documents"]["columns"]
        segments = tables["tables"]["document_segments"]["columns"]
        dims = int(segments["embedding_vector"].get("dimension") or 3072)
        doc_cols = tuple(c for c in _DOCUMENT_VALUES if c in documents)
        seg_cols = tuple(c for c in _SEGMENT_VALUES if c in segments)
        shown = [c for c in segments if c != "embedding_vector"]
        half = sql.SQL(f"halfvec({dims})")
        search = sql.SQL(
            "SELECT {cols} FROM document_segments WHERE project_id = %s "
            "AND embedding_vector IS NOT NULL "
            "ORDER BY (embedding_vector::{half}) <=> (%s::vector::{half}) LIMIT 5"
        ).format(cols=_idents(shown), half=half)
        read = sql.SQL("SELECT {cols} FROM documents WHERE id = %s").format(
            cols=_idents(list(documents))
        )
        return cls(
            _insert("documents", doc_cols),
            _insert("document_segments", seg_cols),
            doc_cols,
            seg_cols,
            search,
            read,
            dims,
        )


def _idents(names: list[str] | tuple[str, ...]) -> sql.Composed:
    return sql.SQL(", ").join(map(sql.Identifier, names))


def _insert(table: str, columns: tuple[str, ...]) -> sql.Composed:
    return sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(table),
        _idents(columns),
        sql.SQL(", ").join(sql.Placeholder() * len(columns)),
    )


_DOCUMENT_VALUES = ("id", "project_id", "title", "source_kind", "status", "size_bytes")
_SEGMENT_VALUES = (
    "id", "document_id", "project_id", "position", "content", "token_count",
    "embedding_vector", "embedding_model",
)  # fmt: skip


@dataclass
class TrafficStats:
    operations: dict[str, int] = field(default_factory=lambda: {"write": 0, "read": 0})
    slowest: float = 0.0
    errors: dict[str, tuple[int, str]] = field(default_factory=dict)
    """``role: SQLSTATE`` -> (count, first message)."""

    def crash(self, role: str, exc: BaseException) -> None:
        """The traffic itself failed: recorded like an error so the rehearsal fails."""
        self.errors[f"{role}: traffic crashed"] = (1, f"{type(exc).__name__}: {exc}")

    def error(self, role: str, exc: psycopg.Error) -> None:
        key = f"{role}: {exc.sqlstate or type(exc).__name__}"
        count, first = self.errors.get(key, (0, _first_line(exc)))
        self.errors[key] = (count + 1, first)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class Traffic:
    """Writer and reader threads playing old code until :meth:`stop`."""

    def __init__(
        self,
        url: str,
        old: OldCode,
        *,
        writers: int = 2,
        readers: int = 2,
        pause: float = 0.02,
        seed: int = 0,
    ) -> None:
        self.url, self.old, self.pause = url, old, pause
        self.stats = TrafficStats()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._rng = np.random.default_rng(seed)
        with psycopg.connect(url) as conn:
            self.projects = [r[0] for r in conn.execute("SELECT id FROM projects LIMIT 100")]
        if not self.projects:
            raise MigrationSafetyError(
                "the seeded scenario has no projects, so old-code traffic has nothing to do",
                where="rehearsal scenario",
                fix="rehearse with a scenario that seeds users and projects (tiny, demo, load)",
            )
        roles = ["write"] * writers + ["read"] * readers
        self._threads = [
            threading.Thread(target=self._run, args=(role, n), daemon=True, name=f"{role}-{n}")
            for n, role in enumerate(roles)
        ]

    def start(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout: float = 60.0) -> TrafficStats:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        return self.stats

    def _run(self, role: str, number: int) -> None:
        app = f"{APP_PREFIX}-{role}-{number}"
        conn = psycopg.connect(self.url, application_name=app)
        from pgvector.psycopg import register_vector

        register_vector(conn)
        try:
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    with conn.transaction():
                        self._write(conn) if role == "write" else self._read(conn)
                except psycopg.Error as exc:
                    with self._lock:
                        self.stats.error(role, exc)
                    if conn.closed:
                        conn = psycopg.connect(self.url, application_name=app)
                        register_vector(conn)
                except Exception as exc:  # a bug here must fail the rehearsal, not hide
                    with self._lock:
                        self.stats.crash(role, exc)
                    return
                else:
                    with self._lock:
                        self.stats.operations[role] += 1
                elapsed = time.perf_counter() - started
                with self._lock:
                    self.stats.slowest = max(self.stats.slowest, elapsed)
                self._stop.wait(self.pause)
        finally:
            conn.close()

    def _vector(self) -> np.ndarray[Any, Any]:
        with self._lock:
            values = self._rng.standard_normal(self.old.dimensions).astype(np.float32)
        return values / np.linalg.norm(values)

    def _project(self) -> Any:
        with self._lock:
            return self.projects[int(self._rng.integers(len(self.projects)))]

    def _write(self, conn: psycopg.Connection[Any]) -> None:
        """edu-api registers an upload, edu-worker stores its embedded chunks."""
        project, document = self._project(), uuid.uuid4()
        values = {
            "id": document, "project_id": project, "title": "rehearsal upload",
            "source_kind": "text", "status": "ready", "size_bytes": 512,
        }  # fmt: skip
        conn.execute(self.old.insert_document, [values[c] for c in self.old.document_columns])
        for position in range(2):
            segment = {
                "id": uuid.uuid4(), "document_id": document, "project_id": project,
                "position": position, "content": f"chunk {position}", "token_count": 2,
                "embedding_vector": self._vector(), "embedding_model": "rehearsal",
            }  # fmt: skip
            conn.execute(self.old.insert_segment, [segment[c] for c in self.old.segment_columns])

    def _read(self, conn: psycopg.Connection[Any]) -> None:
        """A chat turn: nearest segments in the project, then their document."""
        query = self._vector()
        rows = conn.execute(self.old.search, [self._project(), query]).fetchall()
        if rows:
            document = rows[0][list(self._segment_names()).index("document_id")]
            conn.execute(self.old.read_document, [document]).fetchall()

    def _segment_names(self) -> list[str]:
        text = self.old.search.as_string(None)
        listed = text.split("SELECT ", 1)[1].split(" FROM", 1)[0]
        return [name.strip().strip('"') for name in listed.split(",")]


@dataclass
class LockWait:
    seconds: float
    phase: str
    query: str
    relation: str | None
    blocked_by_migration: bool


class LockSampler:
    """Polls ``pg_stat_activity`` for traffic statements waiting on a lock.

    A waiting statement's wait so far is ``clock_timestamp() - query_start``
    (traffic statements wait from their start); the longest seen per phase
    is kept. Sampling every ``interval`` seconds underestimates a wait by
    at most that interval.
    """

    _QUERY = """
        SELECT a.pid, a.query_start, extract(epoch FROM clock_timestamp() - a.query_start)::float8,
               left(a.query, 200), pg_blocking_pids(a.pid),
               (SELECT l.relation::regclass::text FROM pg_locks l
                 WHERE l.pid = a.pid AND NOT l.granted AND l.relation IS NOT NULL LIMIT 1)
          FROM pg_stat_activity a
         WHERE a.wait_event_type = 'Lock' AND a.application_name LIKE %s
           AND a.datname = current_database()
    """

    def __init__(self, url: str, interval: float = 0.01) -> None:
        self.url, self.interval = url, interval
        self._phases: list[tuple[float, str]] = [(0.0, "warm-up")]
        self.migration_pid: int | None = None
        self.longest: dict[str, LockWait] = {}
        self._waits: dict[Any, LockWait] = {}
        self.error: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="lock-sampler")

    def start(self) -> LockSampler:
        self._thread.start()
        return self

    def set_phase(self, name: str) -> None:
        """From now on, waits that *start* belong to ``name``."""
        self._phases.append((time.monotonic(), name))

    def _phase_at(self, moment: float) -> str:
        current = self._phases[0][1]
        for started, name in list(self._phases):
            if started <= moment:
                current = name
        return current

    def stop(self) -> dict[str, LockWait]:
        self._stop.set()
        self._thread.join(10)
        return self.longest

    def _run(self) -> None:
        try:
            self._sample()
        except psycopg.Error as exc:  # the database went away: keep what was seen
            self.error = f"lock sampling stopped: {exc.sqlstate or type(exc).__name__}"

    def _sample(self) -> None:
        with psycopg.connect(
            self.url, autocommit=True, application_name="edu-rehearse-sampler"
        ) as c:
            while not self._stop.is_set():
                rows = c.execute(self._QUERY, [f"{APP_PREFIX}%"]).fetchall()
                now = time.monotonic()
                for pid, started, waited, query, blockers, rel in rows:
                    self._seen(now, (pid, started), waited, query, blockers or [], rel)
                self._stop.wait(self.interval)

    def _seen(
        self, now: float, key: Any, waited: float, query: str, blockers: list[int], rel: Any
    ) -> None:
        """Fold one sample into its wait: the same statement is seen many times, and
        what a late sample misses (the lock was granted between the two catalog
        reads) is kept from an earlier one."""
        wait = self._waits.get(key)
        if wait is None:
            wait = LockWait(waited, self._phase_at(now - waited), query, None, False)
            self._waits[key] = wait
        wait.seconds = max(wait.seconds, waited)
        wait.relation = wait.relation or rel
        wait.blocked_by_migration = wait.blocked_by_migration or (
            self.migration_pid is not None and self.migration_pid in blockers
        )
        best = self.longest.get(wait.phase)
        if best is None or wait.seconds >= best.seconds:
            self.longest[wait.phase] = wait
