"""Schemathesis against the whole API, in process, on a seeded real database.

The hand-written tests send the requests we thought of; these send the ones
we did not, and check every answer: no server error, the documented status,
content type and schema, and bodies that claim to be canonical read models
(``ProjectRead``, ``DocumentRead``) validate against edu-contracts' own.

Path parameters are drawn from rows the factories made (the caller's two
projects, someone else's, and their documents), so requests reach real
handlers and the 404 branch alike.

The fuzzer drives the app from a thread of its own (schemathesis' in-process
client runs the ASGI app on its own event loop), so the app's sessions are
not the test's: these tests are marked ``edu_isolation("database")``, which
gives each a database of its own cloned from the template, where every app
session has its own connection; the database is dropped afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from edu_contracts.factories import AsyncFactories
from edu_contracts.queue import TaskQueue
from edu_contracts.testing.openapi import (
    OpenApiReport,
    path_parameters_from_rows,
    run_openapi_checks,
)
from edu_contracts.testing.queues import EduAsyncQueue
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edu_api.app import create_app
from edu_api.storage import LocalDocumentStore

SEARCH = "POST /projects/{project_id}/search"

# Requests per operation and per mode (valid data, then invalid data). A
# search body is 3,072 floats, which takes hypothesis ~0.5 s per request to
# draw; everything else is cheap.
OPERATIONS: dict[str, int] = {
    "POST /projects": 15,
    "GET /projects/{project_id}/documents": 15,
    "POST /projects/{project_id}/documents": 15,
    "POST /projects/{project_id}/generate/flashcards": 15,
    "POST /projects/{project_id}/generate/quiz": 15,
    SEARCH: 4,
}

FuzzRun = Callable[[str, int], Awaitable[OpenApiReport]]


@pytest_asyncio.fixture
async def fuzz(
    edu_async_sessionmaker: async_sessionmaker[AsyncSession],
    edu_async_session: AsyncSession,
    edu_async_factories: AsyncFactories,
    edu_async_queue: EduAsyncQueue,
    tmp_path: Path,
) -> FuzzRun:
    """Seed a caller with processed and pending documents, then fuzz one operation."""
    caller = await edu_async_factories.user(projects=0, is_active=True)
    ready = await edu_async_factories.project(user=caller, documents=0)
    await edu_async_factories.document(project=ready, segments=2)
    await edu_async_factories.document(project=ready, status="pending", text="Not processed yet.")
    await edu_async_factories.project(user=caller, documents=0)
    await edu_async_factories.project(documents=1)  # someone else's: must look missing
    path_parameters = await edu_async_session.run_sync(path_parameters_from_rows)
    store = LocalDocumentStore(tmp_path / "documents")

    async def run(operation: str, max_examples: int) -> OpenApiReport:
        with TaskQueue.from_connection_string(
            edu_async_queue.connection_string, edu_async_queue.name
        ) as queue:
            app = create_app(edu_async_sessionmaker, queue, store=store)
            return await asyncio.to_thread(
                run_openapi_checks,
                app,
                operations=[operation],
                path_parameters=path_parameters,
                headers={"X-User-Id": str(caller.id)},
                max_examples=max_examples,
            )

    return run


@pytest.mark.parametrize(
    ("operation", "max_examples"),
    [pytest.param(label, n, id=label) for label, n in OPERATIONS.items()],
)
@pytest.mark.asyncio
@pytest.mark.edu_isolation("database")
async def test_operation_survives_fuzzing(fuzz: FuzzRun, operation: str, max_examples: int) -> None:
    report = await fuzz(operation, max_examples)
    # Seeded ids, not random ones: some requests got past parsing (400, 422)
    # and the caller and ownership checks (401, 404) into the handler itself.
    assert set(report.operation(operation).statuses) - {400, 401, 404, 422}, report.render()


def test_every_operation_is_fuzzed() -> None:
    """A new route must join OPERATIONS, or it would never be fuzzed."""
    app: FastAPI = create_app(None, None, store=None)  # type: ignore[arg-type]
    labels = {
        f"{method.upper()} {path}"
        for path, item in app.openapi()["paths"].items()
        for method in item
    }
    assert labels == set(OPERATIONS)
