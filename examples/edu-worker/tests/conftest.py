"""edu-worker's test wiring: uploads on disk, everything else from the plugin.

``edu_session`` and ``edu_queue`` are the edu-contracts plugin's: real
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

import edu_contracts.testing.fixtures as _plugin_fixtures
import pytest
from edu_contracts.db.models import Document
from sqlalchemy.orm import Session

from edu_worker.sources import LocalDocumentStore

if not hasattr(_plugin_fixtures, "edu_factories"):
    # Stand-in until the plugin ships ``edu_factories``; then this is skipped.
    from edu_contracts.factories import Factories

    @pytest.fixture
    def edu_factories(edu_session: Session) -> Factories:
        return Factories(edu_session, seed=0)


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
