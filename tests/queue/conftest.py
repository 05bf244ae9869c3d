"""A TaskQueue of this test's own on the plugin's Azurite, deleted afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from edu_contracts.queue import TaskQueue
from edu_contracts.services import AzuriteInfo


@pytest.fixture
def queue_name() -> str:
    return f"tq-{uuid.uuid4().hex[:24]}"


@pytest.fixture
def task_queue(edu_azurite: AzuriteInfo, queue_name: str) -> Iterator[TaskQueue]:
    """max_dequeue_count=2 so over-retried messages poison within seconds."""
    queue = TaskQueue.from_connection_string(
        edu_azurite.connection_string, queue_name, max_dequeue_count=2
    )
    assert queue.create()
    yield queue
    queue.delete()
    queue.close()


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (the SDK's aio transport is aiohttp, asyncio only)."""
    return "asyncio"
