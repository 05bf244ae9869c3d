import pytest
from edu_contracts.db.search import nearest_segments
from edu_contracts.schemas.queue import DocumentProcessingData, DocumentProcessingMessage

from edu_worker import HashEmbedder, run_worker_once

pytestmark = pytest.mark.anyio

TEXT = """Photosynthesis turns light into chemical energy. It happens in the chloroplasts.

Chlorophyll absorbs red and blue light and reflects green light. That is why leaves look green.

The Calvin cycle fixes carbon dioxide into sugar. It needs the ATP made by the light reactions.
"""


@pytest.fixture
async def processed(upload, edu_factories, edu_async_queue, edu_session, document_store):
    doc = upload(TEXT)
    await edu_async_queue.send(edu_factories.task("document_processing", document=doc))
    await run_worker_once(edu_async_queue, edu_session, sources=document_store)
    return doc


async def test_processing_marks_document_ready(
    upload, edu_factories, edu_async_queue, edu_session, document_store
):
    doc = upload(TEXT)
    await edu_async_queue.send(edu_factories.task("document_processing", document=doc))

    report = await run_worker_once(edu_async_queue, edu_session, sources=document_store)

    assert [o.status for o in report.outcomes] == ["done"]
    assert doc.status == "ready"
    assert len(doc.segments) > 0
    assert doc.error_message is None
    assert doc.processed_at is not None
    assert all(s.has_embedding and s.embedding_model == "edu-hash-3072-v1" for s in doc.segments)
    assert await edu_async_queue.messages() == []  # acked


async def test_segments_are_found_by_meaning(processed, edu_session):
    query = HashEmbedder().embed(["why do leaves look green"])[0]

    hits = nearest_segments(
        edu_session, project_id=processed.project_id, query_vector=query, limit=1
    )

    assert "Chlorophyll" in hits[0][0].content


async def test_processing_twice_does_not_duplicate_segments(
    processed, edu_factories, edu_async_queue, edu_session, document_store
):
    before = [(s.position, s.content) for s in processed.segments]
    await edu_async_queue.send(edu_factories.task("document_processing", document=processed))

    report = await run_worker_once(edu_async_queue, edu_session, sources=document_store)

    assert report.outcomes[0].detail.startswith("skipped: already processed")
    assert [(s.position, s.content) for s in processed.segments] == before


async def test_a_changed_file_replaces_the_segments(
    processed, edu_factories, edu_async_queue, edu_session, document_store
):
    document_store.put(processed.source_uri, b"Only one sentence now.")
    await edu_async_queue.send(edu_factories.task("document_processing", document=processed))

    await run_worker_once(edu_async_queue, edu_session, sources=document_store)

    edu_session.expire_all()
    assert [s.content for s in processed.segments] == ["Only one sentence now."]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "is missing"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b" \n ", "no text could be extracted"),
    ],
)
async def test_an_unreadable_document_is_marked_failed_and_not_retried(
    content, error, upload, edu_factories, edu_async_queue, edu_session, document_store
):
    doc = upload(b"placeholder")
    if content is None:
        document_store.path(doc.source_uri).unlink()
    else:
        document_store.put(doc.source_uri, content)
    await edu_async_queue.send(edu_factories.task("document_processing", document=doc))

    report = await run_worker_once(edu_async_queue, edu_session, sources=document_store)

    assert [o.status for o in report.outcomes] == ["failed"]
    assert doc.status == "failed"
    assert error in doc.error_message
    assert doc.segments == []
    assert await edu_async_queue.messages() == []


async def test_a_task_for_someone_elses_project_is_refused(
    upload, edu_factories, edu_async_queue, edu_session, document_store
):
    doc = upload(TEXT)
    stranger = edu_factories.user(projects=0)
    await edu_async_queue.send(
        DocumentProcessingMessage(
            data=DocumentProcessingData(
                document_id=doc.id, project_id=doc.project_id, user_id=stranger.id
            )
        )
    )

    report = await run_worker_once(edu_async_queue, edu_session, sources=document_store)

    assert report.outcomes[0].status == "failed"
    assert "does not belong to user" in doc.error_message


async def test_a_document_deleted_before_processing_is_skipped(
    edu_factories, edu_async_queue, edu_session, document_store
):
    await edu_async_queue.send(edu_factories.message("document_processing"))

    report = await run_worker_once(edu_async_queue, edu_session, sources=document_store)

    assert [o.status for o in report.outcomes] == ["done"]
    assert report.outcomes[0].detail.startswith("skipped: the document was deleted")
