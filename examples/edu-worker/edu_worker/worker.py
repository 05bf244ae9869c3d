"""``run_worker_once``: take one batch from the queue and handle each task.

Per task, in this order:

1. no handler for its kind (a newer producer, an older worker): leave it on
   the queue, so a worker that knows it can take it; ``TaskQueue`` poisons
   it after ``max_dequeue_count`` deliveries if none does;
2. run the handler in a savepoint, then commit;
3. ``PermanentTaskError``: roll the savepoint back, mark the row failed with
   the error, commit and ack (retrying cannot help);
4. any other error: roll back, mark the row failed with the attempt number,
   commit, and do *not* ack: the task comes back after its visibility
   timeout and, if it keeps failing, ``TaskQueue`` moves it to
   ``<queue>-poison``. A later success marks the row ready again.

Undecodable messages never reach this code: ``TaskQueue.receive`` already
moved them to the poison queue with the reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal, Protocol

from edu_contracts.queue import ReceivedTask
from sqlalchemy.orm import Session

from edu_worker.embedder import Embedder, HashEmbedder
from edu_worker.errors import PermanentTaskError
from edu_worker.handlers import FAILURE_MARKERS, HandlerContext, handler_for
from edu_worker.sources import DocumentSource

__all__ = ["Outcome", "TaskSource", "WorkerReport", "run_worker_once"]

_log = logging.getLogger("edu_worker")

Status = Literal["done", "failed", "retry"]


class TaskSource(Protocol):
    """``TaskQueue`` in production, the plugin's ``edu_queue`` in tests."""

    def receive(
        self, max_messages: int = 32, visibility_timeout: int = 30
    ) -> list[ReceivedTask]: ...

    def ack(self, received: ReceivedTask) -> None: ...


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

    def of(self, status: Status) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]


def run_worker_once(
    queue: TaskSource,
    session: Session,
    *,
    sources: DocumentSource,
    embedder: Embedder | None = None,
    max_messages: int = 32,
    visibility_timeout: int = 300,
) -> WorkerReport:
    """Handle what is visible on ``queue`` now (up to ``max_messages``); never raises for a task."""
    context = HandlerContext(session, sources, embedder or HashEmbedder())
    report = WorkerReport()
    for received in queue.receive(max_messages, visibility_timeout):
        outcome = _handle(context, received)
        report.outcomes.append(outcome)
        if outcome.status != "retry":
            queue.ack(received)
        log = _log.warning if outcome.status != "done" else _log.info
        log("%s %s %s: %s", outcome.type, outcome.message_id, outcome.status, outcome.detail)
    return report


def _handle(context: HandlerContext, received: ReceivedTask) -> Outcome:
    message = received.message
    handler = handler_for(message)

    def outcome(status: Status, detail: str) -> Outcome:
        return Outcome(received.message_id, message.type, status, detail)

    if handler is None:
        return outcome("retry", f"this worker has no handler for {message.type}")
    session = context.session
    try:
        with session.begin_nested():
            detail = handler(context, message)
        session.commit()
        return outcome("done", detail)
    except PermanentTaskError as exc:
        _mark_failed(session, message, str(exc))
        return outcome("failed", str(exc))
    except Exception as exc:  # transient until proven otherwise: retry, then poison
        _log.exception("%s %s failed", message.type, received.message_id)
        error = f"attempt {received.dequeue_count} failed ({type(exc).__name__}); will retry"
        _mark_failed(session, message, error)
        return outcome("retry", f"{type(exc).__name__}: {exc}")


def _mark_failed(session: Session, message: object, error: str) -> None:
    marker = FAILURE_MARKERS.get(getattr(message, "type", ""))
    if marker is None:
        return
    try:
        with session.begin_nested():
            marker(session, message, error)
        session.commit()
    except Exception:  # the database itself is failing; the retry will tell
        _log.exception("could not mark the task's row failed")
