"""edu-api's test wiring: the app on the plugin's database and queue.

There is no database or queue code here: ``edu_sessionmaker``, ``edu_queue``
and ``edu_azurite`` come from the edu-contracts plugin, which starts real
Postgres (pgvector) and Azurite, rolls every test back and gives every test
its own queue. The app builds its *own* ``TaskQueue`` from the connection
string and that queue's name, exactly as in production, so what it sends is
found, contract-checked and recorded by ``edu_queue`` at the end of the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from edu_contracts.db.models import User
from edu_contracts.queue import TaskQueue
from edu_contracts.services import AzuriteInfo
from edu_contracts.testing.queues import EduQueue
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from edu_api.app import create_app
from edu_api.storage import LocalDocumentStore


@pytest.fixture
def user(edu_factories) -> User:  # type: ignore[no-untyped-def]
    """The caller of ``api_client``."""
    return edu_factories.user(projects=0, is_active=True)


@pytest.fixture
def document_store(tmp_path: Path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "documents")


@pytest.fixture
def api_client(
    edu_sessionmaker: sessionmaker[Session],
    edu_azurite: AzuriteInfo,
    edu_queue: EduQueue,
    document_store: LocalDocumentStore,
    user: User,
) -> Iterator[TestClient]:
    """The app, called as ``user``, sending to this test's queue."""
    with TaskQueue.from_connection_string(edu_azurite.connection_string, edu_queue.name) as queue:
        app = create_app(edu_sessionmaker, queue, store=document_store)
        with TestClient(app, headers={"X-User-Id": str(user.id)}) as client:
            yield client
