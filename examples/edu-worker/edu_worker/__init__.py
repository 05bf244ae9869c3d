"""edu-worker, the consumer: takes tasks from the queue and does the slow work.

``await run_worker_once(queue, session, sources=...)`` handles one batch
(on ``AsyncTaskQueue``, with a concurrency limit); the
handlers turn an uploaded document into embedded segments and processed
documents into flashcards and quizzes. See :mod:`edu_worker.main` for the
long-running process.
"""

from edu_worker.embedder import HashEmbedder
from edu_worker.worker import Outcome, WorkerReport, run_worker_once

__all__ = ["HashEmbedder", "Outcome", "WorkerReport", "run_worker_once"]
