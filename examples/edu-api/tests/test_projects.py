import uuid

import pytest
from edu_contracts.db.models import Project


@pytest.mark.asyncio
async def test_a_project_belongs_to_its_creator(api_client, user, edu_async_session):
    response = await api_client.post("/projects", json={"name": "Organic chemistry"})

    assert response.status_code == 201, response.text
    project = await edu_async_session.get(Project, uuid.UUID(response.json()["id"]))
    assert project.user_id == user.id
    assert project.name == "Organic chemistry"


@pytest.mark.asyncio
async def test_an_unknown_caller_is_refused(api_client):
    response = await api_client.post(
        "/projects", json={"name": "x"}, headers={"X-User-Id": str(uuid.uuid4())}
    )

    assert response.status_code == 401


@pytest.mark.asyncio
async def test_a_blank_name_is_refused(api_client):
    response = await api_client.post("/projects", json={"name": "   "})
    assert response.status_code == 422
