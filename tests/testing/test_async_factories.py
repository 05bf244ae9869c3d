"""edu_async_factories: the sync factories' rules and data, awaited, on the async connection."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from edu_contracts.db.models import Document, DocumentSegment, Project
from edu_contracts.factories import AsyncFactories, Factories
from edu_contracts.services import Services

_NOT_COROUTINES = {"bind", "seed", "session", "context"}


def _public(cls: type) -> dict[str, Any]:
    return {n: getattr(cls, n) for n in dir(cls) if not n.startswith("_")}


def test_every_factories_method_has_an_awaitable_twin_with_its_signature() -> None:
    sync, async_ = _public(Factories), _public(AsyncFactories)
    missing = sorted(set(sync) - set(async_))
    assert missing == []
    for name, method in sync.items():
        if name in _NOT_COROUTINES:
            continue
        twin = async_[name]
        assert inspect.iscoroutinefunction(twin), name
        assert inspect.signature(twin) == inspect.signature(method), name


@pytest.mark.asyncio
async def test_rows_land_in_the_tests_async_transaction(
    edu_async_factories: AsyncFactories, edu_async_session: AsyncSession
) -> None:
    project = await edu_async_factories.project(documents=2)
    assert await edu_async_session.get(Project, project.id) is project
    count = select(func.count()).select_from(Document).where(Document.project_id == project.id)
    assert await edu_async_session.scalar(count) == 2


@pytest.mark.asyncio
async def test_previous_tests_rows_are_gone(edu_async_session: AsyncSession) -> None:
    assert await edu_async_session.scalar(select(func.count()).select_from(Project)) == 0


def _snapshot(project: Project, documents: list[Document]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [(project.id, project.name, project.user_id, project.created_at)]
    rows += [(d.id, d.title, d.status, d.content_sha256) for d in documents]
    return rows


@pytest.mark.asyncio
async def test_same_seed_same_data_as_the_sync_factories(
    edu_async_factories: AsyncFactories,
    edu_async_session: AsyncSession,
    edu_factories: Factories,
    edu_session: Session,
) -> None:
    assert edu_async_factories.seed == edu_factories.seed  # one seed rule for both faces

    project = await edu_async_factories.project(documents=2, name="Biology")
    documents = list(
        await edu_async_session.scalars(select(Document).where(Document.project_id == project.id))
    )
    vector = await edu_async_factories.query_vector(documents[0])
    task = await edu_async_factories.task("document_processing", document=documents[0])
    async_rows = _snapshot(project, documents)
    await edu_async_session.rollback()  # the same ids are about to be inserted on the sync side

    sync_project = edu_factories.project(documents=2, name="Biology")
    sync_docs = list(edu_session.scalars(select(Document).where(Document.project_id == project.id)))
    assert _snapshot(sync_project, sync_docs) == async_rows
    assert (edu_factories.query_vector(sync_docs[0]) == vector).all()
    sync_task = edu_factories.task("document_processing", document=sync_docs[0])
    assert sync_task.data == task.data


@pytest.mark.asyncio
async def test_find_or_make_rules_consult_the_database(
    edu_async_factories: AsyncFactories,
) -> None:
    card = await edu_async_factories.flashcard()
    user = await edu_async_factories.user()
    first = await edu_async_factories.progress_for(user, card)
    assert await edu_async_factories.progress_for(user, card) is first


DRIVER_SUITE = """
import numpy as np
import pytest
from sqlalchemy import select
from edu_contracts.db.models import DocumentSegment
from edu_contracts.db.search import async_nearest_segments


@pytest.mark.asyncio
async def test_vectors_round_trip_and_search(edu_async_factories, edu_async_session, edu_config):
    print("DRIVER", edu_async_session.bind.dialect.driver, edu_config.async_driver)
    project = await edu_async_factories.project(documents=0)
    about = await edu_async_factories.document(project=project, segments=4)
    await edu_async_factories.document(project=project, segments=4)

    segment = await edu_async_session.scalar(
        select(DocumentSegment).where(DocumentSegment.document_id == about.id).limit(1))
    written = np.asarray(segment.embedding_vector, dtype=np.float32)
    edu_async_session.expire(segment, ["embedding_vector"])
    read = await edu_async_session.scalar(
        select(DocumentSegment.embedding_vector).where(DocumentSegment.id == segment.id))
    assert len(read) == 3072
    assert np.array_equal(np.asarray(read, dtype=np.float32), written)

    query = await edu_async_factories.query_vector(about)
    hits = await async_nearest_segments(
        edu_async_session, project_id=project.id, query_vector=query.tolist(), limit=4)
    assert [s.document_id for s, _ in hits] == [about.id] * 4
    distances = [d for _, d in hits]
    assert distances == sorted(distances)
"""


@pytest.mark.parametrize("driver", ["psycopg", "asyncpg"])
def test_both_drivers_round_trip_vectors_and_find_nearest_segments(
    pytester: pytest.Pytester, edu_services: Services, driver: str
) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_driver=DRIVER_SUITE)
    result = pytester.runpytest_subprocess(
        "-q",
        "-s",
        "-W",
        "error",
        "-p",
        "no:cacheprovider",
        f"--edu-async-driver={driver}",
        "--edu-backend=external",
        f"--edu-postgres-url={edu_services.postgres.libpq_url()}",
        f"--edu-azure-connection-string={edu_services.azurite.connection_string}",
    )
    assert result.parseoutcomes() == {"passed": 1}, result.stdout.str()
    result.stdout.fnmatch_lines([f"DRIVER {driver} {driver}"])


def test_a_segment_written_through_async_reads_back_through_sync(
    edu_factories: Factories, edu_session: Session
) -> None:
    # the sync face's own round trip, for comparison with the async drivers above
    segment = edu_factories.segment()
    edu_session.expire(segment, ["embedding_vector"])
    assert len(edu_session.get(DocumentSegment, segment.id).embedding_vector) == 3072
