import hashlib
import uuid

import pytest
from edu_contracts.db.models import Document

NOTES = b"Photosynthesis turns light into chemical energy.\n\nChlorophyll absorbs red light.\n"


@pytest.mark.asyncio
async def test_upload_queues_processing(
    api_client, user, edu_async_factories, edu_async_queue, edu_async_session
):
    project = await edu_async_factories.project(user=user, documents=0)

    response = await api_client.post(
        f"/projects/{project.id}/documents",
        files={"file": ("biology notes.txt", NOTES, "text/plain")},
    )

    assert response.status_code == 201, response.text
    body = response.json()
    task = await edu_async_queue.expect(
        "document_processing", project_id=project.id, document_id=body["id"]
    )
    assert task.data.user_id == project.user_id
    document = await edu_async_session.get(Document, uuid.UUID(body["id"]))
    assert document.status == "pending"
    assert document.title == "biology notes.txt"
    assert document.content_sha256 == hashlib.sha256(NOTES).hexdigest()


@pytest.mark.asyncio
async def test_the_uploaded_file_is_stored_under_the_rows_key(
    api_client, user, edu_async_factories, document_store, edu_async_session
):
    project = await edu_async_factories.project(user=user, documents=0)

    response = await api_client.post(
        f"/projects/{project.id}/documents",
        files={"file": ("../../etc/passwd", NOTES, "text/markdown")},
        data={"title": "Week 1"},
    )

    document = await edu_async_session.get(Document, uuid.UUID(response.json()["id"]))
    assert document.title == "Week 1"
    assert document.source_uri.startswith(f"projects/{project.id}/documents/{document.id}/")
    assert document_store.path(document.source_uri).read_bytes() == NOTES


@pytest.mark.asyncio
async def test_a_file_the_worker_cannot_read_is_refused_and_nothing_is_sent(
    api_client, user, edu_async_factories, edu_async_queue
):
    project = await edu_async_factories.project(user=user, documents=0)

    response = await api_client.post(
        f"/projects/{project.id}/documents",
        files={"file": ("scan.pdf", b"%PDF-1.7", "application/pdf")},
    )

    assert response.status_code == 415
    assert (await edu_async_queue.messages()) == []


@pytest.mark.asyncio
async def test_an_empty_file_is_refused(api_client, user, edu_async_factories, edu_async_queue):
    project = await edu_async_factories.project(user=user, documents=0)

    response = await api_client.post(
        f"/projects/{project.id}/documents", files={"file": ("a.txt", b" \n", "text/plain")}
    )

    assert response.status_code == 422
    assert (await edu_async_queue.messages()) == []


@pytest.mark.asyncio
async def test_documents_are_listed_newest_first_and_filter_by_status(
    api_client, user, edu_async_factories
):
    project = await edu_async_factories.project(user=user, documents=0)
    ready = await edu_async_factories.document(project=project, status="ready")
    failed = await edu_async_factories.document(project=project, status="failed")
    await edu_async_factories.document()  # someone else's

    listed = (await api_client.get(f"/projects/{project.id}/documents")).json()
    only_ready = (await api_client.get(f"/projects/{project.id}/documents?status=ready")).json()

    assert {d["id"] for d in listed} == {str(ready.id), str(failed.id)}
    assert [d["id"] for d in only_ready] == [str(ready.id)]
    assert next(d for d in listed if d["id"] == str(failed.id))["error_message"]


@pytest.mark.asyncio
async def test_another_users_project_looks_missing(
    api_client, edu_async_factories, edu_async_queue
):
    theirs = await edu_async_factories.project(documents=0)

    listed = await api_client.get(f"/projects/{theirs.id}/documents")
    upload = await api_client.post(
        f"/projects/{theirs.id}/documents", files={"file": ("a.txt", NOTES, "text/plain")}
    )

    assert listed.status_code == upload.status_code == 404
    assert (await edu_async_queue.messages()) == []
