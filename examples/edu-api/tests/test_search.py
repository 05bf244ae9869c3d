import uuid

import pytest
from edu_contracts.db.base import EMBEDDING_DIM


@pytest.mark.asyncio
async def test_search_finds_the_document_a_vector_is_about(api_client, user, edu_async_factories):
    project = await edu_async_factories.project(user=user, documents=0)
    about = await edu_async_factories.document(project=project, segments=4)
    await edu_async_factories.document(project=project, segments=4)

    response = await api_client.post(
        f"/projects/{project.id}/search",
        json={"vector": (await edu_async_factories.query_vector(about)).tolist(), "limit": 4},
    )

    assert response.status_code == 200, response.text
    hits = response.json()
    assert [h["document_id"] for h in hits] == [str(about.id)] * 4
    assert [h["distance"] for h in hits] == sorted(h["distance"] for h in hits)


@pytest.mark.asyncio
async def test_search_never_returns_another_projects_segments(
    api_client, user, edu_async_factories
):
    project = await edu_async_factories.project(user=user, documents=0)
    mine = await edu_async_factories.document(project=project, segments=2)
    theirs = await edu_async_factories.document(segments=3)

    vector = (await edu_async_factories.query_vector(theirs)).tolist()
    response = await api_client.post(
        f"/projects/{project.id}/search", json={"vector": vector, "limit": 10}
    )
    hits = response.json()

    assert {uuid.UUID(h["document_id"]) for h in hits} == {mine.id}


@pytest.mark.asyncio
async def test_a_vector_of_the_wrong_width_is_refused(api_client, user, edu_async_factories):
    project = await edu_async_factories.project(user=user, documents=0)

    response = await api_client.post(
        f"/projects/{project.id}/search", json={"vector": [1.0] * (EMBEDDING_DIM - 1)}
    )

    assert response.status_code == 422
