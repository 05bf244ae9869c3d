"""The production entry point: the app built from the environment.

    uvicorn --factory edu_api.main:app_from_env

=================================  ===========================================
``DATABASE_URL``                   SQLAlchemy URL of the edu database
``AZURE_STORAGE_CONNECTION_STRING``  the storage account holding the task queue
``EDU_TASK_QUEUE``                 queue name (default ``edu-tasks``)
``EDU_DOCUMENT_STORE``             directory uploads are kept in (shared with edu-worker)
=================================  ===========================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from edu_contracts.db.url import normalize_url
from edu_contracts.queue import TaskQueue
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from edu_api.app import create_app
from edu_api.storage import LocalDocumentStore

__all__ = ["app_from_env"]


def app_from_env(environ: Mapping[str, str] = os.environ) -> FastAPI:
    # psycopg 3 in its async mode: the same driver as the sync tools, no second one
    engine = create_async_engine(normalize_url(environ["DATABASE_URL"]), pool_pre_ping=True)
    queue = TaskQueue.from_connection_string(
        environ["AZURE_STORAGE_CONNECTION_STRING"], environ.get("EDU_TASK_QUEUE", "edu-tasks")
    )
    queue.create()  # idempotent; the worker may have created it first
    store = LocalDocumentStore(Path(environ["EDU_DOCUMENT_STORE"]))
    return create_app(async_sessionmaker(engine, expire_on_commit=False), queue, store=store)
