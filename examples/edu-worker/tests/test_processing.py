import pytest
from edu_contracts.db.models import Document
from edu_contracts.db.search import async_nearest_segments
from edu_contracts.schemas.queue import DocumentProcessingData, DocumentProcessingMessage
from sqlalchemy.orm import selectinload

from edu_worker import HashEmbedder

pytestmark = pytest.mark.anyio

TEXT = """Photosynthesis turns light into chemical energy. It happens in the chloroplasts.

Chlorophyll absorbs red and blue light and reflects green light. That is why leaves look green.

The Calvin cycle fixes carbon dioxide into sugar. It needs the ATP made by the light reactions.
"""


async def fresh(session, doc):
    """``doc`` as the worker's own sessions left it, segments loaded (no lazy loads in async)."""
    return await session.get(
        Document, doc.id, populate_existing=True, options=[selectinload(Document.segments)]
    )


@pytest.fixture
async def processed(work, queued):
    doc = await queued(TEXT)
    await work()
    return doc


async def test_processing_marks_document_ready(edu_async_queue, edu_async_session, work, queued):
    doc = await queued(TEXT)

    report = await work()

    assert [o.status for o in report.outcomes] == ["done"]
    doc = await fresh(edu_async_session, doc)
    assert doc.status == "ready"
    assert len(doc.segments) > 0
    assert doc.error_message is None
    assert doc.processed_at is not None
    assert all(s.has_embedding and s.embedding_model == "edu-hash-3072-v1" for s in doc.segments)
    assert await edu_async_queue.messages() == []  # acked


async def test_segments_are_found_by_meaning(processed, edu_async_session):
    query = HashEmbedder().embed(["why do leaves look green"])[0]

    hits = await async_nearest_segments(
        edu_async_session, project_id=processed.project_id, query_vector=query, limit=1
    )

    assert "Chlorophyll" in hits[0][0].content


async def test_processing_twice_does_not_duplicate_segments(
    processed, edu_async_factories, edu_async_queue, edu_async_session, work
):
    before = [(s.position, s.content) for s in (await fresh(edu_async_session, processed)).segments]
    assert before
    await edu_async_queue.send(
        await edu_async_factories.task("document_processing", document=processed)
    )

    report = await work()

    assert report.outcomes[0].detail.startswith("skipped: already processed")
    after = await fresh(edu_async_session, processed)
    assert [(s.position, s.content) for s in after.segments] == before


async def test_a_changed_file_replaces_the_segments(
    processed, edu_async_factories, edu_async_queue, edu_async_session, document_store, work
):
    document_store.put(processed.source_uri, b"Only one sentence now.")
    await edu_async_queue.send(
        await edu_async_factories.task("document_processing", document=processed)
    )

    await work()

    after = await fresh(edu_async_session, processed)
    assert [s.content for s in after.segments] == ["Only one sentence now."]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "is missing"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b" \n ", "no text could be extracted"),
    ],
)
async def test_an_unreadable_document_is_marked_failed_and_not_retried(
    content,
    error,
    upload,
    edu_async_factories,
    edu_async_queue,
    edu_async_session,
    document_store,
    work,
):
    doc = await upload(b"placeholder")
    if content is None:
        document_store.path(doc.source_uri).unlink()
    else:
        document_store.put(doc.source_uri, content)
    await edu_async_queue.send(await edu_async_factories.task("document_processing", document=doc))

    report = await work()

    assert [o.status for o in report.outcomes] == ["failed"]
    doc = await fresh(edu_async_session, doc)
    assert doc.status == "failed"
    assert error in doc.error_message
    assert doc.segments == []
    assert await edu_async_queue.messages() == []


async def test_a_task_for_someone_elses_project_is_refused(
    upload, edu_async_factories, edu_async_queue, edu_async_session, work
):
    doc = await upload(TEXT)
    stranger = await edu_async_factories.user(projects=0)
    await edu_async_queue.send(
        DocumentProcessingMessage(
            data=DocumentProcessingData(
                document_id=doc.id, project_id=doc.project_id, user_id=stranger.id
            )
        )
    )

    report = await work()

    assert report.outcomes[0].status == "failed"
    assert "does not belong to user" in (await fresh(edu_async_session, doc)).error_message


async def test_a_document_deleted_before_processing_is_skipped(
    edu_async_factories, edu_async_queue, work
):
    await edu_async_queue.send(await edu_async_factories.message("document_processing"))

    report = await work()

    assert [o.status for o in report.outcomes] == ["done"]
    assert report.outcomes[0].detail.startswith("skipped: the document was deleted")
