"""Reading an uploaded document's bytes by the key its row holds (``source_uri``).

The counterpart of edu-api's document store: a directory both services
mount here, Azure Blob Storage in a real deployment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from edu_worker.errors import PermanentTaskError

__all__ = ["DocumentSource", "LocalDocumentStore", "SourceMissingError"]


class SourceMissingError(PermanentTaskError):
    """The key names no stored file; retrying will not make it appear."""


class DocumentSource(Protocol):
    def read(self, key: str) -> bytes: ...


class LocalDocumentStore:
    """Files under ``root``; keys are relative paths and may not leave it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def from_env(cls) -> LocalDocumentStore:
        return cls(Path(os.environ["EDU_DOCUMENT_STORE"]))

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise SourceMissingError(f"document key {key!r} points outside the store")
        return path

    def put(self, key: str, data: bytes) -> str:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return key

    def read(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError as exc:
            raise SourceMissingError(f"the uploaded file {key!r} is missing") from exc
