"""Typed queue messaging: the wire codec, ``TaskQueue``/``AsyncTaskQueue``, poison records.

``encode``/``decode`` turn a ``QueueTaskMessage`` into the base64(JSON) text
an Azure Storage Queue carries and back; ``TaskQueue`` (blocking) and
``AsyncTaskQueue`` (``azure.storage.queue.aio``) send, receive, ack and move
what cannot be processed to ``<queue>-poison``, with one set of rules
(``_core``). ``receive`` and ``drain`` return a ``ReceiveResult``: the tasks
handed out, plus what was poisoned and why, and what was left for the next try.
"""

import typing

from edu_contracts.errors import DrainError, SendManyError
from edu_contracts.queue._types import (
    LeftTask,
    PeekedTask,
    PoisonedTask,
    ReceivedTask,
    ReceiveResult,
    SentMessage,
)
from edu_contracts.queue.codec import MAX_MESSAGE_TEXT_SIZE, decode, encode
from edu_contracts.queue.poison import POISON_SUFFIX, PoisonReason, PoisonRecord

if typing.TYPE_CHECKING:
    from edu_contracts.queue.aio import AsyncTaskQueue
    from edu_contracts.queue.client import DEFAULT_MAX_DEQUEUE_COUNT, TaskQueue

_LAZY = {"TaskQueue": "client", "DEFAULT_MAX_DEQUEUE_COUNT": "client", "AsyncTaskQueue": "aio"}


def __getattr__(name: str) -> object:
    # The Azure SDK costs ~0.7 s to import; code that only encodes or
    # decodes (the CLI, can-i-deploy, consumers' codecs) should not pay it.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"edu_contracts.queue.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "DEFAULT_MAX_DEQUEUE_COUNT",
    "MAX_MESSAGE_TEXT_SIZE",
    "POISON_SUFFIX",
    "AsyncTaskQueue",
    "DrainError",
    "LeftTask",
    "PeekedTask",
    "PoisonReason",
    "PoisonRecord",
    "PoisonedTask",
    "ReceiveResult",
    "ReceivedTask",
    "SendManyError",
    "SentMessage",
    "TaskQueue",
    "decode",
    "encode",
]
