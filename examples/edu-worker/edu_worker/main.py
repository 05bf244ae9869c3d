"""The long-running worker process, configured from the environment.

    python -m edu_worker.main

=================================  ===========================================
``DATABASE_URL``                   SQLAlchemy URL of the edu database
``AZURE_STORAGE_CONNECTION_STRING``  the storage account holding the task queue
``EDU_TASK_QUEUE``                 queue name (default ``edu-tasks``)
``EDU_DOCUMENT_STORE``             directory edu-api keeps uploads in
=================================  ===========================================
"""

from __future__ import annotations

import logging
import os
import time

from edu_contracts.queue import TaskQueue
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from edu_worker.sources import LocalDocumentStore
from edu_worker.worker import run_worker_once

__all__ = ["main"]


def main(idle_seconds: float = 2.0) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
    sessions = sessionmaker(engine, expire_on_commit=False)
    sources = LocalDocumentStore.from_env()
    with TaskQueue.from_connection_string(
        os.environ["AZURE_STORAGE_CONNECTION_STRING"], os.environ.get("EDU_TASK_QUEUE", "edu-tasks")
    ) as queue:
        queue.create()
        while True:
            with sessions() as session:
                report = run_worker_once(queue, session, sources=sources)
            if not report.outcomes:
                time.sleep(idle_seconds)


if __name__ == "__main__":
    main()
