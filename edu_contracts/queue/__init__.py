"""Typed queue messaging: the wire codec, ``TaskQueue``, and poison records.

``encode``/``decode`` turn a ``QueueTaskMessage`` into the base64(JSON) text
an Azure Storage Queue carries and back; ``TaskQueue`` sends, receives, acks
and moves what cannot be processed to ``<queue>-poison``.
"""

import typing

from edu_contracts.errors import DrainError, SendManyError
from edu_contracts.queue._types import PeekedTask, ReceivedTask, SentMessage
from edu_contracts.queue.codec import MAX_MESSAGE_TEXT_SIZE, decode, encode
from edu_contracts.queue.poison import POISON_SUFFIX, PoisonReason, PoisonRecord

if typing.TYPE_CHECKING:
    from edu_contracts.queue.client import DEFAULT_MAX_DEQUEUE_COUNT, TaskQueue


def __getattr__(name: str) -> object:
    # The Azure SDK costs ~0.7 s to import; code that only encodes or
    # decodes (the CLI, can-i-deploy, consumers' codecs) should not pay it.
    if name in {"TaskQueue", "DEFAULT_MAX_DEQUEUE_COUNT"}:
        from edu_contracts.queue import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "TaskQueue", "DEFAULT_MAX_DEQUEUE_COUNT"})


__all__ = [
    "DEFAULT_MAX_DEQUEUE_COUNT",
    "MAX_MESSAGE_TEXT_SIZE",
    "POISON_SUFFIX",
    "DrainError",
    "PeekedTask",
    "PoisonReason",
    "PoisonRecord",
    "ReceivedTask",
    "SendManyError",
    "SentMessage",
    "TaskQueue",
    "decode",
    "encode",
]
