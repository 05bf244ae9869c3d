"""The queue's rules, without I/O: one core for ``TaskQueue`` and ``AsyncTaskQueue``.

Why a sans-I/O core and not generated code (psycopg's way): the two clients
differ in more than ``await`` (threads against ``asyncio.gather`` for
concurrency, a page iterator against an async one, the SDK's sync and aio
client classes), so an AST rewrite would need a list of special cases that
is itself a second copy to keep right. Every *decision* lives here instead,
in plain functions and small state objects that take what the service said
and return what to do next:

- ``judge``: hand a delivery out, poison it (and why), or leave it for the
  next try; nothing it meets escapes as a foreign exception;
- ``plan_poison`` / ``settle``: the bounded poison record, and what a copy
  and a delete that did or did not succeed mean;
- ``DrainProgress``: how many to ask for next and when a drain is done;
- ``encode_batch`` / ``sent_or_raise``: a send batch refused whole before
  anything is sent, and a partial failure reported with what was sent.

The shells (``client.py``, ``aio.py``) only do I/O and call these, so a rule
fixed here is fixed for both faces at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from azure.storage.queue import QueueMessage

from edu_contracts.errors import (
    ConfigurationError,
    MessageDecodeError,
    MessageEncodeError,
    SendManyError,
    ServiceError,
    UnsafeOperationError,
)
from edu_contracts.queue._azure import aware, message_text, validate_queue_name
from edu_contracts.queue._types import (
    LeftTask,
    PeekedTask,
    PoisonedTask,
    ReceivedTask,
    ReceiveResult,
    SentMessage,
)
from edu_contracts.queue.codec import decode, encode
from edu_contracts.queue.poison import POISON_SUFFIX, PoisonReason, PoisonRecord, encode_poison
from edu_contracts.schemas.queue import QueueTaskMessage

__all__ = [
    "DEFAULT_MAX_DEQUEUE_COUNT",
    "MAX_BATCH",
    "DrainProgress",
    "PoisonPlan",
    "QueueRules",
    "check_batch",
    "check_concurrency",
    "collect",
    "encode_batch",
    "endpoint_of",
    "judge",
    "log_failed_acks",
    "peeked",
    "plan_poison",
    "sent",
    "sent_or_raise",
    "settle",
]

DEFAULT_MAX_DEQUEUE_COUNT: Final = 5
MAX_BATCH: Final = 32  # Azure's per-request cap for receive and peek
_log = logging.getLogger("edu_contracts.queue")


@dataclass
class QueueRules:
    """What a queue object knows about itself: names, limits, and what it created."""

    name: str
    endpoint: str
    max_dequeue_count: int
    created: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        validate_queue_name(self.name, reserve=len(POISON_SUFFIX))
        if self.max_dequeue_count < 1:
            raise ConfigurationError(
                f"max_dequeue_count must be at least 1, not {self.max_dequeue_count}",
                where="max_dequeue_count",
                fix="use the number of deliveries a task may fail before it is poisoned (e.g. 5)",
            )

    @property
    def poison_name(self) -> str:
        return self.name + POISON_SUFFIX

    def refuse_unless_created(self, action: str) -> None:
        if self.name not in self.created:
            raise UnsafeOperationError(
                f"refusing to {action} queue {self.name!r}: this queue object did not create it",
                where=f"queue {self.name!r} at {self.endpoint}",
                fix="only queues made by this object's create() can be cleared or deleted; "
                "to empty someone else's queue, receive and ack its messages",
            )

    def refuse_existing(self, names: Iterable[str]) -> None:
        """``create(exclusive=True)`` found queues it did not make: touch nothing."""
        found = sorted(names)
        if found:
            raise UnsafeOperationError(
                f"queue {', '.join(map(repr, found))} already exists; an exclusive create "
                "never clears, reads or deletes a queue it did not make",
                where=f"queue {found[0]!r} at {self.endpoint}",
                fix="use another queue name (a clash means another run or user owns it)",
            )


def check_batch(max_messages: int) -> None:
    if not 1 <= max_messages <= MAX_BATCH:
        raise ConfigurationError(
            f"max_messages must be 1-{MAX_BATCH}, not {max_messages}",
            where="max_messages",
            fix="Azure returns at most 32 messages per request; use drain() for more",
        )


def check_concurrency(concurrency: int) -> None:
    if concurrency < 1:
        raise ConfigurationError(
            f"concurrency must be at least 1, not {concurrency}",
            where="concurrency",
            fix="use the number of requests to keep in flight (16 is a good start)",
        )


# --- sending ----------------------------------------------------------------


def encode_batch(messages: Iterable[QueueTaskMessage]) -> list[tuple[QueueTaskMessage, str]]:
    """Encode every message before the first is sent: a bad one refuses the whole batch."""
    pairs: list[tuple[QueueTaskMessage, str]] = []
    for index, message in enumerate(messages):
        try:
            pairs.append((message, encode(message)))
        except MessageEncodeError as exc:  # includes MessageTooLargeError
            raise type(exc)(exc.message, where=f"messages[{index}]", fix=exc.fix) from exc
    return pairs


def sent(message: QueueTaskMessage, text: str, receipt: object) -> SentMessage:
    """The record of a send from the SDK's receipt (same shape for sync and aio)."""
    return SentMessage(
        message=message,
        message_id=str(getattr(receipt, "id", "")),
        pop_receipt=str(getattr(receipt, "pop_receipt", "")),
        inserted_on=aware(getattr(receipt, "inserted_on", None)),
        expires_on=aware(getattr(receipt, "expires_on", None)),
        text=text,
    )


def sent_or_raise(outcomes: Sequence[SentMessage | ServiceError]) -> list[SentMessage]:
    """All sent: the list. Some refused: ``SendManyError`` with what was sent, by index."""
    done = [o if isinstance(o, SentMessage) else None for o in outcomes]
    failures = {i: o for i, o in enumerate(outcomes) if isinstance(o, ServiceError)}
    if failures:
        raise SendManyError(
            f"{len(failures)} of {len(outcomes)} messages were not sent "
            f"(first failed index: {min(failures)})",
            sent=done,
            failures=failures,
        )
    return [s for s in done if s is not None]


# --- receiving --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PoisonPlan:
    """A delivery to move aside: the record's texts, sent before the original is deleted."""

    item: QueueMessage
    record: PoisonRecord
    texts: list[str]


def judge(item: QueueMessage, rules: QueueRules) -> ReceivedTask | PoisonPlan | LeftTask:
    """Decide one delivery. Bounded work (the text is at most 64 KiB, the codec
    is linear), and any exception, ``MemoryError`` included, becomes a verdict."""
    count = item.dequeue_count or 1
    text = ""
    try:
        text = message_text(item)
        message = decode(text)
    except MessageDecodeError as exc:
        return plan_poison(item, text, rules, PoisonReason.UNDECODABLE, exc, None)
    except Exception as exc:  # not the message's fault, as far as we can tell
        if count > rules.max_dequeue_count:
            return plan_poison(item, text, rules, PoisonReason.MAX_DEQUEUE_EXCEEDED, exc, None)
        return LeftTask(str(item.id), count, f"decoding raised {type(exc).__name__}: {exc}"[:500])
    if count > rules.max_dequeue_count:
        return plan_poison(item, text, rules, PoisonReason.MAX_DEQUEUE_EXCEEDED, None, message.type)
    return ReceivedTask(
        message=message,
        message_id=str(item.id),
        pop_receipt=str(item.pop_receipt),
        dequeue_count=count,
        text=text,
        inserted_on=aware(item.inserted_on),
        next_visible_on=aware(item.next_visible_on),
    )


def plan_poison(
    item: QueueMessage,
    text: str,
    rules: QueueRules,
    reason: PoisonReason,
    error: Exception | None,
    task_type: str | None,
) -> PoisonPlan:
    count = item.dequeue_count or 1
    if isinstance(error, MessageDecodeError):
        detail, where = error.message, error.where
    else:
        detail = f"delivered {count} times, more than max_dequeue_count={rules.max_dequeue_count}"
        if error is not None:
            detail += f"; decoding raised {type(error).__name__}"
        where = None
    record = PoisonRecord(
        reason=reason,
        error=type(error).__name__ if error is not None else None,
        detail=detail,
        where=where,
        task_type=task_type,
        queue=rules.name,
        original_message_id=str(item.id),
        dequeue_count=count,
        inserted_on=aware(item.inserted_on),
        raw_text=text,
    )
    return PoisonPlan(item, record, encode_poison(record))


def settle(
    plan: PoisonPlan,
    rules: QueueRules,
    copy_error: BaseException | None,
    delete_error: Exception | None,
) -> PoisonedTask | LeftTask:
    """What a poisoning that ran (or broke) means for the caller.

    The copy is sent before the original is deleted: a failed copy leaves the
    original for the next try (nothing lost), a failed delete leaves a
    duplicate (nothing lost either), reported as ``duplicate_left``.
    """
    record = plan.record
    count = record.dequeue_count
    if copy_error is not None:
        _log.error(
            "could not poison message %s of %s; it stays for the next try: %s",
            record.original_message_id,
            rules.name,
            copy_error,
        )
        return LeftTask(
            record.original_message_id,
            count,
            f"{record.reason}: copying to {rules.poison_name} failed: {copy_error}"[:500],
        )
    if delete_error is not None:
        _log.error(
            "poisoned message %s stays in %s as well: %s",
            record.original_message_id,
            rules.name,
            delete_error,
        )
    _log.warning(
        "moved message %s from %s to %s: %s",
        record.original_message_id,
        rules.name,
        rules.poison_name,
        record.reason,
    )
    return PoisonedTask(
        message_id=record.original_message_id,
        reason=record.reason,
        error=record.error,
        detail=record.detail,
        where=record.where,
        dequeue_count=count,
        text=record.raw_text,
        duplicate_left=delete_error is not None,
    )


def collect(verdicts: Iterable[ReceivedTask | PoisonedTask | LeftTask]) -> ReceiveResult:
    tasks: list[ReceivedTask] = []
    poisoned: list[PoisonedTask] = []
    left: list[LeftTask] = []
    for verdict in verdicts:
        if isinstance(verdict, ReceivedTask):
            tasks.append(verdict)
        elif isinstance(verdict, PoisonedTask):
            poisoned.append(verdict)
        else:
            left.append(verdict)
    return ReceiveResult(tuple(tasks), tuple(poisoned), tuple(left))


@dataclass
class DrainProgress:
    """A drain's state: how many to ask for next, and whether it is done."""

    limit: int | None
    result: ReceiveResult = field(default_factory=ReceiveResult)
    _done: bool = False

    def want(self) -> int | None:
        """Batch size for the next receive, or None when the drain is finished."""
        if self._done:
            return None
        if self.limit is None:
            return MAX_BATCH
        remaining = self.limit - len(self.result.tasks)
        return min(MAX_BATCH, remaining) if remaining > 0 else None

    def add(self, batch: ReceiveResult) -> None:
        self.result = self.result + batch
        if batch.seen == 0:  # nothing visible any more (delayed messages are not awaited)
            self._done = True


def log_failed_acks(tasks: Sequence[ReceivedTask], outcomes: Sequence[object]) -> None:
    """A failed ack during drain is logged: the message comes back (at-least-once)."""
    for task, outcome in zip(tasks, outcomes, strict=True):
        if isinstance(outcome, ServiceError):
            _log.warning("drain: ack of %s failed; it will return: %s", task.message_id, outcome)


def peeked(item: QueueMessage) -> PeekedTask:
    text = message_text(item)
    message: QueueTaskMessage | None = None
    error: MessageDecodeError | None = None
    try:
        message = decode(text)
    except MessageDecodeError as exc:
        error = exc
    return PeekedTask(message, error, str(item.id), item.dequeue_count or 0, text)


def endpoint_of(url: str) -> str:
    """The account endpoint of a queue URL, without the queue or a SAS query."""
    return url.rsplit("/", 1)[0].split("?", 1)[0]
