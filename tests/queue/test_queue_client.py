"""TaskQueue against a real Azurite: wire bytes, round trips, poison, no loss."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest
from _queue_samples import all_samples, sample_dict, sample_message
from azure.storage.queue import QueueClient, TextBase64EncodePolicy

from edu_contracts.errors import (
    ConfigurationError,
    MessageTooLargeError,
    NotBase64Error,
    ServiceError,
    UnsafeOperationError,
)
from edu_contracts.queue import (
    MAX_MESSAGE_TEXT_SIZE,
    PoisonReason,
    TaskQueue,
    encode,
)
from edu_contracts.schemas.queue import MESSAGE_ADAPTER, TASK_TYPES
from edu_contracts.services import AzuriteInfo


def _raw(azurite: AzuriteInfo, name: str, **options: object) -> QueueClient:
    return QueueClient.from_connection_string(azurite.connection_string, name, **options)


def test_every_kind_round_trips_through_the_queue(task_queue: TaskQueue) -> None:
    messages = all_samples()
    sent = task_queue.send_many(messages)
    assert [s.message for s in sent] == messages
    received = task_queue.drain()
    assert sorted(r.message.type for r in received) == sorted(TASK_TYPES)
    by_id = {r.message.message_id: r.message for r in received}
    assert by_id == {m.message_id: m for m in messages}
    assert {r.message_id for r in received} == {s.message_id for s in sent}
    assert task_queue.approximate_count() == 0


def test_the_bytes_on_the_wire_are_base64_of_the_json(
    task_queue: TaskQueue, edu_azurite: AzuriteInfo
) -> None:
    message = sample_message("document_processing")
    sent = task_queue.send(message)
    (peeked,) = _raw(edu_azurite, task_queue.name).peek_messages()
    assert peeked.content == sent.text == encode(message)
    document = json.loads(base64.b64decode(peeked.content, validate=True))
    assert document["type"] == "document_processing"
    assert document["data"]["user_id"] == str(message.data.user_id)


def test_a_producer_using_the_sdk_base64_policy_is_understood(
    task_queue: TaskQueue, edu_azurite: AzuriteInfo
) -> None:
    producer = _raw(edu_azurite, task_queue.name, message_encode_policy=TextBase64EncodePolicy())
    seed = {
        "type": "document_processing",
        "data": {k: str(uuid.uuid4()) for k in ("document_id", "project_id", "user_id")},
    }
    producer.send_message(json.dumps(seed))
    (task,) = task_queue.receive()
    assert str(task.message.data.document_id) == seed["data"]["document_id"]
    task_queue.ack(task)


def test_receive_reports_what_the_service_assigned(task_queue: TaskQueue) -> None:
    sent = task_queue.send(sample_message("quiz_generation"))
    (task,) = task_queue.receive(max_messages=1, visibility_timeout=5)
    assert (task.message_id, task.dequeue_count, task.text) == (sent.message_id, 1, sent.text)
    assert task.pop_receipt
    assert task.inserted_on is not None
    assert task.inserted_on.tzinfo is not None
    assert task_queue.receive() == []  # invisible until acked or timed out
    task_queue.ack(task)
    with pytest.raises(ServiceError, match="ack") as caught:
        task_queue.ack(task)
    assert "visibility" in (caught.value.fix or "")


def test_malformed_and_over_retried_messages_land_in_poison_and_none_is_lost(
    task_queue: TaskQueue, edu_azurite: AzuriteInfo
) -> None:
    good = [sample_message(t) for t in TASK_TYPES for _ in range(3)]
    failing = sample_message("note_generation")  # its consumer always fails
    task_queue.send_many([*good, failing])
    raw = _raw(edu_azurite, task_queue.name)
    raw.send_message("not base64 at all!")
    raw.send_message(base64.b64encode(json.dumps({"type": "pdf_ocr"}).encode()).decode())
    raw.send_message(
        base64.b64encode(
            json.dumps(sample_dict("quiz_generation") | {"data": {}}).encode()
        ).decode()
    )
    total_sent = len(good) + 1 + 3

    processed = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        batch = task_queue.receive(visibility_timeout=1)
        for task in batch:
            if task.message.message_id == failing.message_id:
                continue  # not acked: comes back with a higher dequeue count
            processed.append(task.message)
            task_queue.ack(task)
        if len(task_queue.poisoned()) == 4:
            break
        if not batch:
            time.sleep(0.3)

    poisoned = task_queue.poisoned()
    reasons = sorted((p.reason, p.error or "", p.where or "") for p in poisoned)
    assert reasons == [
        (PoisonReason.MAX_DEQUEUE_EXCEEDED, "", ""),
        (PoisonReason.UNDECODABLE, "NotBase64Error", "text[3]"),
        (PoisonReason.UNDECODABLE, "PayloadInvalidError", "data.project_id"),
        (PoisonReason.UNDECODABLE, "UnknownTaskTypeError", "type"),
    ]
    retried = next(p for p in poisoned if p.reason is PoisonReason.MAX_DEQUEUE_EXCEEDED)
    assert retried.dequeue_count == task_queue.max_dequeue_count + 1
    assert retried.task_type == "note_generation"
    assert MESSAGE_ADAPTER.validate_json(base64.b64decode(retried.raw_text)) == failing
    assert any(p.raw_text == "not base64 at all!" for p in poisoned)
    assert all(p.queue == task_queue.name and p.original_message_id for p in poisoned)

    assert sorted(m.message_id for m in processed) == sorted(m.message_id for m in good)
    assert task_queue.approximate_count() == 0
    assert len(processed) + len(poisoned) == total_sent


def test_a_64_kib_poisoned_message_is_kept_whole(
    task_queue: TaskQueue, edu_azurite: AzuriteInfo
) -> None:
    garbage = "!" * MAX_MESSAGE_TEXT_SIZE
    _raw(edu_azurite, task_queue.name).send_message(garbage)
    assert task_queue.drain() == []
    (record,) = task_queue.poisoned()
    assert record.raw_text == garbage
    assert record.error == NotBase64Error.__name__
    assert len(_raw(edu_azurite, task_queue.poison_name).peek_messages(max_messages=32)) > 1
    assert task_queue.approximate_count() == 0


def test_peek_neither_takes_nor_poisons(task_queue: TaskQueue, edu_azurite: AzuriteInfo) -> None:
    task_queue.send(sample_message("mind_map_generation"))
    _raw(edu_azurite, task_queue.name).send_message("%%%")
    first, second = task_queue.peek()
    assert first.message is not None
    assert first.error is None
    assert second.message is None
    assert isinstance(second.error, NotBase64Error)
    assert task_queue.approximate_count() == 2
    assert task_queue.poisoned() == []


def test_drain_with_a_limit_and_without_ack(task_queue: TaskQueue) -> None:
    task_queue.send_many([sample_message("document_deletion") for _ in range(40)], concurrency=8)
    assert len(task_queue.drain(limit=35, ack=False, visibility_timeout=60)) == 35
    assert task_queue.drain(ack=False) != []  # the other five
    assert task_queue.approximate_count() == 40  # nothing was deleted


def test_send_many_checks_the_whole_batch_before_sending_any(task_queue: TaskQueue) -> None:
    base = sample_message("document_processing")
    huge = base.model_copy(update={"correlation_id": "x" * MAX_MESSAGE_TEXT_SIZE})
    with pytest.raises(MessageTooLargeError) as caught:
        task_queue.send_many([base, base, huge])
    assert caught.value.where == "messages[2]"
    assert task_queue.approximate_count() == 0


def test_create_is_idempotent_and_only_the_creator_may_clear_or_delete(
    task_queue: TaskQueue, edu_azurite: AzuriteInfo
) -> None:
    assert task_queue.create() is False
    task_queue.send(sample_message("document_processing"))
    other = TaskQueue.from_connection_string(edu_azurite.connection_string, task_queue.name)
    assert other.create() is False
    with pytest.raises(UnsafeOperationError, match="did not create"):
        other.clear()
    with pytest.raises(UnsafeOperationError):
        other.delete()
    other.close()
    assert task_queue.approximate_count() == 1
    task_queue.clear()
    assert task_queue.approximate_count() == 0


def test_a_missing_queue_says_to_create_it(edu_azurite: AzuriteInfo, queue_name: str) -> None:
    queue = TaskQueue.from_connection_string(edu_azurite.connection_string, queue_name)
    with queue, pytest.raises(ServiceError, match=queue_name) as caught:
        queue.send(sample_message("document_processing"))
    assert "create()" in (caught.value.fix or "")


def test_an_unreachable_service_says_so() -> None:
    conn = (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
        "QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;"
    )
    queue = TaskQueue.from_connection_string(conn, "edu-tasks", retry_total=0)
    with queue, pytest.raises(ServiceError) as caught:
        queue.create()
    assert "Azurite" in (caught.value.fix or "")
    assert "127.0.0.1:9" in (caught.value.where or "")


def test_wrapping_an_existing_client_finds_its_poison_sibling(
    edu_azurite: AzuriteInfo, queue_name: str
) -> None:
    queue = TaskQueue(_raw(edu_azurite, queue_name))
    assert queue.create()
    try:
        _raw(edu_azurite, queue_name).send_message("bad")
        assert queue.receive() == []
        (record,) = _raw(edu_azurite, queue_name + "-poison").peek_messages()
        assert json.loads(record.content)["raw_text"] == "bad"
    finally:
        queue.delete()
    assert queue_name not in {q.name for q in _service_queues(edu_azurite)}


def _service_queues(azurite: AzuriteInfo) -> list[object]:
    from azure.storage.queue import QueueServiceClient

    return list(QueueServiceClient.from_connection_string(azurite.connection_string).list_queues())


def test_a_client_with_a_base64_policy_is_refused(edu_azurite: AzuriteInfo) -> None:
    client = _raw(edu_azurite, "edu-tasks", message_encode_policy=TextBase64EncodePolicy())
    with pytest.raises(ConfigurationError, match="encoded twice"):
        TaskQueue(client)


@pytest.mark.parametrize(
    "name",
    ["ab", "Edu-tasks", "edu--tasks", "-edu", "edu-", "edu_tasks", "e" * 57, "edu tasks"],
)
def test_invalid_queue_names_are_refused_before_any_request(name: str) -> None:
    with pytest.raises(ConfigurationError, match="queue name") as caught:
        TaskQueue.from_connection_string("UseDevelopmentStorage=true", name)
    assert caught.value.where == "queue_name"
    assert "lowercase" in (caught.value.fix or "")
