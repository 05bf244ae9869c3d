"""Poison records: what a message that cannot be processed leaves behind.

A message that cannot be decoded, or that was delivered more often than a
consumer allows, is moved to ``<queue>-poison`` wrapped in a ``PoisonRecord``
that says why (reason, error class, message, ``where``) and keeps the
original text byte for byte, so that an operator can fix and replay it.

Why the poison queue carries plain JSON, not base64: the wrapper already
holds arbitrary text safely as a JSON string, operators read poison queues
in tools that show message text, and base64 would inflate the original by a
third. Even so, a near-64 KiB original plus its wrapper can exceed Azure's
limit; such an original is split over several records (``part`` of
``parts``, one ``poison_id``) rather than truncated, because nothing may be
lost. ``assemble`` puts the parts back together.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from edu_contracts.errors import MessageDecodeError
from edu_contracts.queue.codec import MAX_MESSAGE_TEXT_SIZE

__all__ = [
    "POISON_FORMAT",
    "POISON_SUFFIX",
    "PoisonReason",
    "PoisonRecord",
    "assemble",
    "decode_poison",
    "encode_poison",
]

POISON_SUFFIX: Final = "-poison"
"""Appended to a queue's name to name its poison queue (Azure Functions' convention)."""

POISON_FORMAT: Final = "edu-contracts.poison/1"
"""Marks a poison record, so tools can tell it from a task message."""


class PoisonReason(StrEnum):
    """Why a message left its queue."""

    UNDECODABLE = "undecodable"
    """The text is not a valid ``QueueTaskMessage``; retrying cannot help."""

    MAX_DEQUEUE_EXCEEDED = "max_dequeue_count_exceeded"
    """Consumers kept failing on it; retrying more would block the queue."""


class PoisonRecord(BaseModel):
    """One message of a poison queue: the original text and why it was moved."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    format: Literal["edu-contracts.poison/1"] = POISON_FORMAT
    poison_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    reason: PoisonReason
    error: str | None = Field(default=None, description="Error class, e.g. PayloadInvalidError.")
    detail: str | None = Field(default=None, description="The error's message.")
    where: str | None = Field(default=None, description="The error's location, e.g. data.user_id.")
    task_type: str | None = Field(default=None, description="The task type, when it decoded.")
    queue: str
    original_message_id: str
    dequeue_count: int
    inserted_on: AwareDatetime | None = None
    poisoned_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    raw_text: str
    part: int = Field(default=1, ge=1)
    parts: int = Field(default=1, ge=1)


def encode_poison(record: PoisonRecord) -> list[str]:
    """Queue texts for ``record``: one, or several parts if it is too large."""
    texts = _split(record, 1)
    parts = 1
    while texts is None:
        parts *= 2
        texts = _split(record, parts)
    return texts


def _split(record: PoisonRecord, parts: int) -> list[str] | None:
    raw = record.raw_text
    size = max(1, math.ceil(len(raw) / parts))
    chunks = [raw[start : start + size] for start in range(0, len(raw), size)] or [""]
    texts = [
        record.model_copy(
            update={"raw_text": chunk, "part": index, "parts": len(chunks)}
        ).model_dump_json()
        for index, chunk in enumerate(chunks, start=1)
    ]
    if all(len(text.encode("utf-8", "surrogatepass")) <= MAX_MESSAGE_TEXT_SIZE for text in texts):
        return texts
    return None


def decode_poison(text: str) -> PoisonRecord:
    """Read one poison queue message; a foreign message raises ``MessageDecodeError``."""
    try:
        return PoisonRecord.model_validate_json(text)
    except (ValidationError, RecursionError, ValueError, TypeError) as exc:
        raise MessageDecodeError(
            f"not a poison record ({POISON_FORMAT}): {str(exc).splitlines()[0]}",
            where="poison record",
            fix="only TaskQueue should write to a poison queue; move foreign messages elsewhere",
        ) from exc


def assemble(records: Iterable[PoisonRecord]) -> list[PoisonRecord]:
    """Join split records back into one per poisoning, in first-seen order.

    Records whose parts are not all present are returned as they are, so a
    partial read never hides what was found.
    """
    groups: dict[uuid.UUID, list[PoisonRecord]] = {}
    for record in records:
        groups.setdefault(record.poison_id, []).append(record)
    result: list[PoisonRecord] = []
    for group in groups.values():
        first = group[0]
        by_part = {record.part: record for record in group}
        if first.parts == 1 or len(by_part) != first.parts:
            result.extend(group)
            continue
        raw = "".join(by_part[index].raw_text for index in range(1, first.parts + 1))
        result.append(first.model_copy(update={"raw_text": raw, "part": 1, "parts": 1}))
    return result
