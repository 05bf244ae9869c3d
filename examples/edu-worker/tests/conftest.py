"""edu-worker's test wiring: uploads on disk, everything else from the plugin.

``edu_async_sessionmaker``, ``edu_async_session``, ``edu_async_factories``
and ``edu_async_queue`` are the edu-contracts plugin's: real Postgres
(pgvector) in a rolled-back transaction and a real Azurite queue of this
test's own. The only thing the plugin cannot know is where edu-api keeps
uploaded files, so ``upload`` writes one where the worker reads it and makes
the pending row edu-api would have made.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from edu_contracts.db.models import Document

from edu_worker.sources import LocalDocumentStore
from edu_worker.worker import WorkerReport, run_worker_once


@pytest.fixture
def document_store(tmp_path: Path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "documents")


@pytest.fixture
def upload(
    edu_async_factories: Any, document_store: LocalDocumentStore
) -> Callable[..., Awaitable[Document]]:
    """``await upload(text, **row)``: a pending document whose stored file holds ``text``."""

    async def upload(text: str | bytes, **row: Any) -> Document:
        data = text.encode() if isinstance(text, str) else text
        key = document_store.put(f"uploads/{uuid.uuid4()}.txt", data)
        document: Document = await edu_async_factories.document(
            status="pending",
            source_kind="file",
            source_uri=key,
            mime_type="text/plain",
            size_bytes=len(data),
            content_sha256=hashlib.sha256(data).hexdigest(),
            **row,
        )
        return document

    return upload


@pytest.fixture
def work(
    edu_async_queue: Any, edu_async_sessionmaker: Any, document_store: LocalDocumentStore
) -> Callable[..., Awaitable[WorkerReport]]:
    """``await work(**options)``: one pass of the worker over this test's queue, with the
    test's sessions and uploads (options go to ``run_worker_once``)."""

    async def work(**options: Any) -> WorkerReport:
        return await run_worker_once(
            edu_async_queue, edu_async_sessionmaker, sources=document_store, **options
        )

    return work


@pytest.fixture
def queued(
    upload: Callable[..., Awaitable[Document]], edu_async_factories: Any, edu_async_queue: Any
) -> Callable[..., Awaitable[Document]]:
    """``await queued(text, **row)``: an uploaded document whose processing task edu-api
    has put on this test's queue."""

    async def queued(text: str | bytes, **row: Any) -> Document:
        document = await upload(text, **row)
        task = await edu_async_factories.task("document_processing", document=document)
        await edu_async_queue.send(task)
        return document

    return queued
