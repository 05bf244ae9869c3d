"""Schemathesis against the whole API, in process, on a seeded real database.

The hand-written tests send the requests we thought of; these send the ones
we did not, and check every answer: no server error, the documented status,
content type and schema, and bodies that claim to be canonical read models
(``ProjectRead``, ``DocumentRead``) validate against edu-contracts' own.

Path parameters are drawn from rows the factories made (the caller's two
projects, someone else's, and their documents), so requests reach real
handlers and the 404 branch alike. The app runs on ``edu_sessionmaker``:
everything the fuzzer creates is rolled back with the test.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from edu_contracts.factories import Factories
from edu_contracts.queue import TaskQueue
from edu_contracts.services import AzuriteInfo
from edu_contracts.testing.openapi import (
    OpenApiReport,
    path_parameters_from_rows,
    run_openapi_checks,
)
from edu_contracts.testing.queues import EduQueue
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

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

FuzzRun = Callable[[str, int], OpenApiReport]


@pytest.fixture
def fuzz(
    edu_sessionmaker: sessionmaker[Session],
    edu_session: Session,
    edu_factories: Factories,
    edu_azurite: AzuriteInfo,
    edu_queue: EduQueue,
    tmp_path: Path,
) -> FuzzRun:
    """Seed a caller with processed and pending documents, then fuzz one operation."""
    caller = edu_factories.user(projects=0, is_active=True)
    ready = edu_factories.project(user=caller, documents=0)
    edu_factories.document(project=ready, segments=2)
    edu_factories.document(project=ready, status="pending", text="Not processed yet.")
    edu_factories.project(user=caller, documents=0)
    edu_factories.project(documents=1)  # someone else's: must answer like a missing one
    path_parameters = path_parameters_from_rows(edu_session)
    store = LocalDocumentStore(tmp_path / "documents")

    def run(operation: str, max_examples: int) -> OpenApiReport:
        with TaskQueue.from_connection_string(
            edu_azurite.connection_string, edu_queue.name
        ) as queue:
            app = create_app(edu_sessionmaker, queue, store=store)
            return run_openapi_checks(
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
def test_operation_survives_fuzzing(fuzz: FuzzRun, operation: str, max_examples: int) -> None:
    report = fuzz(operation, max_examples)
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
