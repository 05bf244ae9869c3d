"""Where uploaded files live until edu-worker has read them.

A real deployment keeps them in Azure Blob Storage; this example keeps them
under a directory (a volume both services mount). Either way the document
row holds only the *key* (``documents.source_uri``) and the queue message
holds only ids: a document never travels through the queue, whose messages
are capped at 64 KiB.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Protocol

__all__ = ["DocumentStore", "LocalDocumentStore", "document_key"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def document_key(project_id: uuid.UUID, document_id: uuid.UUID, filename: str | None) -> str:
    """``projects/<project>/documents/<document>/<file>``, with a file name safe anywhere."""
    name = _UNSAFE.sub("-", filename or "").strip(".-")[:100] or "upload.txt"
    return f"projects/{project_id}/documents/{document_id}/{name}"


class DocumentStore(Protocol):
    """Stores uploaded bytes under a key; the key is what the row records."""

    def put(self, key: str, data: bytes) -> str: ...


class LocalDocumentStore:
    """Files under ``root``; keys are relative paths and may not leave it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"document key {key!r} points outside the store")
        return path

    def put(self, key: str, data: bytes) -> str:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return key
