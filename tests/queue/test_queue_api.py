"""The public surface of edu_contracts.queue is exactly what __all__ promises
(sorted the way ruff's RUF022 sorts: constants, classes, functions)."""

from __future__ import annotations

import edu_contracts.queue as queue_api

EXPECTED = [
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


def test_exports_are_exactly_the_curated_list() -> None:
    assert queue_api.__all__ == EXPECTED
    public = {
        name
        for name in dir(queue_api)  # dir(): TaskQueue is resolved lazily
        if not name.startswith("_")
        and name not in {"annotations"}
        and not isinstance(getattr(queue_api, name), type(queue_api))
    }
    assert public == set(EXPECTED)
    for name in EXPECTED:
        assert getattr(queue_api, name) is not None
