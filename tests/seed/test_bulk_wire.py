"""The bulk loader sends vectors and JSONB as packed wire bytes: what the ORM reads back
must be exactly the rows generated, float for float and field for field."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, undefer

from edu_contracts.db.models import DocumentSegment
from edu_contracts.errors import SeedError
from edu_contracts.seed.loader import _packed_vector
from edu_contracts.seed.rows import scenario_rows
from edu_contracts.seed.scenario import load_scenario
from edu_contracts.seed.seeding import seed_database
from edu_contracts.testing.fixtures import PostgresServer


@pytest.fixture
def seeded_url(edu_postgres: PostgresServer) -> Iterator[str]:
    url = edu_postgres.create_database("bulk_wire")
    seed_database(url, load_scenario("tiny"), seed=7)
    yield url
    edu_postgres.drop_database(url)


def test_segments_read_back_as_generated(seeded_url: str) -> None:
    generated = {
        row["id"]: row
        for table, row in scenario_rows(load_scenario("tiny"), 7)
        if table == "document_segments"
    }
    engine = sa.create_engine(seeded_url)
    try:
        with Session(engine) as session:
            stored = session.scalars(
                sa.select(DocumentSegment).options(undefer(DocumentSegment.embedding_vector))
            ).all()
    finally:
        engine.dispose()
    assert {s.id for s in stored} == set(generated)
    embedded = 0
    for segment in stored:
        row = generated[segment.id]
        assert segment.segment_metadata == row["segment_metadata"]
        if row["embedding_vector"] is None:
            assert segment.embedding_vector is None
            continue
        embedded += 1
        np.testing.assert_array_equal(
            np.asarray(segment.embedding_vector, dtype=np.float32), row["embedding_vector"]
        )
    assert embedded > 0, "the tiny scenario embeds some segments"


def test_a_vector_that_is_not_one_row_is_refused() -> None:
    with pytest.raises(SeedError, match="one row of floats"):
        _packed_vector(np.zeros((2, 3), dtype=np.float32))
