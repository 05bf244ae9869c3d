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

import functools
import queue
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import sqlalchemy as sa
from psycopg import Connection as PgConnection
from psycopg import Cursor, sql
from psycopg.abc import Buffer
from psycopg.adapt import Dumper
from psycopg.pq import Format
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
    "wire_cursor",
]

TABLE_ORDER: tuple[str, ...] = (
    "users", "projects", "documents", "document_segments", "chats", "notes", "mind_maps",
    "flashcard_groups", "flashcards", "flashcard_progress", "quizzes", "quiz_questions",
    "study_sessions", "practice_records", "user_usage",
)  # fmt: skip
"""Parents before children: the order buffers are written in."""

_FIRST_BATCH = 250
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


_VECTOR_HEADER = struct.Struct(">HH")  # pgvector's binary form: dimensions, unused
_JSONB_VERSION = b"\x01"  # jsonb's binary form: a version byte, then the JSON text


def _packed_vector(value: Any) -> bytes | None:
    """A vector in pgvector's binary wire form, packed in one numpy call."""
    if value is None:
        return None
    floats = np.asarray(value, dtype=">f4")
    if floats.ndim != 1:
        raise SeedError(f"an embedding must be one row of floats, got shape {floats.shape}")
    return _VECTOR_HEADER.pack(floats.shape[0], 0) + floats.tobytes()


def _converter(column: sa.Column[Any]) -> Callable[[Any], Any] | None:
    """The column's value in the form COPY sends; vectors and JSONB go as wire bytes.

    Packing the bytes here, on the producer thread, leaves the writer only
    the socket: pgvector's and psycopg's JSON dumpers would otherwise build
    them row by row on the writing thread.
    """
    kind = column.type
    if isinstance(kind, PydanticJSONB):
        # Validated through the column's own type, exactly as the ORM would bind it.
        bind = kind.bind_json
        return lambda value: None if value is None else _JSONB_VERSION + bind(value)
    if isinstance(kind, sa.Enum):
        return lambda value: None if value is None else str(getattr(value, "value", value))
    if _copy_type(column) == "vector":
        return _packed_vector
    return None


class _WireBytes(Dumper):
    """Sends bytes packed by a converter as they are (bound by oid to a COPY cursor)."""

    format = Format.BINARY

    def dump(self, obj: Buffer) -> Buffer:
        return obj


@functools.cache
def _wire_dumper(name: str, oid: int) -> type[_WireBytes]:
    return type(f"{name}_wire", (_WireBytes,), {"oid": oid})


def wire_cursor(connection: PgConnection[Any]) -> Cursor[Any]:
    """A cursor whose binary COPY sends the converters' packed vectors and JSONB as they
    are; the connection's own adapters (other statements) are left alone."""
    cursor = connection.cursor()
    for name in ("vector", "jsonb"):
        info = cursor.adapters.types.get(name)
        if info is not None:
            cursor.adapters.register_dumper(None, _wire_dumper(name, info.oid))
    return cursor


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
        self._buffers: dict[str, list[list[Any]]] = {name: [] for name in TABLE_ORDER}
        self._buffered = 0
        # slow start: the first COPY goes after a few rows, so the server is not idle
        # while the producer builds a whole first batch; the size doubles to batch_rows
        self._threshold = min(_FIRST_BATCH, batch_rows)

    def add(self, table: str, row: Row) -> None:
        self._add_values(table, self._values(table, row))

    def _values(self, table: str, row: Row) -> list[Any]:
        spec = self._tables[table]
        return [
            conv(row.get(col)) if conv else row.get(col)
            for col, conv in zip(spec.columns, spec.converters, strict=True)
        ]

    def _add_values(self, table: str, values: list[Any]) -> None:
        self._buffers[table].append(values)
        self._buffered += 1
        if self._buffered >= self._threshold:
            self.flush()
            self._threshold = min(self._threshold * 2, self.batch_rows)

    def add_all(self, rows: Iterable[tuple[str, Row]]) -> LoadStats:
        """Write every row; generating and converting them overlaps writing them.

        Rows are generated and packed on a producer thread, up to two batches
        ahead, handed over in small chunks: while this thread waits for the
        server to take a COPY (libpq releases the GIL), the next rows are built.
        """
        started = time.perf_counter()
        values = self._values
        converted = ((table, values(table, row)) for table, row in rows)
        chunk = min(_FIRST_BATCH, self.batch_rows)
        for batch in _prefetched(converted, chunk, depth=max(2, 2 * self.batch_rows // chunk)):
            for table, row_values in batch:
                self._add_values(table, row_values)
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

    def _copy(self, table: _Table, rows: list[list[Any]]) -> None:
        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, table.columns))
        )
        with wire_cursor(self.connection).copy(statement) as copy:
            copy.set_types(list(table.types))
            for values in rows:
                copy.write_row(values)


_DONE = object()
T = TypeVar("T")


def _prefetched(rows: Iterable[T], size: int, depth: int = 2) -> Iterator[list[T]]:
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
            batch: list[T] = []
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
