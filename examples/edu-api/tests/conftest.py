"""edu-api's own test fixtures: the app as a client, and its caller.

There is no database or queue code here: ``edu_async_sessionmaker``,
``edu_async_factories`` and ``edu_async_queue`` come from the
edu-contracts plugin, which starts real Postgres (pgvector) and Azurite,
rolls every test back and gives every test its own queue. ``api_client`` is
this repo's fixture: the app with its database dependency given the
plugin's ``edu_async_sessionmaker``, called over ASGI in the test's event
loop. The app builds its *own* ``TaskQueue`` from the connection string and
that queue's name, exactly as in production, so what it sends is found,
contract-checked and recorded by ``edu_async_queue`` at the end of the test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx2
import pytest
import pytest_asyncio
from edu_contracts.db.models import User
from edu_contracts.factories import AsyncFactories
from edu_contracts.queue import TaskQueue
from edu_contracts.testing.queues import EduAsyncQueue
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edu_api.app import create_app
from edu_api.storage import LocalDocumentStore


@pytest_asyncio.fixture
async def user(edu_async_factories: AsyncFactories) -> User:
    """The caller of ``api_client``."""
    return await edu_async_factories.user(projects=0, is_active=True)


@pytest.fixture
def document_store(tmp_path: Path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "documents")


@pytest_asyncio.fixture
async def api_client(
    edu_async_sessionmaker: async_sessionmaker[AsyncSession],
    edu_async_queue: EduAsyncQueue,
    document_store: LocalDocumentStore,
    user: User,
) -> AsyncIterator[httpx2.AsyncClient]:
    """The app, called as ``user``, sending to this test's queue."""
    with TaskQueue.from_connection_string(
        edu_async_queue.connection_string, edu_async_queue.name
    ) as queue:
        app = create_app(edu_async_sessionmaker, queue, store=document_store)
        async with httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=app),
            base_url="http://edu-api",
            headers={"X-User-Id": str(user.id)},
        ) as client:
            yield client
