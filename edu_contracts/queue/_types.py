"""What the queues hand back: sent, received, peeked, poisoned and left messages.

Frozen dataclasses rather than pydantic models: they are built from values
already validated (the message) or assigned by the service (ids, receipts),
so validating them again would only cost time on the hot path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import overload

from edu_contracts.errors import MessageDecodeError
from edu_contracts.queue.poison import PoisonReason
from edu_contracts.schemas.queue import QueueTaskMessage

__all__ = [
    "LeftTask",
    "PeekedTask",
    "PoisonedTask",
    "ReceiveResult",
    "ReceivedTask",
    "SentMessage",
]


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the service accepted, with the ids it assigned."""

    message: QueueTaskMessage
    message_id: str
    pop_receipt: str
    inserted_on: datetime | None
    expires_on: datetime | None
    text: str


@dataclass(frozen=True, slots=True)
class ReceivedTask:
    """A decoded message, invisible to others until acked or its timeout ends."""

    message: QueueTaskMessage
    message_id: str
    pop_receipt: str
    dequeue_count: int
    text: str
    inserted_on: datetime | None
    next_visible_on: datetime | None


@dataclass(frozen=True, slots=True)
class PeekedTask:
    """A message seen without taking it; ``error`` says why ``message`` is None."""

    message: QueueTaskMessage | None
    error: MessageDecodeError | None
    message_id: str
    dequeue_count: int
    text: str


@dataclass(frozen=True, slots=True)
class PoisonedTask:
    """A delivery moved to the poison queue by this receive, and why."""

    message_id: str
    reason: PoisonReason
    error: str | None
    """The decode error's class (e.g. ``PayloadInvalidError``), when it did not decode."""
    detail: str | None
    where: str | None
    dequeue_count: int
    text: str
    duplicate_left: bool = False
    """The copy is in the poison queue but deleting the original failed: it returns once more."""


@dataclass(frozen=True, slots=True)
class LeftTask:
    """A delivery neither handed out nor poisoned: it becomes visible again for the next try."""

    message_id: str
    dequeue_count: int
    why: str


@dataclass(frozen=True, slots=True)
class ReceiveResult(Sequence[ReceivedTask]):
    """What one ``receive`` or ``drain`` did with every delivery it saw.

    A sequence of the handed-out tasks (so ``for task in queue.receive()``
    reads as before), plus ``poisoned`` (moved aside, with the reason) and
    ``left`` (kept on the queue for the next try, with why). Every delivery
    is in exactly one of the three.
    """

    tasks: tuple[ReceivedTask, ...] = ()
    poisoned: tuple[PoisonedTask, ...] = ()
    left: tuple[LeftTask, ...] = ()

    @overload
    def __getitem__(self, index: int) -> ReceivedTask: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[ReceivedTask]: ...
    def __getitem__(self, index: int | slice) -> ReceivedTask | Sequence[ReceivedTask]:
        return self.tasks[index]

    def __len__(self) -> int:
        return len(self.tasks)

    def __iter__(self) -> Iterator[ReceivedTask]:
        return iter(self.tasks)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ReceiveResult):
            return (self.tasks, self.poisoned, self.left) == (
                other.tasks,
                other.poisoned,
                other.left,
            )
        if isinstance(other, list | tuple):
            return list(self.tasks) == list(other)
        return NotImplemented

    @property
    def seen(self) -> int:
        """Deliveries this result accounts for."""
        return len(self.tasks) + len(self.poisoned) + len(self.left)

    def __add__(self, other: ReceiveResult) -> ReceiveResult:
        return ReceiveResult(
            self.tasks + other.tasks, self.poisoned + other.poisoned, self.left + other.left
        )
