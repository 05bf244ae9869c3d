"""``run_worker_once``: take one batch from the queue and handle its tasks concurrently.

The loop is async (``AsyncTaskQueue`` over ``azure.storage.queue.aio``), with
at most ``concurrency`` tasks in flight. Per task, in this order:

1. no handler for its kind (a newer producer, an older worker): leave it on
   the queue, so a worker that knows it can take it; the queue poisons it
   after ``max_dequeue_count`` deliveries if none does;
2. run the handler in a savepoint, then commit;
3. ``PermanentTaskError``: roll the savepoint back, mark the row failed with
   the error, commit and ack (retrying cannot help);
4. any other error: roll back, mark the row failed with the attempt number,
   commit, and do *not* ack: the task comes back after its visibility
   timeout and, if it keeps failing, the queue moves it to
   ``<queue>-poison``. A later success marks the row ready again.

Undecodable messages never reach this code: ``receive`` already moved them
to the poison queue with the reason, and the report lists them
(``WorkerReport.poisoned``).

The handlers are coroutines on an ``AsyncSession``. The database is an
``async_sessionmaker``: every task gets a session of its own, so with an
engine behind it (production, or a test marked
``@pytest.mark.edu_isolation("database")``) tasks truly run concurrently.
Sessions that share one connection (the plugin's default savepoint
isolation, or a single ``AsyncSession`` passed in) cannot: interleaved
savepoints on one connection are refused with ``ConcurrentSessionError``,
so such tasks take turns on that connection while the queue side stays
concurrent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

from edu_contracts.queue import PoisonedTask, ReceivedTask, ReceiveResult
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from edu_worker.embedder import Embedder, HashEmbedder
from edu_worker.errors import PermanentTaskError
from edu_worker.handlers import FAILURE_MARKERS, HandlerContext, handler_for
from edu_worker.sources import DocumentSource

__all__ = ["Outcome", "TaskSource", "WorkerReport", "run_worker_once"]

_log = logging.getLogger("edu_worker")

Status = Literal["done", "failed", "retry"]


class TaskSource(Protocol):
    """``AsyncTaskQueue`` in production, the plugin's ``edu_async_queue`` in tests."""

    async def receive(
        self, max_messages: int = 32, visibility_timeout: int = 30
    ) -> ReceiveResult: ...

    async def ack(self, received: ReceivedTask) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """What happened to one task: ``done`` and ``failed`` were acked, ``retry`` was not."""

    message_id: str
    type: str
    status: Status
    detail: str


@dataclass
class WorkerReport:
    outcomes: list[Outcome] = field(default_factory=list)
    poisoned: list[PoisonedTask] = field(default_factory=list)
    """Deliveries the queue moved aside during this receive, with the reason."""
    most_in_flight: int = 0
    """The most tasks that were being handled at once (never above ``concurrency``)."""

    def of(self, status: Status) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]


Database = AsyncSession | async_sessionmaker[AsyncSession]


class _Sessions:
    """A session per task from a sessionmaker; one at a time if they share a connection."""

    def __init__(self, database: Database) -> None:
        self._database = database
        bind = database.bind if isinstance(database, AsyncSession) else database.kw.get("bind")
        # one session, or sessions sharing one connection, cannot run concurrently
        shared = isinstance(database, AsyncSession) or isinstance(bind, AsyncConnection)
        self._lock = asyncio.Lock() if shared else None

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncSession]:
        async with contextlib.AsyncExitStack() as stack:
            if self._lock is not None:
                await stack.enter_async_context(self._lock)
            if isinstance(self._database, AsyncSession):
                yield self._database
            else:
                yield await stack.enter_async_context(self._database())


async def run_worker_once(
    queue: TaskSource,
    database: Database,
    *,
    sources: DocumentSource,
    embedder: Embedder | None = None,
    max_messages: int = 32,
    visibility_timeout: int = 300,
    concurrency: int = 4,
) -> WorkerReport:
    """Handle what is visible on ``queue`` now (up to ``max_messages``), at most
    ``concurrency`` at a time; never raises for a task."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    sessions = _Sessions(database)
    embedder = embedder or HashEmbedder()
    batch = await queue.receive(max_messages, visibility_timeout)
    report = WorkerReport(poisoned=list(batch.poisoned))
    limit = asyncio.Semaphore(concurrency)
    in_flight = 0

    async def one(received: ReceivedTask) -> Outcome:
        nonlocal in_flight
        async with limit:
            in_flight += 1
            report.most_in_flight = max(report.most_in_flight, in_flight)
            try:
                outcome = await _run(sessions, sources, embedder, received)
                if outcome.status != "retry":
                    await queue.ack(received)
            finally:
                in_flight -= 1
        log = _log.warning if outcome.status != "done" else _log.info
        log("%s %s %s: %s", outcome.type, outcome.message_id, outcome.status, outcome.detail)
        return outcome

    report.outcomes = list(await asyncio.gather(*(one(received) for received in batch)))
    return report


async def _run(
    sessions: _Sessions, sources: DocumentSource, embedder: Embedder, received: ReceivedTask
) -> Outcome:
    async with sessions() as session:
        return await _handle(HandlerContext(session, sources, embedder), received)


async def _handle(context: HandlerContext, received: ReceivedTask) -> Outcome:
    message = received.message
    handler = handler_for(message)

    def outcome(status: Status, detail: str) -> Outcome:
        return Outcome(received.message_id, message.type, status, detail)

    if handler is None:
        return outcome("retry", f"this worker has no handler for {message.type}")
    session = context.session
    try:
        async with session.begin_nested():
            detail = await handler(context, message)
        await session.commit()
        return outcome("done", detail)
    except PermanentTaskError as exc:
        await _mark_failed(session, message, str(exc))
        return outcome("failed", str(exc))
    except Exception as exc:  # transient until proven otherwise: retry, then poison
        _log.exception("%s %s failed", message.type, received.message_id)
        error = f"attempt {received.dequeue_count} failed ({type(exc).__name__}); will retry"
        await _mark_failed(session, message, error)
        return outcome("retry", f"{type(exc).__name__}: {exc}")


async def _mark_failed(session: AsyncSession, message: object, error: str) -> None:
    marker = FAILURE_MARKERS.get(getattr(message, "type", ""))
    if marker is None:
        return
    try:
        async with session.begin_nested():
            await marker(session, message, error)
        await session.commit()
    except Exception:  # the database itself is failing; the retry will tell
        _log.exception("could not mark the task's row failed")
