"""Request and response bodies that are the API's own.

Rows come back as edu-contracts' read models (``ProjectRead``,
``DocumentRead``); task payloads are built by the contract's models, so the
bounds of a generation request (count, language) are the contract's and
cannot drift from what edu-worker accepts.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from edu_contracts.db.base import EMBEDDING_DIM
from edu_contracts.schemas.queue import Difficulty
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["GenerationAccepted", "GenerationRequest", "ProjectCreate", "SearchHit", "SearchRequest"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Postgres text cannot hold NUL: refuse it here (422), not in the database (500).
NoNul = Field(pattern=r"^[^\x00]*$")


class ProjectCreate(_Body):
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*\S[^\x00]*$")]
    description: Annotated[str | None, NoNul] = None


class GenerationRequest(_Body):
    """Which documents to generate from (default: every processed one) and how."""

    document_ids: Annotated[list[uuid.UUID] | None, Field(min_length=1)] = None
    count: int | None = None
    difficulty: Difficulty = Difficulty.MEDIUM
    language: str = "en"


class GenerationAccepted(BaseModel):
    """The task was queued; ``task_id`` is its ``message_id``, for tracing."""

    task_id: uuid.UUID
    type: str


class SearchRequest(_Body):
    vector: Annotated[
        list[Annotated[float, Field(ge=-65504, le=65504, allow_inf_nan=False)]],
        Field(min_length=EMBEDDING_DIM, max_length=EMBEDDING_DIM),
    ]
    limit: Annotated[int, Field(ge=1, le=50)] = 5


class SearchHit(BaseModel):
    segment_id: uuid.UUID
    document_id: uuid.UUID
    position: int
    content: str
    distance: float
