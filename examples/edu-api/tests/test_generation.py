import uuid

import pytest


@pytest.mark.asyncio
async def test_flashcards_are_requested_from_every_processed_document(
    api_client, user, edu_async_factories, edu_async_queue
):
    project = await edu_async_factories.project(user=user, documents=0)
    first = await edu_async_factories.document(project=project, status="ready")
    second = await edu_async_factories.document(project=project, status="ready")
    await edu_async_factories.document(project=project, status="pending")

    response = await api_client.post(
        f"/projects/{project.id}/generate/flashcards",
        json={"count": 5, "difficulty": "hard"},
        headers={"X-Request-Id": "req-42"},
    )

    assert response.status_code == 202, response.text
    task = await edu_async_queue.expect("flashcard_generation", project_id=project.id, count=5)
    assert set(task.data.document_ids) == {first.id, second.id}
    assert task.data.difficulty == "hard"
    assert task.correlation_id == "req-42"
    assert response.json() == {"task_id": str(task.message_id), "type": "flashcard_generation"}


@pytest.mark.asyncio
async def test_a_quiz_is_requested_from_the_chosen_document(
    api_client, user, edu_async_factories, edu_async_queue
):
    project = await edu_async_factories.project(user=user, documents=0)
    chosen = await edu_async_factories.document(project=project, status="ready")
    await edu_async_factories.document(project=project, status="ready")

    response = await api_client.post(
        f"/projects/{project.id}/generate/quiz", json={"document_ids": [str(chosen.id)]}
    )

    assert response.status_code == 202, response.text
    task = await edu_async_queue.expect("quiz_generation", project_id=project.id)
    assert task.data.document_ids == (chosen.id,)
    assert task.data.count == 10  # the contract's default


@pytest.mark.asyncio
async def test_nothing_to_generate_from_is_a_conflict(
    api_client, user, edu_async_factories, edu_async_queue
):
    project = await edu_async_factories.project(user=user, documents=0)
    pending = await edu_async_factories.document(project=project, status="pending")

    everything = await api_client.post(f"/projects/{project.id}/generate/quiz", json={})
    chosen = await api_client.post(
        f"/projects/{project.id}/generate/quiz", json={"document_ids": [str(pending.id)]}
    )
    unknown = await api_client.post(
        f"/projects/{project.id}/generate/quiz", json={"document_ids": [str(uuid.uuid4())]}
    )

    assert (everything.status_code, chosen.status_code, unknown.status_code) == (409, 409, 404)
    assert (await edu_async_queue.messages()) == []


@pytest.mark.asyncio
async def test_the_contracts_bounds_are_the_apis_bounds(
    api_client, user, edu_async_factories, edu_async_queue
):
    project = await edu_async_factories.project(user=user, documents=0)
    await edu_async_factories.document(project=project, status="ready")

    too_many = await api_client.post(
        f"/projects/{project.id}/generate/flashcards", json={"count": 201}
    )
    bad_language = await api_client.post(
        f"/projects/{project.id}/generate/flashcards", json={"language": "English"}
    )

    assert too_many.status_code == bad_language.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["count"]
    assert (await edu_async_queue.messages()) == []
