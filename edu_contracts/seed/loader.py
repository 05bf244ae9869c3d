"""Bulk loading of a scenario through Postgres binary COPY, in batches, in one transaction.

Why COPY and binary: a 3072-d vector is 12 KiB as float4 and about 40 KiB
as text; the ORM path renders every vector to text in Python, then the
server parses it back. Binary COPY sends the float4 bytes as they are.

Why batches: rows are buffered per table and written when the buffer holds
``batch_rows`` rows, parents' tables first, so a child's parent is always
already written (foreign keys are checked row by row) and memory stays flat
whatever the scenario's size.

Why one transaction: an interrupted load leaves nothing behind, so a rerun
meets an empty database again instead of half a scenario.

The HNSW index: pgvector maintains it row by row on insert, which on this
index (3072-d ``halfvec``) costs tens of milliseconds per vector and
dominates any bulk load by two orders of magnitude. When a load brings more
vectors than the table already holds, the loader drops the index *inside
its transaction* and recreates it from its own definition
(``pg_get_indexdef``) before committing: if anything fails the drop is
rolled back with everything else, so the database is never without it. The
price is an exclusive lock on ``document_segments`` for the duration.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from psycopg import Connection as PgConnection
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy.dialects import postgresql

from edu_contracts.db.base import Base
from edu_contracts.db.models.document import HNSW_INDEX_NAME
from edu_contracts.db.types import PydanticJSONB
from edu_contracts.errors import SeedError
from edu_contracts.seed.rows import Row

__all__ = [
    "TABLE_ORDER",
    "BulkWriter",
    "LoadStats",
    "embedded_count",
    "export_tables",
    "hnsw_definition",
]

TABLE_ORDER: tuple[str, ...] = (
    "users", "projects", "documents", "document_segments", "chats", "notes", "mind_maps",
    "flashcard_groups", "flashcards", "flashcard_progress", "quizzes", "quiz_questions",
    "study_sessions", "practice_records", "user_usage",
)  # fmt: skip
"""Parents before children: the order buffers are written in."""

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def _copy_type(column: sa.Column[Any]) -> str:
    """The name psycopg's binary dumper is chosen by.

    Enums go as ``text``: in binary COPY the server decodes each field with
    the *column's* receive function, and an enum's binary form is its label.
    """
    kind = column.type
    if isinstance(kind, PydanticJSONB):
        return "jsonb"
    if isinstance(kind, sa.Enum):
        return "text"
    name = kind.compile(dialect=_DIALECT).lower()
    if name.startswith("vector"):
        return "vector"
    if name.startswith(("varchar", "text")):
        return "text"
    return {
        "uuid": "uuid", "integer": "int4", "bigint": "int8", "smallint": "int2",
        "float": "float8", "double precision": "float8", "boolean": "bool", "date": "date",
        "timestamp with time zone": "timestamptz", "jsonb": "jsonb",
    }[name]  # fmt: skip


@dataclass(frozen=True)
class _Table:
    name: str
    columns: tuple[str, ...]
    types: tuple[str, ...]
    converters: tuple[Callable[[Any], Any] | None, ...]


def _converter(column: sa.Column[Any]) -> Callable[[Any], Any] | None:
    kind = column.type
    if isinstance(kind, PydanticJSONB):
        # Validate through the column's own type, exactly as the ORM would bind it.
        bind = kind.process_bind_param

        def to_json(value: Any) -> Any:
            return None if value is None else Jsonb(bind(value, _DIALECT))

        return to_json
    if isinstance(kind, sa.Enum):
        return lambda value: None if value is None else str(getattr(value, "value", value))
    return None


def _tables() -> dict[str, _Table]:
    tables = {}
    for name in TABLE_ORDER:
        table = Base.metadata.tables[name]
        cols = [c for c in table.columns if not c.computed]
        tables[name] = _Table(
            name,
            tuple(c.name for c in cols),
            tuple(_copy_type(c) for c in cols),
            tuple(_converter(c) for c in cols),
        )
    return tables


@dataclass
class LoadStats:
    """What a load wrote, and how long the parts took."""

    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLE_ORDER, 0))
    seconds: float = 0.0
    index_seconds: float = 0.0
    index_rebuilt: bool = False

    @property
    def total(self) -> int:
        return sum(self.rows.values())


class BulkWriter:
    """Buffers rows per table and COPYs them in FK order; one instance per transaction.

    ``on_batch(stats)`` is called after every written batch (progress bars).
    """

    def __init__(
        self,
        connection: PgConnection[Any],
        *,
        batch_rows: int = 2000,
        on_batch: Callable[[LoadStats], None] | None = None,
    ) -> None:
        from pgvector.psycopg import register_vector

        register_vector(connection)
        self.connection = connection
        self.batch_rows = batch_rows
        self.on_batch = on_batch
        self.stats = LoadStats()
        self._tables = _tables()
        self._buffers: dict[str, list[Row]] = {name: [] for name in TABLE_ORDER}
        self._buffered = 0

    def add(self, table: str, row: Row) -> None:
        self._buffers[table].append(row)
        self._buffered += 1
        if self._buffered >= self.batch_rows:
            self.flush()

    def add_all(self, rows: Iterable[tuple[str, Row]]) -> LoadStats:
        """Write every row; generating them overlaps writing them.

        Rows are generated on a producer thread, a batch ahead (at most two
        batches in memory): while this thread waits for the server to take
        one COPY (libpq releases the GIL), the next batch is being built.
        """
        started = time.perf_counter()
        for batch in _prefetched(rows, self.batch_rows):
            for table, row in batch:
                self.add(table, row)
        self.flush()
        self.stats.seconds += time.perf_counter() - started
        return self.stats

    def flush(self) -> None:
        for name in TABLE_ORDER:
            rows = self._buffers[name]
            if rows:
                self._copy(self._tables[name], rows)
                self.stats.rows[name] += len(rows)
                self._buffers[name] = []
        self._buffered = 0
        if self.on_batch is not None:
            self.on_batch(self.stats)

    def _copy(self, table: _Table, rows: list[Row]) -> None:
        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, table.columns))
        )
        pairs = tuple(zip(table.columns, table.converters, strict=True))
        with self.connection.cursor().copy(statement) as copy:
            copy.set_types(list(table.types))
            for row in rows:
                try:
                    copy.write_row(
                        [conv(row.get(col)) if conv else row.get(col) for col, conv in pairs]
                    )
                except KeyError as exc:  # pragma: no cover - rows come from rows.py
                    raise SeedError(f"row of {table.name} lacks {exc}", where=table.name) from exc


_DONE = object()


def _prefetched(
    rows: Iterable[tuple[str, Row]], size: int, depth: int = 2
) -> Iterator[list[tuple[str, Row]]]:
    """``rows`` in lists of ``size``, produced on a thread ``depth`` lists ahead.

    An error in the producer is raised here; leaving early (an error in the
    writer) stops the producer instead of leaving it blocked.
    """
    batches: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                batches.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            batch: list[tuple[str, Row]] = []
            for item in rows:
                batch.append(item)
                if len(batch) >= size:
                    if not put(batch):
                        return
                    batch = []
            if batch and not put(batch):
                return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)

    thread = threading.Thread(target=produce, name="edu-seed-rows", daemon=True)
    thread.start()
    try:
        while True:
            item = batches.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join(timeout=5)


def hnsw_definition(connection: PgConnection[Any]) -> str | None:
    """The CREATE INDEX statement of the segments' HNSW index, or None if it is absent."""
    found = connection.execute(
        "SELECT pg_get_indexdef(c.oid) FROM pg_class c WHERE c.relname = %s AND c.relkind = 'i'",
        (HNSW_INDEX_NAME,),
    ).fetchone()
    return None if found is None else str(found[0])


def embedded_count(connection: PgConnection[Any]) -> int:
    found = connection.execute(
        "SELECT count(*) FROM document_segments WHERE embedding_vector IS NOT NULL"
    ).fetchone()
    return int(found[0]) if found else 0


def export_tables(connection: PgConnection[Any]) -> dict[str, bytes]:
    """Every canonical table as COPY text, rows ordered by id: equal bytes mean equal data.

    What the determinism guarantee is checked against: two loads of one seed,
    in two processes, export byte for byte the same.
    """
    exported = {}
    for name in TABLE_ORDER:
        statement = sql.SQL("COPY (SELECT * FROM {} ORDER BY id) TO STDOUT").format(
            sql.Identifier(name)
        )
        chunks = []
        with connection.cursor().copy(statement) as copy:
            for chunk in copy:
                chunks.append(bytes(chunk))
        exported[name] = b"".join(chunks)
    return exported
