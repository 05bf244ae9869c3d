"""edu-worker's test wiring: uploads on disk, everything else from the plugin.

``edu_session`` and ``edu_async_queue`` are the edu-contracts plugin's: real
Postgres (pgvector) in a rolled-back transaction and a real Azurite queue
of this test's own. The only thing the plugin cannot know is where edu-api
keeps uploaded files, so ``upload`` writes one where the worker reads it
and makes the pending row edu-api would have made.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from edu_contracts.db.models import Document

from edu_worker.sources import LocalDocumentStore


@pytest.fixture
def anyio_backend() -> str:
    """The worker is async on asyncio (the queue SDK's aio transport is aiohttp)."""
    return "asyncio"


@pytest.fixture
def document_store(tmp_path: Path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "documents")


@pytest.fixture
def upload(edu_factories: Any, document_store: LocalDocumentStore) -> Callable[..., Document]:
    """``upload(text, **row)``: a pending document whose stored file holds ``text``."""

    def upload(text: str | bytes, **row: Any) -> Document:
        data = text.encode() if isinstance(text, str) else text
        key = document_store.put(f"uploads/{uuid.uuid4()}.txt", data)
        return edu_factories.document(
            status="pending",
            source_kind="file",
            source_uri=key,
            mime_type="text/plain",
            size_bytes=len(data),
            content_sha256=hashlib.sha256(data).hexdigest(),
            **row,
        )

    return upload
