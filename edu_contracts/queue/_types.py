"""What TaskQueue hands back: typed records of sent, received and peeked messages.

Frozen dataclasses rather than pydantic models: they are built from values
already validated (the message) or assigned by the service (ids, receipts),
so validating them again would only cost time on the hot path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from edu_contracts.errors import MessageDecodeError
from edu_contracts.schemas.queue import QueueTaskMessage

__all__ = ["PeekedTask", "ReceivedTask", "SentMessage"]


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
