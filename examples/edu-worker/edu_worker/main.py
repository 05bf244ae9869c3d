"""The long-running worker process, configured from the environment.

    python -m edu_worker.main

=================================  ===========================================
``DATABASE_URL``                   async SQLAlchemy URL (``postgresql+psycopg://``)
``AZURE_STORAGE_CONNECTION_STRING``  the storage account holding the task queue
``EDU_TASK_QUEUE``                 queue name (default ``edu-tasks``)
``EDU_DOCUMENT_STORE``             directory edu-api keeps uploads in
``EDU_WORKER_CONCURRENCY``         tasks handled at once (default 4)
=================================  ===========================================
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os

from edu_contracts.queue import AsyncTaskQueue
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from edu_worker.sources import LocalDocumentStore
from edu_worker.worker import run_worker_once

__all__ = ["main", "serve"]


async def serve(idle_seconds: float = 2.0, stop: asyncio.Event | None = None) -> None:
    """Receive and handle batches until ``stop`` is set; sleep while the queue is empty."""
    concurrency = int(os.environ.get("EDU_WORKER_CONCURRENCY", "4"))
    engine = create_async_engine(
        os.environ["DATABASE_URL"], pool_pre_ping=True, pool_size=concurrency
    )
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    sources = LocalDocumentStore.from_env()
    stop = stop or asyncio.Event()
    try:
        async with AsyncTaskQueue.from_connection_string(
            os.environ["AZURE_STORAGE_CONNECTION_STRING"],
            os.environ.get("EDU_TASK_QUEUE", "edu-tasks"),
        ) as queue:
            await queue.create()
            while not stop.is_set():
                report = await run_worker_once(
                    queue, sessions, sources=sources, concurrency=concurrency
                )
                if not report.outcomes and not report.poisoned:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), idle_seconds)
    finally:
        await engine.dispose()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(serve())


if __name__ == "__main__":
    main()
