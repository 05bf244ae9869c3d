"""Delivery semantics against the real queue: poison, unknown kinds, retries."""

import time

import pytest
from azure.storage.queue import QueueClient
from edu_contracts.queue import PoisonReason, TaskQueue

from edu_worker import HashEmbedder, run_worker_once

TEXT = "Enzymes speed up reactions. They are not used up."


class FlakyEmbedder(HashEmbedder):
    """The embedding model times out ``failures`` times, then answers."""

    def __init__(self, failures):
        super().__init__()
        self.failures = failures

    def embed(self, texts):
        if self.failures:
            self.failures -= 1
            raise TimeoutError("embedding service timed out")
        return super().embed(texts)


def test_an_undecodable_message_goes_to_the_poison_queue(edu_queue, edu_session, document_store):
    edu_queue.tasks.client.send_message("this is not base64 JSON")

    report = run_worker_once(edu_queue, edu_session, sources=document_store)

    assert report.outcomes == []
    (record,) = edu_queue.tasks.poisoned()
    assert record.reason is PoisonReason.UNDECODABLE
    assert record.raw_text == "this is not base64 JSON"


def test_a_kind_this_worker_does_not_handle_stays_queued(
    edu_factories, edu_queue, edu_session, document_store
):
    edu_queue.send(edu_factories.message("mind_map_generation"))

    report = run_worker_once(edu_queue, edu_session, sources=document_store, visibility_timeout=1)

    assert [o.status for o in report.outcomes] == ["retry"]
    assert edu_queue.tasks.approximate_count() == 1


def test_a_transient_failure_is_retried_and_then_succeeds(
    upload, edu_factories, edu_queue, edu_session, document_store
):
    doc = upload(TEXT)
    edu_queue.send(edu_factories.task("document_processing", document=doc))
    embedder = FlakyEmbedder(failures=1)

    first = run_worker_once(
        edu_queue, edu_session, sources=document_store, embedder=embedder, visibility_timeout=1
    )
    failed_with = doc.error_message
    time.sleep(1.2)
    second = run_worker_once(edu_queue, edu_session, sources=document_store, embedder=embedder)

    assert [o.status for o in first.outcomes + second.outcomes] == ["retry", "done"]
    assert failed_with == "attempt 1 failed (TimeoutError); will retry"
    assert doc.status == "ready"
    assert doc.error_message is None


@pytest.fixture
def worker_queue(edu_azurite, edu_queue):
    """The worker's own client on the test's queue, poisoning after one failed delivery."""
    queue = TaskQueue.from_connection_string(
        edu_azurite.connection_string, edu_queue.name, max_dequeue_count=1
    )
    yield queue
    queue.close()
    # This client created the poison queue while moving a message there, but
    # TaskQueue.delete() only deletes pairs it created whole; edu_queue's
    # clean-up does not know about it either.
    QueueClient.from_connection_string(
        edu_azurite.connection_string, edu_queue.poison_name
    ).delete_queue()


def test_a_task_that_keeps_failing_is_poisoned(
    upload, edu_factories, edu_queue, worker_queue, edu_session, document_store
):
    doc = upload(TEXT)
    edu_queue.send(edu_factories.task("document_processing", document=doc))
    broken = FlakyEmbedder(failures=99)

    first = run_worker_once(
        worker_queue, edu_session, sources=document_store, embedder=broken, visibility_timeout=1
    )
    time.sleep(1.2)
    second = run_worker_once(worker_queue, edu_session, sources=document_store, embedder=broken)

    assert [o.status for o in first.outcomes] == ["retry"]
    assert second.outcomes == []  # delivered a second time: moved, not handled
    (record,) = worker_queue.poisoned()
    assert record.reason is PoisonReason.MAX_DEQUEUE_EXCEEDED
    assert record.task_type == "document_processing"
    assert doc.status == "failed"
