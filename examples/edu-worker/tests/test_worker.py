"""Delivery semantics against the real queue: poison, unknown kinds, retries, concurrency."""

import asyncio

import pytest
from edu_contracts.db.models import Document
from edu_contracts.queue import AsyncTaskQueue, PoisonReason
from sqlalchemy import select

from edu_worker import HashEmbedder, run_worker_once

pytestmark = pytest.mark.anyio

TEXT = "Enzymes speed up reactions. They are not used up."


async def status_of(session, doc):
    """The row as the worker's own sessions left it."""
    return await session.get(Document, doc.id, populate_existing=True)


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


async def test_an_undecodable_message_goes_to_the_poison_queue(edu_async_queue, work):
    await edu_async_queue.send_raw("this is not base64 JSON")

    report = await work()

    assert report.outcomes == []
    (poisoned,) = report.poisoned
    assert poisoned.reason is PoisonReason.UNDECODABLE
    assert poisoned.error == "NotBase64Error"
    (record,) = await edu_async_queue.poisoned()
    assert record.raw_text == "this is not base64 JSON"


async def test_a_kind_this_worker_does_not_handle_stays_queued(
    edu_async_factories, edu_async_queue, work
):
    await edu_async_queue.send(await edu_async_factories.message("mind_map_generation"))

    report = await work(visibility_timeout=1)
    await asyncio.sleep(1.2)

    assert [o.status for o in report.outcomes] == ["retry"]
    assert len(await edu_async_queue.messages()) == 1


async def test_a_transient_failure_is_retried_and_then_succeeds(edu_async_session, work, queued):
    doc = await queued(TEXT)
    embedder = FlakyEmbedder(failures=1)

    first = await work(embedder=embedder, visibility_timeout=1)
    failed_with = (await status_of(edu_async_session, doc)).error_message
    await asyncio.sleep(1.2)
    second = await work(embedder=embedder)

    assert [o.status for o in first.outcomes + second.outcomes] == ["retry", "done"]
    assert failed_with == "attempt 1 failed (TimeoutError); will retry"
    doc = await status_of(edu_async_session, doc)
    assert doc.status == "ready"
    assert doc.error_message is None


async def test_a_task_that_keeps_failing_is_poisoned(
    edu_async_queue, edu_async_sessionmaker, edu_async_session, document_store, queued
):
    doc = await queued(TEXT)
    broken = FlakyEmbedder(failures=99)
    # the worker's own client on the test's queue, poisoning after one failed delivery
    async with AsyncTaskQueue.from_connection_string(
        edu_async_queue.connection_string, edu_async_queue.name, max_dequeue_count=1
    ) as worker_queue:
        first = await run_worker_once(
            worker_queue,
            edu_async_sessionmaker,
            sources=document_store,
            embedder=broken,
            visibility_timeout=1,
        )
        await asyncio.sleep(1.2)
        second = await run_worker_once(
            worker_queue, edu_async_sessionmaker, sources=document_store, embedder=broken
        )

    assert [o.status for o in first.outcomes] == ["retry"]
    assert second.outcomes == []  # delivered a second time: moved, not handled
    (poisoned,) = second.poisoned
    assert poisoned.reason is PoisonReason.MAX_DEQUEUE_EXCEEDED
    (record,) = await edu_async_queue.poisoned()
    assert record.task_type == "document_processing"
    assert (await status_of(edu_async_session, doc)).status == "failed"


# A database of its own: every task's session gets its own connection, so the
# handlers really run at once (on the shared savepoint connection they would take turns).
@pytest.mark.edu_isolation("database")
@pytest.mark.parametrize("concurrency", [1, 3])
async def test_no_more_tasks_than_the_limit_are_in_flight(
    concurrency, upload, edu_async_factories, edu_async_queue, edu_async_session, work
):
    docs = [await upload(f"{TEXT} Copy {n}.") for n in range(6)]
    await edu_async_queue.send_many(
        [await edu_async_factories.task("document_processing", document=doc) for doc in docs]
    )

    report = await work(concurrency=concurrency)

    assert [o.status for o in report.outcomes] == ["done"] * 6
    assert report.most_in_flight == concurrency
    statuses = await edu_async_session.scalars(
        select(Document.status)
        .where(Document.id.in_([doc.id for doc in docs]))
        .execution_options(populate_existing=True)
    )
    assert set(statuses) == {"ready"}
    assert await edu_async_queue.messages() == []


async def test_tasks_take_turns_on_the_tests_shared_connection(
    upload, edu_async_factories, edu_async_queue, work
):
    # savepoint isolation: every session joins the test's one connection, where
    # concurrent sessions would raise ConcurrentSessionError; the worker serialises them
    docs = [await upload(f"{TEXT} Turn {n}.") for n in range(3)]
    await edu_async_queue.send_many(
        [await edu_async_factories.task("document_processing", document=doc) for doc in docs]
    )

    report = await work(concurrency=3)

    assert [o.status for o in report.outcomes] == ["done"] * 3, report.outcomes
    assert await edu_async_queue.messages() == []
