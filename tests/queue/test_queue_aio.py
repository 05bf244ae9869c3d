"""AsyncTaskQueue against a real Azurite: the same rules as TaskQueue, awaited.

The last tests put the same hostile texts through both faces and compare
their verdicts: one core decides for both, so they must agree exactly.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator

import pytest
from _queue_samples import all_samples, sample_message
from azure.storage.queue import QueueClient

from edu_contracts.errors import (
    ConfigurationError,
    MessageTooLargeError,
    ServiceError,
    UnsafeOperationError,
)
from edu_contracts.queue import (
    AsyncTaskQueue,
    PoisonReason,
    ReceiveResult,
    TaskQueue,
    encode,
)
from edu_contracts.schemas.queue import TASK_TYPES
from edu_contracts.services import AzuriteInfo

pytestmark = pytest.mark.anyio

_HOSTILE = [
    "not base64!",
    base64.b64encode(b"{not json").decode(),
    base64.b64encode(b"[1, 2]").decode(),
    base64.b64encode(json.dumps({"type": "nope", "data": {}}).encode()).decode(),
    base64.b64encode(
        json.dumps({"type": "quiz_generation", "data": {"count": "5"}}).encode()
    ).decode(),
    "QUJD====",
]


@pytest.fixture
async def aqueue(edu_azurite: AzuriteInfo, queue_name: str) -> AsyncIterator[AsyncTaskQueue]:
    queue = AsyncTaskQueue.from_connection_string(
        edu_azurite.connection_string, queue_name, max_dequeue_count=2
    )
    assert await queue.create()
    yield queue
    await queue.delete()
    await queue.close()


async def test_every_kind_round_trips(aqueue: AsyncTaskQueue) -> None:
    messages = all_samples()
    sent = await aqueue.send_many(messages, concurrency=4)
    assert [s.message for s in sent] == messages  # input order, whatever finished first
    drained = await aqueue.drain()
    assert isinstance(drained, ReceiveResult)
    assert sorted(t.message.type for t in drained) == sorted(TASK_TYPES)
    assert {t.message_id for t in drained} == {s.message_id for s in sent}
    assert drained.poisoned == ()
    assert drained.left == ()
    assert await aqueue.approximate_count() == 0


async def test_the_wire_text_is_the_codecs(
    aqueue: AsyncTaskQueue, edu_azurite: AzuriteInfo
) -> None:
    message = sample_message("document_processing")
    sent = await aqueue.send(message)
    raw = QueueClient.from_connection_string(edu_azurite.connection_string, aqueue.name)
    with raw:
        (peeked,) = raw.peek_messages()
    assert peeked.content == sent.text == encode(message)


async def test_receive_hides_until_ack(aqueue: AsyncTaskQueue) -> None:
    sent = await aqueue.send(sample_message("quiz_generation"))
    (task,) = await aqueue.receive(max_messages=1, visibility_timeout=5)
    assert (task.message_id, task.dequeue_count, task.text) == (sent.message_id, 1, sent.text)
    assert await aqueue.receive() == []
    await aqueue.ack(task)
    assert await aqueue.peek() == []


async def test_undecodable_messages_are_poisoned_and_reported(aqueue: AsyncTaskQueue) -> None:
    for text in _HOSTILE:
        await aqueue.client.send_message(text)
    good = await aqueue.send(sample_message("note_generation"))
    result = await aqueue.drain()
    assert [t.message_id for t in result] == [good.message_id]
    assert sorted(p.text for p in result.poisoned) == sorted(_HOSTILE)
    assert {p.reason for p in result.poisoned} == {PoisonReason.UNDECODABLE}
    assert all(p.error and p.detail for p in result.poisoned)
    records = await aqueue.poisoned()
    assert sorted(r.raw_text for r in records) == sorted(_HOSTILE)
    assert {r.queue for r in records} == {aqueue.name}


async def test_over_retried_messages_are_poisoned_with_their_type(aqueue: AsyncTaskQueue) -> None:
    await aqueue.send(sample_message("mind_map_generation"))
    for _ in range(2):  # max_dequeue_count=2: two failed deliveries
        (task,) = await aqueue.receive(visibility_timeout=1)
        await asyncio.sleep(1.2)
    result = await aqueue.receive()
    assert list(result) == []
    (poisoned,) = result.poisoned
    assert poisoned.reason is PoisonReason.MAX_DEQUEUE_EXCEEDED
    assert poisoned.dequeue_count == 3
    (record,) = await aqueue.poisoned()
    assert record.task_type == "mind_map_generation"
    assert record.raw_text == task.text


async def test_drain_with_a_limit_and_without_ack(aqueue: AsyncTaskQueue) -> None:
    await aqueue.send_many([sample_message("document_deletion") for _ in range(40)])
    taken = await aqueue.drain(limit=35, ack=False, visibility_timeout=60)
    assert len(taken) == 35
    assert await aqueue.approximate_count() == 40  # not acked: still there, invisible


async def test_send_many_refuses_the_whole_batch_before_sending(aqueue: AsyncTaskQueue) -> None:
    fine = sample_message("document_processing")
    huge = fine.model_copy(update={"correlation_id": "x" * 70_000})
    with pytest.raises(MessageTooLargeError) as caught:
        await aqueue.send_many([fine, huge])
    assert caught.value.where == "messages[1]"
    assert await aqueue.peek() == []
    with pytest.raises(ConfigurationError, match="concurrency"):
        await aqueue.send_many([fine], concurrency=0)


async def test_only_the_creator_may_clear_or_delete(
    aqueue: AsyncTaskQueue, edu_azurite: AzuriteInfo
) -> None:
    other = AsyncTaskQueue.from_connection_string(edu_azurite.connection_string, aqueue.name)
    async with other:
        assert not await other.create()
        with pytest.raises(UnsafeOperationError, match="did not create"):
            await other.clear()
        with pytest.raises(UnsafeOperationError, match="did not create"):
            await other.delete()


async def test_exclusive_create_refuses_an_existing_queue_and_touches_nothing(
    aqueue: AsyncTaskQueue, edu_azurite: AzuriteInfo
) -> None:
    await aqueue.send(sample_message("document_processing"))
    clash = AsyncTaskQueue.from_connection_string(edu_azurite.connection_string, aqueue.name)
    async with clash:
        with pytest.raises(UnsafeOperationError, match="already exists"):
            await clash.create(exclusive=True)
    assert len(await aqueue.peek()) == 1  # neither cleared nor read
    properties = await aqueue.client.get_queue_properties()
    assert properties.approximate_message_count == 1


async def test_a_missing_queue_is_a_service_error(edu_azurite: AzuriteInfo) -> None:
    queue = AsyncTaskQueue.from_connection_string(
        edu_azurite.connection_string, f"missing-{uuid.uuid4().hex[:12]}"
    )
    async with queue:
        with pytest.raises(ServiceError, match="create the queue first"):
            await queue.send(sample_message("document_processing"))


async def test_both_faces_give_the_same_verdicts(edu_azurite: AzuriteInfo, queue_name: str) -> None:
    """One core: the same texts on a sync and an async queue end the same way."""
    good = [encode(sample_message(kind)) for kind in TASK_TYPES]
    outcomes = []
    for face in ("sync", "async"):
        name = f"{queue_name[:40]}-{face}"
        if face == "sync":
            queue = TaskQueue.from_connection_string(edu_azurite.connection_string, name)
            queue.create(exclusive=True)
            for text in [*_HOSTILE, *good]:
                queue.client.send_message(text)
            result = queue.drain()
            queue.delete()
            queue.close()
        else:
            aq = AsyncTaskQueue.from_connection_string(edu_azurite.connection_string, name)
            await aq.create(exclusive=True)
            for text in [*_HOSTILE, *good]:
                await aq.client.send_message(text)
            result = await aq.drain()
            await aq.delete()
            await aq.close()
        outcomes.append(
            (
                sorted(t.text for t in result),
                sorted((p.text, p.reason, p.error, p.detail, p.where) for p in result.poisoned),
            )
        )
    assert outcomes[0] == outcomes[1]
    assert len(outcomes[0][0]) == len(good)
    assert len(outcomes[0][1]) == len(_HOSTILE)
