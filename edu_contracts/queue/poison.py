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

Why records are bounded by construction (issue 16.9): an error's text can be
as long as the message that caused it (a 60 KiB field name quoted in a
pydantic error). The descriptive fields are clipped when a record is built,
only part 1 carries them, and the original is split in one linear pass by
its escaped JSON size, so a record costs O(original) time and memory and at
most ``MAX_PARTS`` messages, whatever the original holds.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from edu_contracts.errors import MessageDecodeError
from edu_contracts.queue.codec import MAX_MESSAGE_TEXT_SIZE

__all__ = [
    "MAX_PARTS",
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


_ESCAPE_WORST: Final = {False: 6, True: 12}
"""Bytes one character can take inside a JSON string: ``\\u0001``, or a
surrogate pair's two escapes when the text must be escaped to ASCII."""

_BOUNDS: Final = {"error": 200, "detail": 2_000, "where": 500, "task_type": 100}
"""Characters kept of each descriptive field: together, worst case escaped,
they stay far below the 64 KiB limit, so part 1 always has room for text."""

_SLACK: Final = 64
"""Room for the part numbers' digits growing while the parts are counted."""


def _clip(limit: int) -> BeforeValidator:
    def clip(value: Any) -> Any:
        if isinstance(value, str) and len(value) > limit:
            cut = len(value) - limit
            return value[:limit] + f"... [{cut} characters cut]"
        return value

    return BeforeValidator(clip)


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
    error: Annotated[str | None, _clip(_BOUNDS["error"])] = Field(
        default=None, description="Error class, e.g. PayloadInvalidError."
    )
    detail: Annotated[str | None, _clip(_BOUNDS["detail"])] = Field(
        default=None, description="The error's message (clipped; only in part 1)."
    )
    where: Annotated[str | None, _clip(_BOUNDS["where"])] = Field(
        default=None, description="The error's location, e.g. data.user_id."
    )
    task_type: Annotated[str | None, _clip(_BOUNDS["task_type"])] = Field(
        default=None, description="The task type, when it decoded."
    )
    queue: str
    original_message_id: str
    dequeue_count: int
    inserted_on: AwareDatetime | None = None
    poisoned_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    raw_text: str
    part: int = Field(default=1, ge=1)
    parts: int = Field(default=1, ge=1)


MAX_PARTS: Final = 16
"""Most messages a record of an original within Azure's 64 KiB limit takes
(64 Ki characters of 12-byte escapes need 14)."""


def encode_poison(record: PoisonRecord) -> list[str]:
    """Queue texts for ``record``: one, or several parts if it is too large.

    One pass over the original: each chunk is as long as fits the budget
    once escaped, found by shrinking a guess in proportion (never below the
    worst case of 6 bytes a character), so the work is linear in its size.
    """
    raw = record.raw_text
    ascii_only = not _utf8_clean(raw)  # lone surrogates: escape them, keep them
    head = record.model_dump(mode="json")
    worst = _ESCAPE_WORST[ascii_only]
    tail = {**head, "error": None, "detail": None, "where": None, "task_type": None}
    first_room = MAX_MESSAGE_TEXT_SIZE - _size(head, ascii_only) - _SLACK
    rest_room = MAX_MESSAGE_TEXT_SIZE - _size(tail, ascii_only) - _SLACK
    chunks: list[str] = []
    start = 0
    while start < len(raw) or not chunks:
        room = first_room if not chunks else rest_room
        length = min(room, len(raw) - start)
        while length > room // worst:
            size = _escaped_size(raw[start : start + length], ascii_only)
            if size <= room:
                break
            length = max(room // worst, length * room // size - 1)
        chunks.append(raw[start : start + length])
        start += length
    texts = [
        json.dumps(
            {
                **(head if index == 1 else tail),
                "raw_text": chunk,
                "part": index,
                "parts": len(chunks),
            },
            ensure_ascii=ascii_only,
        )
        for index, chunk in enumerate(chunks, start=1)
    ]
    return texts


def _utf8_clean(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _size(document: dict[str, Any], ascii_only: bool) -> int:
    return len(json.dumps({**document, "raw_text": ""}, ensure_ascii=ascii_only).encode("utf-8"))


def _escaped_size(chunk: str, ascii_only: bool) -> int:
    return len(json.dumps(chunk, ensure_ascii=ascii_only).encode("utf-8")) - 2


def decode_poison(text: str) -> PoisonRecord:
    """Read one poison queue message; a foreign message raises ``MessageDecodeError``."""
    try:
        try:
            return PoisonRecord.model_validate_json(text)
        except ValidationError:
            # pydantic's JSON parser refuses escaped lone surrogates, which a
            # record keeps when the original held them; the stdlib reads them
            return PoisonRecord.model_validate(json.loads(text))
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
        by_part = {record.part: record for record in group}
        first = by_part.get(1, group[0])  # part 1 carries the error's description
        if first.parts == 1 or len(by_part) != first.parts:
            result.extend(group)
            continue
        raw = "".join(by_part[index].raw_text for index in range(1, first.parts + 1))
        result.append(first.model_copy(update={"raw_text": raw, "part": 1, "parts": 1}))
    return result
