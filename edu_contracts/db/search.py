"""Project-scoped nearest-neighbour search over document segments.

The HNSW index is built on ``embedding_vector::halfvec(3072)`` (pgvector
cannot index ``vector`` this wide), and Postgres only uses an expression
index when the query contains the *same* expression. So the distance here is
computed on that cast, with the query vector cast to ``halfvec(3072)`` too;
ordering by ``embedding_vector <=> :q`` would silently scan every row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa
from pgvector.sqlalchemy import HALFVEC
from sqlalchemy.orm import Session

from edu_contracts.db.base import EMBEDDING_DIM
from edu_contracts.db.models.document import DocumentSegment
from edu_contracts.errors import SearchArgumentError, VectorDimensionError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = [
    "HALFVEC_MAX",
    "async_nearest_segments",
    "embedding_halfvec",
    "nearest_segments",
    "nearest_segments_query",
]

_HALFVEC = HALFVEC(EMBEDDING_DIM)
HALFVEC_MAX = 65504.0
"""The largest magnitude half precision holds."""


def embedding_halfvec() -> sa.ColumnElement[Any]:
    """``embedding_vector::halfvec(3072)``: the expression the HNSW index covers."""
    return sa.cast(DocumentSegment.embedding_vector, _HALFVEC)


def _check(query_vector: Sequence[float], limit: int) -> list[float]:
    values = [float(v) for v in query_vector]
    if len(values) != EMBEDDING_DIM:
        raise VectorDimensionError(
            f"query vector has {len(values)} dimensions, expected {EMBEDDING_DIM}",
            where="nearest_segments(query_vector=...)",
            fix="embed the query with the same model that embedded the segments",
        )
    if limit < 1:
        raise SearchArgumentError(
            f"limit must be at least 1, got {limit}",
            where="nearest_segments(limit=...)",
            fix="pass a positive limit",
        )
    # The index compares half-precision copies: a value halfvec cannot hold
    # is a server error, and a vector that rounds to zero has no direction
    # (its cosine distance is NaN, which sorts nowhere).
    halves = np.asarray(values, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(halves) | (np.abs(halves) > HALFVEC_MAX))
    if bad.size:
        raise SearchArgumentError(
            f"query vector value {values[int(bad[0])]!r} is not a finite number within "
            f"+-{HALFVEC_MAX:g} (half precision, as the index stores vectors)",
            where=f"nearest_segments(query_vector[{int(bad[0])}])",
            fix="pass the embedding model's output; embeddings are small finite floats",
        )
    if not np.any(halves.astype(np.float16)):
        raise SearchArgumentError(
            "query vector is zero in half precision, so it has no direction to compare",
            where="nearest_segments(query_vector=...)",
            fix="pass a non-zero embedding",
        )
    return values


def nearest_segments_query(
    *, project_id: uuid.UUID, query_vector: Sequence[float], limit: int = 10
) -> sa.Select[DocumentSegment, float]:
    """The SELECT behind :func:`nearest_segments`, for EXPLAIN or composition.

    Rows come back as ``(segment, cosine_distance)``, nearest first;
    segments without an embedding are never returned.
    """
    values = _check(query_vector, limit)
    query = sa.cast(sa.bindparam("query_vector", values, type_=_HALFVEC), _HALFVEC)
    distance = embedding_halfvec().cosine_distance(query).label("distance")
    return (
        sa.select(DocumentSegment, distance)
        .where(DocumentSegment.project_id == project_id)
        .where(DocumentSegment.embedding_vector.is_not(None))
        .order_by(distance)
        .limit(limit)
    )


def nearest_segments(
    session: Session,
    *,
    project_id: uuid.UUID,
    query_vector: Sequence[float],
    limit: int = 10,
) -> list[tuple[DocumentSegment, float]]:
    """The ``limit`` segments of ``project_id`` closest to ``query_vector``.

    The HNSW index is global while the project filter is applied to its
    candidates, so on a large table a small project could get fewer than
    ``limit`` rows. pgvector 0.8's iterative scan keeps walking the graph
    until enough rows pass the filter; it is switched on for this
    transaction only (``SET LOCAL``), in strict order so distances stay
    sorted.
    """
    statement = nearest_segments_query(
        project_id=project_id, query_vector=query_vector, limit=limit
    )
    session.execute(_ITERATIVE_SCAN)
    return [(segment, float(distance)) for segment, distance in session.execute(statement)]


async def async_nearest_segments(
    session: AsyncSession,
    *,
    project_id: uuid.UUID,
    query_vector: Sequence[float],
    limit: int = 10,
) -> list[tuple[DocumentSegment, float]]:
    """:func:`nearest_segments` on an ``AsyncSession``: the same statements, awaited."""
    statement = nearest_segments_query(
        project_id=project_id, query_vector=query_vector, limit=limit
    )
    await session.execute(_ITERATIVE_SCAN)
    rows = await session.execute(statement)
    return [(segment, float(distance)) for segment, distance in rows]


_ITERATIVE_SCAN = sa.text("SET LOCAL hnsw.iterative_scan = strict_order")
