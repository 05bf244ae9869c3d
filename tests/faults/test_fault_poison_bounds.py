"""Issue 16.9: one message froze every consumer.

A message whose decode error is as long as the message (here a 60,000
character ``type``, quoted back by the error) made the old splitter copy the
error into every part and double the part count forever: memory grew until
``MemoryError`` escaped ``receive()`` and the message stayed on the queue for
the next consumer. Now the record is clipped and split in one pass, the
message is poisoned with its reason, and nothing escapes the error tree,
``MemoryError`` included (that one is injected: it cannot be caused on
purpose without starving the machine).
"""

from __future__ import annotations

import base64
import json
import time
import tracemalloc
import uuid

import pytest

from edu_contracts.queue import (
    MAX_MESSAGE_TEXT_SIZE,
    AsyncTaskQueue,
    PoisonReason,
    PoisonRecord,
    TaskQueue,
    _core,
)
from edu_contracts.queue.poison import MAX_PARTS, assemble, decode_poison, encode_poison
from edu_contracts.services import AzuriteInfo


@pytest.fixture
def queue_name() -> str:
    return f"fault-{uuid.uuid4().hex[:20]}"


_LONG_TYPE = base64.b64encode(json.dumps({"type": "x" * 47_000, "data": {}}).encode()).decode()


def test_a_record_with_a_huge_error_is_bounded_and_reassembles() -> None:
    record = PoisonRecord(
        reason=PoisonReason.UNDECODABLE,
        error="UnknownTaskTypeError",
        detail="unknown task type " + "'x'" * 200_000,
        where="w" * 100_000,
        queue="edu-tasks",
        original_message_id="m-1",
        dequeue_count=1,
        raw_text="\x01" * MAX_MESSAGE_TEXT_SIZE,
    )
    tracemalloc.start()
    texts = encode_poison(record)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(texts) <= MAX_PARTS
    assert all(len(t.encode()) <= MAX_MESSAGE_TEXT_SIZE for t in texts)
    assert peak < 20 * MAX_MESSAGE_TEXT_SIZE * MAX_PARTS  # linear, not 2.5 GiB
    parts = [decode_poison(t) for t in texts]
    assert sum(p.detail is not None for p in parts) == 1  # the error once, in part 1
    (whole,) = assemble(reversed(parts))
    assert whole.raw_text == record.raw_text
    assert whole.detail is not None
    assert whole.detail.endswith("characters cut]")


def test_the_freezing_message_is_poisoned_by_the_sync_queue(
    edu_azurite: AzuriteInfo, queue_name: str
) -> None:
    with TaskQueue.from_connection_string(edu_azurite.connection_string, queue_name) as queue:
        queue.create(exclusive=True)
        try:
            queue.client.send_message(_LONG_TYPE)
            result = queue.receive()
            assert list(result) == []
            (poisoned,) = result.poisoned
            assert poisoned.reason is PoisonReason.UNDECODABLE
            assert poisoned.error == "UnknownTaskTypeError"
            (record,) = queue.poisoned()
            assert record.raw_text == _LONG_TYPE
            assert queue.peek() == []  # not left to freeze the next consumer
        finally:
            queue.delete()


@pytest.mark.anyio
async def test_the_freezing_message_is_poisoned_by_the_async_queue(
    edu_azurite: AzuriteInfo, queue_name: str
) -> None:
    async with AsyncTaskQueue.from_connection_string(
        edu_azurite.connection_string, queue_name
    ) as queue:
        await queue.create(exclusive=True)
        try:
            await queue.client.send_message(_LONG_TYPE)
            result = await queue.receive()
            (poisoned,) = result.poisoned
            assert poisoned.error == "UnknownTaskTypeError"
            assert await queue.peek() == []
        finally:
            await queue.delete()


def test_memory_error_while_decoding_never_escapes_receive(
    edu_azurite: AzuriteInfo, queue_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(text: object) -> object:
        raise MemoryError

    with TaskQueue.from_connection_string(
        edu_azurite.connection_string, queue_name, max_dequeue_count=1
    ) as queue:
        queue.create(exclusive=True)
        try:
            queue.client.send_message(_LONG_TYPE)
            monkeypatch.setattr(_core, "decode", exhausted)
            first = queue.receive(visibility_timeout=1)
            (left,) = first.left  # not the message's fault as far as we know: retried
            assert "MemoryError" in left.why
            assert list(first) == []
            assert first.poisoned == ()
            time.sleep(1.5)
            second = queue.receive()  # delivered twice > max_dequeue_count=1: moved aside
            (poisoned,) = second.poisoned
            assert poisoned.reason is PoisonReason.MAX_DEQUEUE_EXCEEDED
            assert poisoned.error == "MemoryError"
        finally:
            queue.delete()
